#!/usr/bin/env python3
"""Keep the references in README.md equal to what the program prints:
the config keys (`faiss-sweep help-config`) and the results columns
(`faiss-sweep help-results`), each between its begin/end markers.

usage: readme-reference.py FAISS_SWEEP README.md [--update]
Without --update, exits 1 (and says so) when a block of the README is stale.
"""
import subprocess
import sys

BLOCKS = [("config-reference", "help-config"), ("results-schema", "help-results")]

exe, readme = sys.argv[1:3]
update = "--update" in sys.argv[3:]
text = open(readme, encoding="utf-8").read()
stale = []
for name, command in BLOCKS:
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    ref = subprocess.run([exe, command], check=True, capture_output=True, text=True).stdout
    if begin not in text or end not in text:
        sys.exit(f"{readme}: no {begin} ... {end} block")
    head, rest = text.split(begin, 1)
    body, tail = rest.split(end, 1)
    want = "\n" + ref.strip() + "\n"
    if body != want:
        stale.append(name)
        text = head + begin + want + end + tail
if not stale:
    print(f"readme: {len(BLOCKS)} passed, 0 failed")
    sys.exit(0)
if update:
    with open(readme, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"{readme}: updated {', '.join(stale)}")
    sys.exit(0)
print(f"{readme}: stale {', '.join(stale)}; run {sys.argv[0]} {exe} {readme} --update")
print(f"readme: {len(BLOCKS) - len(stale)} passed, {len(stale)} failed")
sys.exit(1)
