#!/usr/bin/env bash
# Install everything gupbench needs on a Debian 12 machine, from Debian's
# registry only, and build libperf (the kernel's tools/lib/perf) from
# Debian's linux-source-6.1 into .deps/prefix, which the Makefile uses.
#
# Idempotent: on a ready machine it checks and returns in about a second,
# changing nothing. Needs root (apt-get) unless everything is present.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
prefix="$top/.deps/prefix"
src_tar=/usr/src/linux-source-6.1.tar.xz

# Runtime and build packages. hwloc-nox gives lstopo-no-graphics for meta;
# libbenchmark-tools ships Google Benchmark's compare.py (python3-scipy runs it).
pkgs=(
	build-essential pkg-config xz-utils
	liburing-dev libnuma-dev libhwloc-dev hwloc-nox
	libbenchmark-dev libbenchmark-tools
	libinih-dev libjansson-dev libcmocka-dev
	gnuplot-nox python3 python3-scipy
	# the figures name DejaVu Sans: the same glyphs on every headless machine
	fonts-dejavu-core
	# fio: I/O workloads whose buffers O_DIRECT pins (runners/fiojson.c reads its JSON)
	fio
	linux-source-6.1
	# gupbench vm: QEMU, a static busybox for the guest's initramfs,
	# mkfs.ext4 for the guest's scratch disk
	qemu-system-x86 busybox-static e2fsprogs
	# scripts/kbuild.sh: what a kernel build needs besides the compiler
	flex bison bc libelf-dev libssl-dev git
)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing+=("$p")
done

if ((${#missing[@]})); then
	if [ "$(id -u)" != 0 ]; then
		echo "deps: missing packages: ${missing[*]}; run as root to install them" >&2
		exit 1
	fi
	echo "deps: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	# A fresh machine has no package lists yet; update once, then install.
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# libperf: static libperf.a and the libapi.a it needs (fdarray__*), which
# `make install` does not copy. Rebuilt only when the stamp is missing.
stamp="$prefix/.libperf-6.1"
if [ ! -f "$stamp" ]; then
	[ -f "$src_tar" ] || { echo "deps: $src_tar missing (linux-source-6.1)" >&2; exit 1; }
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
	echo "deps: building libperf from $src_tar"
	tar -xJf "$src_tar" -C "$work" \
		linux-source-6.1/tools/lib/perf linux-source-6.1/tools/lib/api \
		linux-source-6.1/tools/lib/zalloc.c linux-source-6.1/tools/lib/str_error_r.c \
		linux-source-6.1/tools/build linux-source-6.1/tools/scripts \
		linux-source-6.1/tools/include linux-source-6.1/tools/arch/x86/include
	rm -rf "$prefix"
	mkdir -p "$prefix/lib"
	make -s -C "$work/linux-source-6.1/tools/lib/perf" prefix="$prefix" libdir="$prefix/lib" \
		install_lib install_headers >"$work/build.log" 2>&1 ||
		{ tail -20 "$work/build.log" >&2; exit 1; }
	cp "$work/linux-source-6.1/tools/lib/api/libapi.a" "$prefix/lib/"
	# Link statically: no rpath, no LD_LIBRARY_PATH.
	rm -f "$prefix"/lib/libperf.so*
	touch "$stamp"
fi
echo "deps: ready (libperf in $prefix)"
