#!/usr/bin/env python3
"""scripts/toplength.py [--allow FILE] SRC... - functions longer than the
budget (style.md 8: ~60 lines), longest first.

A function runs from its name at the start of a line (KNF: the return type
on the line before) to the next "}" at the start of a line. With --allow,
the file lists "path:function lines" that were over the budget when the
budget came in: each may stay at most that long (it may only shrink), and
anything else over the budget fails. Exit 0 within the budget, 1 over it."""
import re
import sys

BUDGET = 60
START = re.compile(r"^([a-z_][a-z0-9_]*)\(")


def functions(path):
    out, name, first = [], None, 0
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            m = START.match(line)
            if m and name is None:
                name, first = m.group(1), n
            elif name is not None and line.startswith("}"):
                out.append((n - first + 1, path, name))
                name = None
    return out


def main(argv):
    allow, files = {}, []
    i = 0
    while i < len(argv):
        if argv[i] == "--allow":
            with open(argv[i + 1], encoding="utf-8") as fh:
                for line in fh:
                    if line.strip() and not line.startswith("#"):
                        key, lines = line.split()
                        allow[key] = int(lines)
            i += 2
        else:
            files.append(argv[i])
            i += 1
    over = sorted((f for p in files for f in functions(p) if f[0] > BUDGET),
                  reverse=True)
    bad = 0
    for lines, path, name in over:
        key = "%s:%s" % (path, name)
        cap = allow.get(key)
        ok = cap is not None and lines <= cap
        bad += not ok
        print("%4d %s%s" % (lines, key, "" if ok else
              "  <- over the budget of %d%s" % (BUDGET, "" if cap is None
                                               else " (allowed %d)" % cap)))
    print("toplength: %d functions over %d lines, %d not allowed" %
          (len(over), BUDGET, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
