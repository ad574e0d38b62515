#!/usr/bin/env python3
"""Keep the config reference in README.md equal to `faiss-sweep help-config`.

usage: readme-reference.py FAISS_SWEEP README.md [--update]
Without --update, exits 1 (and says so) when the README's block is stale.
"""
import subprocess
import sys

BEGIN, END = "<!-- config-reference:begin -->", "<!-- config-reference:end -->"

exe, readme = sys.argv[1:3]
update = "--update" in sys.argv[3:]
ref = subprocess.run([exe, "help-config"], check=True, capture_output=True, text=True).stdout
text = open(readme, encoding="utf-8").read()
if BEGIN not in text or END not in text:
    sys.exit(f"{readme}: no {BEGIN} ... {END} block")
head, rest = text.split(BEGIN, 1)
body, tail = rest.split(END, 1)
want = "\n" + ref.strip() + "\n"
if body == want:
    print("readme: 1 passed, 0 failed")
    sys.exit(0)
if update:
    with open(readme, "w", encoding="utf-8") as f:
        f.write(head + BEGIN + want + END + tail)
    print(f"{readme}: config reference updated")
    sys.exit(0)
print(f"{readme}: the config reference is stale; run {sys.argv[0]} {exe} {readme} --update")
print("readme: 0 passed, 1 failed")
sys.exit(1)
