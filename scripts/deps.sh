#!/usr/bin/env bash
# Install what faiss-sweep needs from Debian's packages (skipped when all are
# present), then build faiss 1.7.3 with its C API once (scripts/build-faiss.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

pkgs=(cmake g++ make pkg-config dpkg-dev libopenblas-dev libhdf5-dev libyaml-dev
      zlib1g-dev libsndfile1-dev libsamplerate0-dev libcmocka-dev gnuplot-nox dataset-fashion-mnist python3-h5py python3-numpy python3-yaml patchelf
      clang libclang-rt-dev strace slurm-wlm munge parallel)
# clang + libclang-rt-dev (compiler-rt: libFuzzer, ASan, UBSan; only a
# Recommends of clang, so named here) build tests/fuzz/ (scripts/fuzz.sh).
# strace holds a rename back in tests/resume_kill.py when a write is too
# quick to kill by polling.
# slurm-wlm (slurmctld, slurmd, sbatch...), munge and parallel (GNU parallel)
# are the scale-out engines of scripts/slurm-sweep.sh and docs/scale-out.md;
# tests/slurm-test.sh starts a private Slurm of its own (their packages'
# services are not used).

missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    echo "deps: installing ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

"$root/scripts/build-faiss.sh"
