#!/usr/bin/env bash
# Build faiss 1.7.3 (Debian's source package) with its C API into a project-local
# prefix, once. Debian's libfaiss-dev has no libfaiss_c and no AVX2 (see README).
# Usage: scripts/build-faiss.sh [--generic] [PREFIX]   (default: .deps/faiss)
#   --generic: no AVX2 even where the CPU has it, as Debian builds its own
#   libfaiss packages (bookworm's and trixie's alike): for A/B comparisons,
#   e.g. scripts/build-faiss.sh --generic .deps/faiss-generic
# Sources come from the machine's own apt configuration: the deb-src lines are
# derived from its deb entries and kept in a private apt state folder, so the
# system's apt configuration is not changed.
# The installed libraries find each other in PREFIX/lib ($ORIGIN): none names
# the source or build folders, which can be deleted. Run again on a prefix
# that is already built, the script only repairs those runpaths (patchelf).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
force_generic=0
if [ "${1:-}" = --generic ]; then
    force_generic=1
    shift
fi
prefix=${1:-$root/.deps/faiss}
work=$root/.deps/faiss-src
stamp=$prefix/.faiss-sweep-built

# libfaiss_c.so is copied from the build folder, whose RUNPATH names the
# folder libfaiss.so was built in: point it at its own folder instead, and
# drop any runpath of the other libraries that leads out of the prefix.
fix_runpaths() {
    local lib rp
    if ! command -v patchelf >/dev/null; then
        echo "faiss: patchelf not found, needed to fix the runpaths in $1/lib (apt-get install patchelf)" >&2
        return 1
    fi
    for lib in "$1"/lib/libfaiss*.so*; do
        [ -f "$lib" ] && [ ! -L "$lib" ] || continue
        rp=$(patchelf --print-rpath "$lib")
        case "$(basename "$lib")" in
            libfaiss_c.so*) [ "$rp" = '$ORIGIN' ] || patchelf --set-rpath '$ORIGIN' "$lib" ;;
            *) [ -z "$rp" ] || [ "$rp" = '$ORIGIN' ] || patchelf --remove-rpath "$lib" ;;
        esac
    done
}

if [ -f "$stamp" ]; then
    fix_runpaths "$prefix"
    echo "faiss: already built in $prefix ($(cat "$stamp"))"
    exit 0
fi

mkdir -p "$work/apt/lists/partial" "$work/apt/cache/archives/partial"
srclist=$work/apt/sources.list
: > "$srclist"

# One-line format: "deb [opts] URI suite comp..."
if [ -f /etc/apt/sources.list ]; then
    sed -n 's/^[[:space:]]*deb[[:space:]]\+/deb-src /p' /etc/apt/sources.list >> "$srclist"
fi
for f in /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    sed -n 's/^[[:space:]]*deb[[:space:]]\+/deb-src /p' "$f" >> "$srclist"
done
# deb822 format: stanzas with Types/URIs/Suites/Components/Signed-By.
for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk '
        function flush() {
            if (types ~ /(^|[[:space:]])deb([[:space:]]|$)/ && uris != "" && enabled != "no") {
                n = split(uris, u, /[[:space:]]+/); m = split(suites, s, /[[:space:]]+/)
                opt = signed != "" ? "[signed-by=" signed "] " : ""
                for (i = 1; i <= n; i++) for (j = 1; j <= m; j++)
                    if (u[i] != "" && s[j] != "") print "deb-src " opt u[i] " " s[j] " " comps
            }
            types = uris = suites = comps = signed = enabled = ""
        }
        /^[[:space:]]*#/ { next }
        /^[[:space:]]*$/ { flush(); next }
        { key = tolower($1); sub(/:$/, "", key); $1 = ""; sub(/^[[:space:]]+/, "")
          if (key == "types") types = $0; else if (key == "uris") uris = $0
          else if (key == "suites") suites = $0; else if (key == "components") comps = $0
          else if (key == "signed-by") signed = $0; else if (key == "enabled") enabled = tolower($0) }
        END { flush() }' "$f" >> "$srclist"
done
if [ ! -s "$srclist" ]; then
    echo "faiss: no deb entries found in the machine's apt configuration" >&2
    exit 1
fi

apt_opts=(-o "Dir::Etc::SourceList=$srclist" -o "Dir::Etc::SourceParts=/nonexistent"
          -o "Dir::State::Lists=$work/apt/lists" -o "Dir::Cache=$work/apt/cache"
          -o "APT::Sandbox::User=root")
if ! ls "$work"/faiss_1.7.3*.dsc >/dev/null 2>&1; then
    echo "faiss: fetching Debian source package"
    apt-get "${apt_opts[@]}" -qq update
    (cd "$work" && apt-get "${apt_opts[@]}" -qq source --download-only faiss=1.7.3-2)
fi

src=$work/faiss-1.7.3
if [ ! -d "$src" ]; then
    (cd "$work" && dpkg-source --no-check -x faiss_1.7.3*.dsc faiss-1.7.3 >/dev/null)
fi

# SIMD flags: build the AVX2 variant when this CPU can run it, like pip's wheels.
simd=generic
cxxflags=""
if [ "$force_generic" = 0 ] && grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo && grep -qw f16c /proc/cpuinfo; then
    simd=avx2
    cxxflags="-mavx2 -mfma -mf16c -mpopcnt"
fi

build=$work/build-$simd
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release \
    -DFAISS_ENABLE_C_API=ON -DFAISS_ENABLE_PYTHON=OFF -DFAISS_ENABLE_GPU=OFF \
    -DBUILD_TESTING=OFF -DBUILD_SHARED_LIBS=ON -DFAISS_OPT_LEVEL=generic \
    -DCMAKE_CXX_FLAGS="$cxxflags" -DCMAKE_INSTALL_PREFIX="$prefix" >/dev/null
cmake --build "$build" --target faiss faiss_c -j "$(nproc)"

# 1.7.3's install rule leaves out libfaiss_c and the C API headers: copy them.
cmake --install "$build" >/dev/null
mkdir -p "$prefix/lib" "$prefix/include/faiss/c_api"
cp -a "$build"/c_api/libfaiss_c.so* "$prefix/lib/"
(cd "$src/c_api" && find . -name '*.h' -exec cp --parents {} "$prefix/include/faiss/c_api/" \;)
fix_runpaths "$prefix"
echo "1.7.3 simd=$simd flags=$cxxflags" > "$stamp"
echo "faiss: built in $prefix ($simd)"
