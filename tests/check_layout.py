#!/usr/bin/python3
"""The layout's rules, checked on the source: floors, circles, faiss, size.

usage: check_layout.py HARNESS_DIR

- Floors: lib < io, out < core, rvc < run < main.c. A file includes only
  files of its own folder or of a lower floor; io and out do not include each
  other, nor do core and rvc.
- No include circles (between files, nor between folders).
- Only lib/backend.c includes faiss headers.
- Every folder has a README.md; no source file over 800 lines; no function
  over 80 lines unless the comment above it says why it is long.
Prints one line per breach and exits 1 when there is any.
"""
import os
import re
import sys

FLOOR = {"lib": 0, "io": 1, "out": 1, "core": 2, "rvc": 2, "run": 3, ".": 4}
MAX_LINES = 800
MAX_FUNCTION = 80
INCLUDE = re.compile(r'^\s*#\s*include\s+([<"])([^">]+)[">]', re.M)


def long_functions(rel, lines):
    """Functions (a '{' alone in column 0 after a signature) over MAX_FUNCTION
    lines whose comment above does not say why they are long."""
    out, start, head = [], None, 0
    for i, line in enumerate(lines):
        if line == "{" and i and lines[i - 1].rstrip().endswith(")"):
            head = i - 1
            while head > 0 and lines[head].startswith((" ", "\t")):
                head -= 1
            start = i
        elif line == "}" and start is not None:
            n = i - head + 1
            # the comment block right above the signature
            j = head - 1
            if j >= 0 and lines[j].rstrip().endswith("*/"):
                while j > 0 and "/*" not in lines[j]:
                    j -= 1
                above = "\n".join(lines[j:head]).lower()
            else:
                above = ""
            if n > MAX_FUNCTION and "long" not in above:
                out.append(f"{rel}: {lines[head].split('(')[0]}(): {n} lines "
                           f"(more than {MAX_FUNCTION}, and no comment saying why)")
            start = None
    return out


def main():
    root = sys.argv[1]
    bad = []
    graph = {}
    for folder in FLOOR:
        d = os.path.join(root, folder)
        if folder != "." and not os.path.isfile(os.path.join(d, "README.md")):
            bad.append(f"{folder}/: no README.md saying what lives there")
        for name in sorted(os.listdir(d)):
            if not name.endswith((".c", ".h")):
                continue
            rel = os.path.normpath(os.path.join(folder, name))
            text = open(os.path.join(d, name), encoding="utf-8").read()
            if text.count("\n") > MAX_LINES:
                bad.append(f"{rel}: {text.count(chr(10))} lines (more than {MAX_LINES})")
            if name.endswith(".c"):
                bad.extend(long_functions(rel, text.split("\n")))
            graph[rel] = []
            for kind, inc in INCLUDE.findall(text):
                if inc.startswith("faiss/") and rel != "lib/backend.c":
                    bad.append(f"{rel}: includes faiss header '{inc}' (only lib/backend.c may)")
                if kind != '"' or inc == "fs_commit.h":
                    continue
                if "/" not in inc:
                    bad.append(f"{rel}: includes '{inc}' without its folder")
                    continue
                to = inc.split("/")[0]
                me = folder
                if to not in FLOOR or to == ".":
                    bad.append(f"{rel}: includes '{inc}' from no known folder")
                elif to != me and FLOOR[to] >= FLOOR[me]:
                    bad.append(f"{rel}: includes '{inc}' from floor '{to}', not below '{me}'")
                graph[rel].append(inc)
    # circles between files: depth-first search over the include graph
    state = {}

    def visit(node, path):
        state[node] = 1
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1:
                cycle = path[path.index(nxt):] + [nxt] if nxt in path else [node, nxt]
                bad.append("include circle: " + " -> ".join(cycle))
            elif nxt in graph and not state.get(nxt):
                visit(nxt, path + [nxt])
        state[node] = 2

    for node in sorted(graph):
        if not state.get(node):
            visit(node, [node])
    for line in bad:
        print(line)
    print(f"layout: {len(graph)} files, {len(bad)} breaches")
    sys.exit(1 if bad else 0)


main()
