#!/usr/bin/env python3
"""scripts/layercheck.py LAYER... - fail on an include that points up.

The layers of src/ are given lowest first (the Makefile's LAYERS). A file
in src/L may include headers of L or of a lower layer, the public API in
include/smtptls/ (declarations only, available to all) and system headers.
Two layers may sit side by side at the top only if neither includes the
other. Prints every upward include as FILE:LINE: header (layer); exit 0
when there is none, 1 otherwise, 2 on usage errors."""
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def main(layers):
    if not layers:
        print("usage: layercheck.py LAYER...", file=sys.stderr)
        return 2
    rank = {l: i for i, l in enumerate(layers)}
    where = {}
    for l in layers:
        d = os.path.join("src", l)
        for f in sorted(os.listdir(d)) if os.path.isdir(d) else []:
            if f in where:
                print("%s in both src/%s and src/%s" % (f, where[f], l))
                return 1
            where[f] = l
    bad = 0
    for f, l in sorted(where.items()):
        path = os.path.join("src", l, f)
        with open(path, encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                m = INCLUDE.match(line)
                if not m or m.group(1).startswith("smtptls/"):
                    continue
                h = os.path.basename(m.group(1))
                hl = where.get(h)
                if hl is None:
                    print("%s:%d: %s is in no layer" % (path, n, h))
                    bad += 1
                elif rank[hl] > rank[l]:
                    print("%s:%d: %s (%s) is above %s" % (path, n, h, hl, l))
                    bad += 1
    if bad == 0:
        print("layercheck: %d files, every include points down (%s)" %
              (len(where), " < ".join(layers)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
