#!/usr/bin/env bash
# The first command of the README: install, build, and run the default sweep
# (configs/default.yaml, Fashion-MNIST) writing results/*.h5 and plots.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
# The build folder mirrors an install: build/faiss-sweep finds its gnuplot
# templates in build/share/faiss-sweep/plots (cmake --install puts them in
# <prefix>/share/faiss-sweep/plots beside <prefix>/bin/faiss-sweep).
cmake --build build -j "$(nproc)" --target faiss-sweep
build/faiss-sweep --version
build/faiss-sweep run "${1:-configs/default.yaml}"
