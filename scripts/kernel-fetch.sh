#!/usr/bin/env bash
# Fetch a packaged Debian kernel for `gupbench vm --kernel debian:VERSION`.
#
#   scripts/kernel-fetch.sh [--cache DIR] [--list] VERSION
#
# VERSION picks a linux-image-*-cloud-amd64 package from the apt lists:
#   6.1          the newest 6.1.0-NN        6.1.0-50   exactly that ABI
#   6.12         the newest 6.12.N+debNN    6.12.107   exactly that release
# The cloud flavour boots under QEMU with no modules: the serial console,
# devtmpfs and initrd support are built in.
#
# The package is downloaded with `apt-get download` (not installed) and
# unpacked into $CACHE/kernels/PACKAGE/{vmlinuz,config,package}, reused on
# the next call. The last line of stdout is the vmlinuz path; `--list`
# prints the matching package names instead, oldest first.
set -euo pipefail

cache=${GUPBENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gupbench}
list=0
while (($#)); do
	case $1 in
	--cache) cache=$2; shift 2 ;;
	--list) list=1; shift ;;
	-h | --help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "kernel-fetch: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# = 1 ] || { echo "usage: kernel-fetch.sh [--cache DIR] [--list] VERSION" >&2; exit 2; }
want=$1
case $want in
*[!0-9.+a-z-]* | "") echo "kernel-fetch: \"$want\" is not a kernel version" >&2; exit 2 ;;
esac

# Real images only: the ABI-named packages (6.1.0-NN, 6.12.N+debNN), not
# the meta-package linux-image-6.12-cloud-amd64, not -unsigned or -dbg.
candidates() {
	apt-cache pkgnames linux-image- 2>/dev/null |
		sed -n 's/^linux-image-\([0-9][0-9.]*\(-[0-9][0-9]*\|+deb[0-9]*\)\)-cloud-amd64$/\1/p' |
		while read -r v; do
			case $v in
			"$want" | "$want".* | "$want"-* | "$want"+*) echo "$v" ;;
			esac
		done | sort -V
}

found=$(candidates)
if [ -z "$found" ] && [ "$(id -u)" = 0 ]; then
	# a fresh machine may not have read the package lists yet
	echo "kernel-fetch: no package for $want in the apt lists; apt-get update" >&2
	apt-get update -qq >&2 || true
	found=$(candidates)
fi
[ -n "$found" ] || {
	echo "kernel-fetch: no linux-image-$want*-cloud-amd64 package in the apt lists" >&2
	exit 1
}
if ((list)); then
	sed 's/.*/linux-image-&-cloud-amd64/' <<<"$found"
	exit 0
fi

ver=$(tail -1 <<<"$found")
pkg=linux-image-$ver-cloud-amd64
dir=$cache/kernels/$pkg
if [ -s "$dir/vmlinuz" ] && [ -s "$dir/package" ]; then
	echo "kernel-fetch: $pkg (cached in $dir)" >&2
	echo "$dir/vmlinuz"
	exit 0
fi

mkdir -p "$cache/kernels"
work=$(mktemp -d "$cache/kernels/.fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "kernel-fetch: downloading $pkg" >&2
# apt-get download writes into the current directory; as root it warns that
# the download is unsandboxed, which is expected here.
(cd "$work" && apt-get download -qq "$pkg" 2>&1 | grep -v -i 'unsandboxed' >&2 || true)
deb=$(ls "$work"/*.deb 2>/dev/null | head -1)
[ -n "$deb" ] || { echo "kernel-fetch: apt-get download $pkg failed" >&2; exit 1; }
dpkg-deb -x "$deb" "$work/x"
img=$(ls "$work"/x/boot/vmlinuz-* 2>/dev/null | head -1)
cfg=$(ls "$work"/x/boot/config-* 2>/dev/null | head -1)
[ -n "$img" ] || { echo "kernel-fetch: $deb has no boot/vmlinuz-*" >&2; exit 1; }
mkdir -p "$work/out"
mv "$img" "$work/out/vmlinuz"
[ -z "$cfg" ] || mv "$cfg" "$work/out/config"
# "PACKAGE VERSION", for the run's meta
dpkg-deb -f "$deb" Package Version | sed 's/^[A-Za-z]*: //' | paste -sd' ' >"$work/out/package"
rm -rf "$dir"
mv "$work/out" "$dir"
echo "$dir/vmlinuz"
