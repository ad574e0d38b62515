#!/usr/bin/env bash
# The second command of the README: install, build and run the whole test
# suite with ctest; then the whole suite again under AddressSanitizer and
# UndefinedBehaviorSanitizer; then the fuzz targets' short run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$(nproc)"
(cd build && ctest --output-on-failure)

cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DFS_SANITIZE=address,undefined >/dev/null
cmake --build build-asan -j "$(nproc)"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    ctest --output-on-failure)

# The libFuzzer targets' short run (tests/fuzz/README.md): clang, ASan + UBSan.
scripts/fuzz.sh --short
