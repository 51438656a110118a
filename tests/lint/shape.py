#!/usr/bin/env python3
"""The shape of signet's C: no function longer than MAX_LINES, and no circle
of files that call each other.

    shape.py [--objects BUILD_DIR] [--stats] PATH...

PATHs are folders or .c files. Function length counts the lines from a
definition's opening brace (a "{" alone in column 0) to its closing brace
(a "}" in column 0), both included. Calls between files come from the
objects in BUILD_DIR (nm: which file defines each global symbol, which
files use it); a strongly connected set of two or more files is a circle.
Exits 1 when either rule is broken.
"""
import os
import re
import statistics
import subprocess
import sys

MAX_LINES = 100


def c_files(paths):
    out = []
    for p in paths:
        if os.path.isdir(p):
            out += sorted(os.path.join(p, f) for f in os.listdir(p)
                          if f.endswith(".c"))
        elif p.endswith(".c"):
            out.append(p)
    return out


NAME = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*\(")


def functions(path):
    """(name, first line, length) of each function defined in path."""
    lines = open(path, encoding="utf-8", errors="replace").read().split("\n")
    found = []
    i = 0
    while i < len(lines):
        if lines[i].rstrip() == "{":
            # the name: the last identifier before "(" in the lines above
            j, name = i - 1, "?"
            while j >= 0 and j >= i - 6:
                m = NAME.search(lines[j])
                if m and not lines[j].startswith((" ", "\t", "#", "/*", " *")):
                    name = m.group(1)
                    break
                j -= 1
            k = i + 1
            while k < len(lines) and not lines[k].startswith("}"):
                k += 1
            found.append((name, i + 1, k - i + 1))
            i = k
        i += 1
    return found


def symbols(obj):
    """(defined globals, undefined) of one object file."""
    out = subprocess.run(["nm", obj], capture_output=True, text=True,
                         check=True).stdout
    defined, used = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "U":
            used.add(parts[1])
        elif len(parts) == 3 and parts[1] in "TDBRCVW":
            defined.add(parts[2])
    return defined, used


def circles(build, sources):
    files = {}
    for src in sources:
        obj = os.path.join(build, src[:-2] + ".o")
        if os.path.exists(obj):
            files[src] = symbols(obj)
    owner = {}
    for src, (defined, _) in files.items():
        for s in defined:
            owner[s] = src
    edges = {src: sorted({owner[s] for s in used if s in owner} - {src})
             for src, (_, used) in files.items()}
    # Tarjan's strongly connected components
    index, low, stack, on, comps = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                comps.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    return comps, edges


def main(argv):
    build, stats, paths = None, False, []
    it = iter(argv)
    for a in it:
        if a == "--objects":
            build = next(it)
        elif a == "--stats":
            stats = True
        else:
            paths.append(a)
    sources = c_files(paths)
    bad = 0
    lengths = []
    for src in sources:
        for name, line, n in functions(src):
            lengths.append(n)
            if n > MAX_LINES:
                print(f"{src}:{line}: {name}() is {n} lines "
                      f"(at most {MAX_LINES})")
                bad = 1
    if build:
        comps, _ = circles(build, sources)
        for comp in comps:
            print("circle of files that call each other: "
                  + " <-> ".join(comp))
            bad = 1
    if stats and lengths:
        lengths.sort()
        p90 = lengths[min(len(lengths) - 1, int(len(lengths) * 0.9))]
        print(f"functions: {len(lengths)}, median "
              f"{statistics.median(lengths):g} lines, p90 {p90}, "
              f"max {lengths[-1]}; over 80: "
              f"{sum(1 for n in lengths if n > 80)}")
    if not bad:
        print(f"code shape: {len(sources)} files, {len(lengths)} functions "
              f"within {MAX_LINES} lines, no circles")
    return bad


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
