#!/usr/bin/env bash
# faiss-runpath-test.sh - the faiss that scripts/build-faiss.sh installs does
# not need the folders it was built in (issue 13, item 17). Copies the
# installed prefix (FAISS_ROOT) to a temporary folder and runs build-faiss.sh
# on the copy, as re-running scripts/deps.sh would (a built prefix only has
# its runpaths repaired: no faiss build). Then:
#   - readelf -d: no library of the copy has a RUNPATH/RPATH other than
#     $ORIGIN (libfaiss_c.so used to name .deps/faiss-src/build-*/faiss);
#   - a copy of faiss-sweep relinked to the copy (patchelf, RUNPATH
#     $ORIGIN/../faiss/lib instead of FAISS_ROOT/lib), and a small C program
#     linked with -lfaiss_c alone (so that libfaiss.so is found through
#     libfaiss_c.so's own runpath), both run with the build folders and
#     FAISS_ROOT hidden from the loader (tmpfs mounted over them in a private
#     mount namespace: unshare, as root), and ldd names only the copy.
# Without unshare (not root) the folders are not hidden, which the output
# says; ldd still names any library loaded from outside the copy.
#
# usage: tests/faiss-runpath-test.sh SOURCE_DIR FAISS_ROOT FAISS_SWEEP CC
# Prints one line per check ("ok   ..." or "FAIL ..."); exits 1 if any failed,
# 77 (skipped) when FAISS_ROOT was not made by build-faiss.sh.
set -euo pipefail

if [ $# -ne 4 ]; then
    echo "usage: $0 SOURCE_DIR FAISS_ROOT FAISS_SWEEP CC" >&2
    exit 2
fi
src=$(cd "$1" && pwd)
faiss_root=$(cd "$2" && pwd)
binary=$3
cc=$4
if [ ! -f "$faiss_root/.faiss-sweep-built" ]; then
    echo "skip: '$faiss_root' was not installed by scripts/build-faiss.sh"
    exit 77
fi
for tool in patchelf readelf ldd; do
    command -v "$tool" >/dev/null || { echo "FAIL $tool not found (scripts/deps.sh installs it)"; exit 1; }
done
work=$(mktemp -d /tmp/fs-runpath-XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
. "$(dirname "$0")/check.sh"

# The folders the loader must not need: FAISS_ROOT, and every folder that a
# runpath of the original libraries names outside it (faiss's build folder).
hide=("$faiss_root")
for lib in "$faiss_root"/lib/libfaiss*.so*; do
    [ -f "$lib" ] && [ ! -L "$lib" ] || continue
    IFS=: read -r -a dirs <<<"$(patchelf --print-rpath "$lib")"
    for d in "${dirs[@]}"; do
        case "$d" in '' | '$ORIGIN'* | "$faiss_root" | "$faiss_root"/*) ;; *) [ -d "$d" ] && hide+=("$d") ;; esac
    done
done

# --- the copy, repaired by build-faiss.sh ---
cp -a "$faiss_root" "$work/faiss"
check "build-faiss.sh on the installed copy builds nothing" \
    bash -c '"$1/scripts/build-faiss.sh" "$2" | grep -q "already built"' _ "$src" "$work/faiss"
only_origin() { # the dynamic section of $1 has no runpath but $ORIGIN
    ! readelf -d "$1" | grep -E '\((RUNPATH|RPATH)\)' | grep -vF '[$ORIGIN]' | grep -q .
}
for lib in "$work"/faiss/lib/libfaiss*.so; do
    check "readelf -d $(basename "$lib"): no runpath but \$ORIGIN" only_origin "$lib"
done

# --- programs that use the copy ---
mkdir -p "$work/bin"
cp "$binary" "$work/bin/faiss-sweep"
old_rp=$(patchelf --print-rpath "$binary")
new_rp='$ORIGIN/../faiss/lib'
IFS=: read -r -a dirs <<<"$old_rp"
for d in "${dirs[@]}"; do
    [ -n "$d" ] && [ "$d" != "$faiss_root/lib" ] && new_rp="$new_rp:$d"
done
patchelf --set-rpath "$new_rp" "$work/bin/faiss-sweep"
cat >"$work/probe.c" <<'EOF'
#include <stdio.h>
#include <faiss/c_api/Index_c.h>
#include <faiss/c_api/index_factory_c.h>
int main(void)
{
    FaissIndex *idx = NULL;
    float x[16] = { 0 };
    if (faiss_index_factory(&idx, 8, "Flat", METRIC_L2) || faiss_Index_add(idx, 2, x))
        return 1;
    printf("ntotal %ld\n", (long)faiss_Index_ntotal(idx));
    faiss_Index_free(idx);
    return 0;
}
EOF
check "a program linked with -lfaiss_c alone builds" \
    "$cc" -o "$work/bin/probe" "$work/probe.c" -I"$work/faiss/include" -L"$work/faiss/lib" \
    -Wl,--as-needed -lfaiss_c -Wl,-rpath,'$ORIGIN/../faiss/lib'

# --- run them with the build folders hidden ---
cat >"$work/hidden.sh" <<'EOF'
# hidden.sh WORK DIR...: mount an empty tmpfs over each DIR (private mount
# namespace), then run and ldd the two programs.
work=$1
shift
for d in "$@"; do mount -t tmpfs -o ro,size=1k none "$d" || exit 3; done
for d in "$@"; do [ -z "$(ls -A "$d")" ] || exit 3; done
"$work/bin/faiss-sweep" --version >"$work/version.txt" 2>&1 && echo version-ok
"$work/bin/probe" >"$work/probe.txt" 2>&1 && echo probe-ok
ldd "$work/bin/faiss-sweep" "$work/bin/probe" >"$work/ldd.txt" 2>&1
exit 0
EOF
hidden=no
if unshare -m --propagation private true 2>/dev/null; then
    out=$(unshare -m --propagation private bash "$work/hidden.sh" "$work" "${hide[@]}") && hidden=yes
fi
if [ "$hidden" = no ]; then
    echo "note: cannot hide ${hide[*]} from the loader (unshare needs root): checking ldd only"
    out=$(bash -c '"$1/bin/faiss-sweep" --version >"$1/version.txt" 2>&1 && echo version-ok
                   "$1/bin/probe" >"$1/probe.txt" 2>&1 && echo probe-ok
                   ldd "$1/bin/faiss-sweep" "$1/bin/probe" >"$1/ldd.txt" 2>&1; true' _ "$work")
else
    echo "note: hidden from the loader: ${hide[*]}"
fi
check "faiss-sweep --version runs ($(head -2 "$work/version.txt" | tr '\n' ' '))" \
    grep -qx version-ok <<<"$(grep version-ok <<<"$out" || true)"
check "the -lfaiss_c program runs ($(head -1 "$work/probe.txt"))" \
    grep -qx probe-ok <<<"$(grep probe-ok <<<"$out" || true)"
check "ldd: no library not found" bash -c '! grep -q "not found" "$1"' _ "$work/ldd.txt"
check "ldd: every libfaiss is the copy's" \
    bash -c 'n=$(grep -c "libfaiss" "$1"); m=$(grep -cE "libfaiss.* => $2/(bin/\.\./)?faiss/lib/" "$1")
             [ "$n" -ge 3 ] && [ "$n" = "$m" ]' _ "$work/ldd.txt" "$work"
check "ldd names no build folder" bash -c '! grep -qE "/build[^/ ]*/" "$1"' _ "$work/ldd.txt"

check_end faiss-runpath
