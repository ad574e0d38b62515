#!/usr/bin/env bash
# install-test.sh - faiss-sweep installed like a real tool. Configures and
# builds the faiss-sweep target from the source tree into a temporary build
# folder, installs it into a temporary prefix, REMOVES the build folder, then
# runs the installed copy from an unrelated folder: a small sweep with plots
# over generated data, `summary`, `dataset build`'s default folder
# ($XDG_CACHE_HOME/faiss-sweep, else $HOME/.cache/faiss-sweep), the error of a
# copy that has no templates beside it, and no string in the binary naming
# the source tree.
#
# usage: tests/install-test.sh SOURCE_DIR FAISS_ROOT
# Prints one line per check ("ok   ..." or "FAIL ..."); exits 1 if any failed.
set -euo pipefail

if [ $# -ne 2 ]; then
    echo "usage: $0 SOURCE_DIR FAISS_ROOT" >&2
    exit 2
fi
src=$(cd "$1" && pwd)
faiss_root=$2
work=$(mktemp -d /tmp/fs-install-XXXXXX)
trap 'rm -rf "$work"' EXIT
. "$(dirname "$0")/check.sh"

# --- build, install, remove the build folder ---
# RelWithDebInfo (the project's default) keeps debug information in the
# binary, so the check below covers the file names it records too.
build=$work/build prefix=$work/prefix
if ! cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DFAISS_ROOT="$faiss_root" -DBUILD_TESTING=OFF >"$work/configure.log" 2>&1 ||
    ! cmake --build "$build" -j2 --target faiss-sweep >"$work/build.log" 2>&1; then
    cat "$work/configure.log" "$work/build.log" >&2 2>/dev/null || true
    echo "FAIL configure and build the faiss-sweep target"
    exit 1
fi
check "the default install prefix is /usr/local" \
    grep -qx 'CMAKE_INSTALL_PREFIX:PATH=/usr/local' "$build/CMakeCache.txt"
cmake --install "$build" --prefix "$prefix" >"$work/install.log"
rm -rf "$build"
check "the build folder is gone" test ! -e "$build"

exe=$prefix/bin/faiss-sweep
share=$prefix/share/faiss-sweep
check "installed bin/faiss-sweep" test -x "$exe"
check "installed the gnuplot templates" test -f "$share/plots/recall_qps.gp" -a -f "$share/plots/common.gp"
check "installed the speech fetch script" test -f "$share/fetch-speech.sh"
check "installed the example configs" test -f "$share/configs/default.yaml"
check "installed the README" test -f "$prefix/share/doc/faiss-sweep/README.md"

# --- nothing in the binary names the source tree ---
# The installed copy carries its faiss (lib/faiss-sweep), so not even the
# RUNPATH names the tree.
check "grep -c '$src' on the binary is 0" test "$(grep -c -aF "$src" "$exe" || true)" = 0
check "installed libfaiss and libfaiss_c" \
    test -f "$prefix/lib/faiss-sweep/libfaiss.so" -a -f "$prefix/lib/faiss-sweep/libfaiss_c.so"

# --- a small sweep with plots, from an unrelated folder ---
mkdir -p "$work/data" "$work/elsewhere"
awk 'BEGIN { srand(7); for (i = 0; i < 2000; i++) { s = "";
             for (j = 0; j < 16; j++) s = s (j ? "\t" : "") sprintf("%.5f", rand());
             print s } }' >"$work/data/base.tsv"
cat >"$work/data/tiny.yaml" <<EOF
name: tiny
dataset: {format: tsv, base: base.tsv, holdout: 100}
k: [1, 10]
metrics: [l2]
indexes:
  - factory: Flat
  - factory: "IVF{nlist},Flat"
    nlist: [16]
search: {nprobe: [1, 4, 16]}
measure: {repeats: 1, warmup: 0, min_time: 0.001, latency_queries: 10}
output_dir: $work/results
EOF
cd "$work/elsewhere"
check "the installed binary runs a sweep with plots" \
    env -u FS_PLOTS_DIR "$exe" run "$work/data/tiny.yaml" --quiet >"$work/run.log"
h5=$(ls "$work"/results/tiny-*.h5 2>/dev/null | head -1)
check "one results file results/tiny-<time>.h5" test -n "$h5" -a -f "$h5"
pngs=$(ls "$work"/results/tiny-*.png 2>/dev/null | wc -l)
check "PNG plots beside it ($pngs)" test "$pngs" -ge 4
check "summary: Flat reaches recall 1" \
    bash -c '"$1" summary "$2" | grep -qE "^Flat +0\.90 .* 1\.0000 "' _ "$exe" "${h5:-none}"

# --- dataset build's default folder ---
mkdir -p "$work/xdg/faiss-sweep/speech-cs" "$work/home/.cache/faiss-sweep/speech-nl"
touch "$work/xdg/faiss-sweep/speech-cs/.complete" "$work/home/.cache/faiss-sweep/speech-nl/.complete"
out=$(XDG_CACHE_HOME=$work/xdg "$exe" dataset build speech-cs 2>&1) || true
check "dataset build uses \$XDG_CACHE_HOME/faiss-sweep ($out)" \
    test "$out" = "speech-cs: already built in $work/xdg/faiss-sweep/speech-cs"
out=$(env -u XDG_CACHE_HOME HOME="$work/home" "$exe" dataset build speech-nl 2>&1) || true
check "dataset build falls back to \$HOME/.cache/faiss-sweep ($out)" \
    test "$out" = "speech-nl: already built in $work/home/.cache/faiss-sweep/speech-nl"
check "the usage names the default folder" \
    bash -c '"$1" --help | grep -qF "\$XDG_CACHE_HOME/faiss-sweep, else \$HOME/.cache/faiss-sweep"' _ "$exe"

# --- a copy with its libraries but no share/: one clear error line ---
mkdir -p "$work/lonely/bin"
cp "$exe" "$work/lonely/bin/faiss-sweep"
cp -r "$prefix/lib" "$work/lonely/lib"
rc=0
out=$(env -u FS_PLOTS_DIR "$work/lonely/bin/faiss-sweep" plot "${h5:-none}" -o "$work/lonely" 2>&1) || rc=$?
check "a copy without templates fails with one line ($out)" \
    test "$rc" = 1 -a "$(printf '%s\n' "$out" | wc -l)" = 1
check "the line says what is missing and where it looked" \
    bash -c '[[ $1 == *"cannot find the gnuplot templates"*"$2/share/faiss-sweep/plots"*FS_PLOTS_DIR* ]]' \
    _ "$out" "$work/lonely/bin"
check "FS_PLOTS_DIR points the copy at templates" \
    env FS_PLOTS_DIR="$share/plots" "$work/lonely/bin/faiss-sweep" plot "${h5:-none}" -o "$work/lonely"

check_end install
