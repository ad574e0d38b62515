"""The CI job files in docs/ci/ parse as YAML and do what docs/ci.md says:
build with the README's commands, run configs/ci.yaml with the merge base's
and the head's binaries, compare with Markdown and JUnit output, and keep
them. usage: check_ci_files.py ROOT"""
import os
import sys

import yaml

root = sys.argv[1]
failures = []


def need(cond, what):
    if not cond:
        failures.append(what)


def commands(steps):
    return "\n".join(s if isinstance(s, str) else s.get("run", "") for s in steps)


gh = yaml.safe_load(open(os.path.join(root, "docs/ci/github-actions.yml")))
# PyYAML reads the key "on" as True (YAML 1.1); GitHub reads it as "on".
need("pull_request" in (gh.get("on") or gh.get(True) or {}), "github: runs on pull requests")
job = gh["jobs"]["sweep"]
need(job.get("container") == "debian:bookworm", "github: Debian bookworm container")
text = commands(job["steps"])
gl = yaml.safe_load(open(os.path.join(root, "docs/ci/gitlab-ci.yml")))["faiss-sweep"]
need(gl.get("image") == "debian:bookworm", "gitlab: Debian bookworm image")
need(gl["artifacts"]["reports"]["junit"] == "compare.xml", "gitlab: JUnit report")
for name, t in (("github", text), ("gitlab", commands(gl["script"]))):
    for piece in ("scripts/deps.sh", "git merge-base", "configs/ci.yaml",
                  "faiss-sweep compare", "--markdown compare.md", "--junit compare.xml"):
        need(piece in t, f"{name}: runs '{piece}'")
need("GITHUB_STEP_SUMMARY" in text, "github: Markdown in the job summary")
need(os.path.exists(os.path.join(root, "configs/ci.yaml")), "configs/ci.yaml exists")
for f in failures:
    print("check_ci_files: missing:", f)
sys.exit(1 if failures else 0)
