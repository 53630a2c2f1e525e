#!/usr/bin/env python3
"""scripts/cyclecheck.py OBJ... - fail when source files call each other in
a cycle.

Builds the file-level call graph from the objects' symbol tables (nm: a
file that uses an undefined symbol U depends on the file that defines it
as T/D/B/R) and prints every strongly connected component of more than one
file, with the symbols on its edges. Exit 0: no cycle; 1: cycles; 2: usage.
Why at link level, not #include level: a header can be included for a type
alone, while a call is a real dependency."""
import subprocess
import sys
from collections import defaultdict


def symbols(objs):
    """{obj: (defined, used)} from two nm runs over all objects (-A names
    the object on every line: one process instead of two per file)."""
    out = {o: (set(), set()) for o in objs}
    for flag, slot in (("--defined-only", 0), ("--undefined-only", 1)):
        text = subprocess.run(["nm", "-A", flag] + objs, capture_output=True,
                              text=True, check=True).stdout
        for line in text.splitlines():
            obj, _, rest = line.partition(":")
            f = rest.split()
            if obj not in out or not f:
                continue
            if slot == 0 and (len(f) != 3 or f[1] not in "TDBR"):
                continue
            out[obj][slot].add(f[-1])
    return out


def sccs(nodes, edges):
    """Tarjan's algorithm, iterative."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            nxt = next(it, None)
            if nxt is not None:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter[0]
                    counter[0] += 1
                    stack.append(nxt)
                    on.add(nxt)
                    work.append((nxt, iter(sorted(edges[nxt]))))
                elif nxt in on:
                    low[v] = min(low[v], index[nxt])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                out.append(sorted(comp))
    return out


def main(objs):
    if not objs:
        print("usage: cyclecheck.py OBJ...", file=sys.stderr)
        return 2
    owner, uses = {}, {}
    syms = symbols(objs)
    for o in objs:
        name = o.split("/build/")[-1]
        name = name.split("/", 2)[-1] if name.startswith("build/") else name
        name = name[:-2] + ".c" if name.endswith(".o") else name
        d, u = syms[o]
        for s in d:
            owner[s] = name
        uses[name] = u
    edges, why = defaultdict(set), defaultdict(set)
    for f, used in uses.items():
        for s in used:
            g = owner.get(s)
            if g is not None and g != f:
                edges[f].add(g)
                why[(f, g)].add(s)
    bad = [c for c in sccs(sorted(uses), edges) if len(c) > 1]
    for c in bad:
        print("cycle: " + " <-> ".join(c))
        for f in c:
            for g in c:
                if g in edges[f]:
                    print("  %s -> %s: %s" % (f, g, ", ".join(sorted(why[(f, g)]))))
    if not bad:
        print("cyclecheck: no call cycles between %d files" % len(uses))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
