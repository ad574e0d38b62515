#!/usr/bin/env bash
# Fetch Debian's fillets-ng-data-LANG (voice-acted dialogue, Ogg Vorbis) and
# unpack it into DEST without installing it: `apt-get download` into
# DEST/deb, `dpkg -x` into DEST, and DEST/package.txt records what was used
# (Package, Version, Filename, SHA256) for the data set's README.
# Usage: scripts/fetch-speech.sh LANG DEST     (LANG: cs or nl)
# Cached: does nothing when DEST already holds the .ogg files and package.txt.
# The machine's own apt sources are used as they are; nothing is edited.
set -euo pipefail

if [ $# -ne 2 ]; then
    echo "usage: $0 LANG DEST" >&2
    exit 2
fi
lang=$1
dest=$2
pkg=fillets-ng-data-$lang
case $lang in
    cs|nl) ;;
    *) echo "fetch-speech: unknown language '$lang' (known: cs, nl)" >&2; exit 2 ;;
esac

have_oggs() {
    [ -f "$dest/package.txt" ] &&
        find "$dest/usr/share/games/fillets-ng/sound" -name '*.ogg' -print -quit 2>/dev/null | grep -q .
}
if have_oggs; then
    exit 0
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo

# Download into a folder of our own; unpack into a temp sibling and rename,
# so an interrupted run never leaves a half-unpacked DEST behind.
mkdir -p "$(dirname "$dest")"
tmp=$(mktemp -d "$dest.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/deb"
# apt drops privileges to _apt for downloads; let it write there.
chmod 755 "$tmp"
chmod 777 "$tmp/deb"

download() { (cd "$tmp/deb" && apt-get download -qq "$pkg") >/dev/null 2>"$tmp/apt.err"; }
if ! download; then
    echo "fetch-speech: apt-get download $pkg failed, updating package lists" >&2
    $sudo apt-get update -qq
    if ! download; then
        cat "$tmp/apt.err" >&2
        echo "fetch-speech: cannot download $pkg" >&2
        exit 1
    fi
fi

deb=$(find "$tmp/deb" -name "${pkg}_*.deb" -print -quit)
if [ -z "$deb" ]; then
    echo "fetch-speech: apt-get download left no ${pkg}_*.deb" >&2
    exit 1
fi
dpkg -x "$deb" "$tmp"
{
    dpkg-deb -f "$deb" Package Version
    echo "Filename: $(basename "$deb")"
    echo "SHA256: $(sha256sum "$deb" | cut -d' ' -f1)"
} > "$tmp/package.txt"
chmod 755 "$tmp/deb"
rm -f "$tmp/apt.err"

rm -rf "$dest"
mv "$tmp" "$dest"
trap - EXIT
n=$(find "$dest/usr/share/games/fillets-ng/sound" -name '*.ogg' | wc -l)
echo "fetch-speech: $pkg $(dpkg-deb -f "$dest/deb/$(basename "$deb")" Version): $n .ogg files in $dest"
