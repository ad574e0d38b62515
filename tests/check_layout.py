#!/usr/bin/python3
"""The layout's rules, checked on the source: floors, circles, faiss, size.

usage: check_layout.py HARNESS_DIR

- Floors: lib < io, out < core, rvc < run < main.c. A file includes only
  files of its own folder or of a lower floor; io and out do not include each
  other, nor do core and rvc.
- No include circles (between files, nor between folders).
- Only lib/backend.c includes faiss headers.
- Every folder has a README.md; no source file over 800 lines.
Prints one line per breach and exits 1 when there is any.
"""
import os
import re
import sys

FLOOR = {"lib": 0, "io": 1, "out": 1, "core": 2, "rvc": 2, "run": 3, ".": 4}
MAX_LINES = 800
INCLUDE = re.compile(r'^\s*#\s*include\s+([<"])([^">]+)[">]', re.M)


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
