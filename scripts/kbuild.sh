#!/usr/bin/env bash
# Build a small x86_64 kernel for gupbench's QEMU guests.
#
#   scripts/kbuild.sh [-j N] [--cache DIR] SRC
#
# SRC is a kernel git checkout (whatever is checked out is built, as
# `git bisect` leaves it), a plain kernel source directory, or the word
# linux-source-X.Y, Debian's source package of that series (6.1, 6.12,
# 7.2, 7.3: the installed /usr/src tarball if there is one, else fetched
# by scripts/kernels.sh source from any suite), unpacked once into
# $CACHE/src.
# The config is tinyconfig plus configs/kernel/gupbench.config: everything
# built in, no modules, so the image boots with just an initramfs.
#
# The image and its config end up side by side as bzImage and config in
# $CACHE/kbuild/ID, ID naming the source revision and the fragment, reused
# while neither changes. The objects are built out of tree: in that same
# directory, or for a git tree in one directory per tree and fragment
# ($CACHE/kbuild/tree-*), so that the next revision only rebuilds what
# changed (a bisect step: the changed files and a relink).
# The last (only) line of stdout is the bzImage path; progress goes to
# stderr, the build's output to build.log in the build directory.
# CACHE is --cache, else $GUPBENCH_CACHE, else ~/.cache/gupbench.
#
# Any failure exits non-zero, so a bisect run can treat it as "skip".
set -euo pipefail
# With CDPATH set, `cd` prints the directory and $(cd ... && pwd) gets two lines.
unset CDPATH

top=$(cd "$(dirname "$0")/.." && pwd)
fragment="$top/configs/kernel/gupbench.config"
deb_pkg=
deb_tar=

# Keep stdout for the final path alone: a caller does `img=$(kbuild.sh ...)`,
# so anything a helper prints by accident must not land there.
exec 3>&1 1>&2

log() { echo "kbuild: $*"; }
die() { echo "kbuild: $*"; exit 1; }
usage() {
	echo "usage: kbuild.sh [-j N] [--cache DIR] SRC (a kernel tree, or linux-source-X.Y)"
	exit 2
}

jobs=$(nproc)
cache=${GUPBENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gupbench}
while (($#)); do
	case $1 in
	-j) (($# >= 2)) || usage; jobs=$2; shift 2 ;;
	-j*) jobs=${1#-j}; shift ;;
	--cache) (($# >= 2)) || usage; cache=$2; shift 2 ;;
	--cache=*) cache=${1#--cache=}; shift ;;
	-h | --help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//' >&3; exit 0 ;;
	--) shift; break ;;
	-*) echo "kbuild: unknown option $1"; usage ;;
	*) break ;;
	esac
done
(($# == 1)) || usage
src_arg=$1
[[ $jobs =~ ^[1-9][0-9]*$ ]] || die "-j wants a positive number, not \"$jobs\""
[ -f "$fragment" ] || die "config fragment $fragment missing"

mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
# Kbuild passes O= through make variables and paths: a space or colon in
# it breaks the build far from here, with an obscure error.
case $cache in
*[[:space:]:]*) die "cache path \"$cache\" contains a space or colon, which kbuild cannot use" ;;
esac

# A short hash of the fragment's content: editing it must give a new build
# directory, never a reused image built with the old options.
cfghash=$(sha256sum "$fragment" | cut -c1-12)

# Only characters that are safe in a make variable and a file name.
sanitize() { printf '%s' "$1" | tr -c 'A-Za-z0-9._+-' '_'; }

# Unpack Debian's tarball once. Into a temporary name first, renamed when
# complete: an extraction killed halfway must never be taken for a tree.
unpack_debian_source() {
	local dest=$1 tmp
	[ -d "$dest" ] && return 0
	[ -f "$deb_tar" ] || die "$deb_tar missing: apt-get install $deb_pkg"
	mkdir -p "$(dirname "$dest")"
	tmp=$(mktemp -d "$(dirname "$dest")/.unpack.XXXXXX")
	# A 1.5 GB half-tree is not worth keeping: remove it on any exit,
	# Ctrl-C included (bash runs no EXIT trap on a signal it dies of).
	# shellcheck disable=SC2064 # expand $tmp now: it is local
	trap "rm -rf '$tmp'" EXIT
	trap 'exit 130' INT TERM
	log "unpacking $deb_tar (once)"
	tar -xJf "$deb_tar" -C "$tmp"
	[ -f "$tmp/$deb_pkg/Makefile" ] || die "$deb_tar has no $deb_pkg/Makefile"
	# Another kbuild.sh may have won the race: then keep its tree.
	mv -T "$tmp/$deb_pkg" "$dest" 2>/dev/null || [ -d "$dest" ] ||
		die "cannot move the unpacked tree to $dest"
	rm -rf "$tmp"
	trap - EXIT INT TERM
}

# Resolve SRC to a tree and an ID that changes whenever the built source does.
if [[ $src_arg =~ ^linux-source-([0-9]+\.[0-9]+)$ ]]; then
	deb_pkg=$src_arg
	series=${BASH_REMATCH[1]}
	deb_tar=/usr/src/$deb_pkg.tar.xz
	if [ -f "$deb_tar" ] && pkgver=$(dpkg-query -W -f='${Version}' "$deb_pkg" 2>/dev/null) &&
		[ -n "$pkgver" ]; then
		log "$deb_pkg $pkgver (installed)"
	else
		# from gupbench's own package lists: every suite, no system change
		deb_tar=$("$top/scripts/kernels.sh" --cache "$cache" source "$series") ||
			die "cannot get $deb_pkg (scripts/kernels.sh source $series)"
		pkgver=$(cat "$deb_tar.version" 2>/dev/null) || pkgver=unknown
	fi
	base=$(sanitize "$deb_pkg-$pkgver")
	src="$cache/src/$base"
	unpack_debian_source "$src"
	id="$base-$cfghash"
else
	[ -d "$src_arg" ] || die "$src_arg: no such directory (want a kernel tree or linux-source-X.Y)"
	src=$(cd "$src_arg" && pwd)
	if [ ! -f "$src/Makefile" ] || [ ! -f "$src/Kconfig" ] || [ ! -d "$src/arch/x86" ]; then
		die "$src does not look like a Linux source tree (no Makefile, Kconfig, arch/x86)"
	fi
	if [ -e "$src/.git" ]; then
		# A git tree is never keyed by path: bisect steps share the path and
		# mostly the Makefile's mtime too, so only the commit tells them apart.
		# If git refuses the tree (e.g. "dubious ownership"), stop rather than
		# guess.
		sha=$(git -C "$src" rev-parse --verify HEAD) ||
			die "git cannot read $src (see above); cannot tell which revision to build"
		id=$sha
		# Uncommitted changes to tracked files are part of what gets built.
		# Untracked files are not looked at: in a kernel tree they are
		# almost always leftovers no Makefile picks up.
		if ! git -C "$src" diff --quiet HEAD --; then
			diffhash=$(git -C "$src" diff --no-ext-diff --binary HEAD -- | sha256sum | cut -c1-12)
			id="$id-dirty-$diffhash"
		fi
		id="$id-$cfghash"
	else
		# No revision to go by: the path plus the top Makefile's mtime (it
		# changes with every release and whenever the tree is replaced).
		mtime=$(stat -c %Y "$src/Makefile")
		pathhash=$(printf '%s\n%s\n' "$src" "$mtime" | sha256sum | cut -c1-12)
		id="$(sanitize "$(basename "$src")")-$pathhash-$cfghash"
	fi
	case $src in
	*[[:space:]:]*) die "source path \"$src\" contains a space or colon, which kbuild cannot use" ;;
	esac
fi

b="$cache/kbuild/$id"
stamp="$b/kbuild.stamp"

built() {
	[ -f "$b/bzImage" ] && [ -f "$b/config" ] && [ -f "$stamp" ] &&
		[ "$(cat "$stamp")" = "$id" ]
}

if built; then
	log "reusing $b"
	echo "$b/bzImage" >&3
	exit 0
fi

# Two builds of one ID at once (a bisect and a hand-run call) would write
# the same tree; the second waits, then finds the first one's image.
mkdir -p "$b"
exec 9>"$b.lock"
if ! flock -n 9; then
	log "waiting for another build of $id"
	flock 9
fi
if built; then
	log "reusing $b"
	echo "$b/bzImage" >&3
	exit 0
fi

# Kbuild's own check of the same files only says "source tree is not
# clean", after the configure steps; say what to do about it, up front.
if [ -e "$src/.config" ] || [ -d "$src/include/config" ] ||
	[ -d "$src/arch/x86/include/generated" ]; then
	die "$src has been configured or built in place (e.g. $src/.config exists), and make O= refuses such a tree: run 'make -C $src mrproper' or use a clean checkout"
fi

# Objects. A git tree's revisions share one object directory, so a bisect
# step recompiles what the checkout changed (git gives each file it rewrites
# a new mtime) and relinks, kbuild's own tracking deciding what is stale.
# (Copying a finished build to a new path does not work: kbuild records
# absolute paths, objtool's among them, in every command line, and rebuilds
# everything.) Each revision's image and config are kept apart in $b.
o=$b
if [ -n "${sha:-}" ]; then
	o="$cache/kbuild/tree-$(printf '%s' "$src" | sha256sum | cut -c1-12)-$cfghash"
	mkdir -p "$o"
	exec 8>"$o.lock"
	if ! flock -n 8; then
		log "waiting for another build in $o"
		flock 8
	fi
	echo "$src" >"$o/kbuild.src"
fi

# From here the directory's contents are in flux: no stamp until done.
rm -f "$stamp" "$b/bzImage" "$b/config"
buildlog="$b/build.log"
: >"$buildlog"

# ARCH=x86_64 pins a 64-bit kernel whatever the host's uname says; the
# same ARCH for every step, or Kconfig recomputes the config differently.
kmake() { make -C "$src" O="$o" ARCH=x86_64 "$@"; }

fail() {
	log "$1 failed; last 30 lines of $buildlog:"
	tail -n 30 "$buildlog"
	exit 1
}

if [ -f "$o/.config" ] && [ -f "$o/kbuild.configured" ]; then
	# Configured before, from the same fragment (its hash names $o).
	# Configuring again would rewrite include/generated/autoconf.h, on which
	# every object depends: a full rebuild. make's own syncconfig still
	# updates the config if this revision changed a Kconfig file.
	log "building in $o (configured earlier; make redoes what changed)"
else
	log "configuring $id (tinyconfig + ${fragment#"$top"/})"
	kmake tinyconfig >>"$buildlog" 2>&1 || fail "make tinyconfig"
	# merge_config.sh makes its temporary files in the current directory, so
	# run it inside the build directory, never in the (maybe read-only) source.
	(cd "$o" && sh "$src/scripts/kconfig/merge_config.sh" -m -O "$o" "$o/.config" "$fragment") \
		>>"$buildlog" 2>&1 || fail "merge_config.sh"
	kmake olddefconfig >>"$buildlog" 2>&1 || fail "make olddefconfig"
	rm -f "$o/kbuild.configured"
fi

# olddefconfig silently drops an option whose dependencies are unmet (or
# that this kernel version does not have). A guest missing one would fail
# much later and less clearly, so check every line of the fragment now.
# Is config NAME declared anywhere in the tree's Kconfig files?
defined() {
	grep -rqE --include='Kconfig*' "^[[:space:]]*(menu)?config[[:space:]]+$1[[:space:]]*$" "$src"
}
bad=()
while IFS= read -r line; do
	case $line in
	CONFIG_*=*)
		name=${line%%=*}
		if ! grep -qxF -- "$line" "$o/.config"; then
			got=$(grep -E "^($name=|# $name is not set)" "$o/.config" || true)
			if [ -z "$got" ] && ! defined "${name#CONFIG_}"; then
				# options come and go between versions (BASE_FULL, SLOB):
				# one this tree does not have at all is not a lost one
				log "$line: no such option in this kernel version, left out"
				continue
			fi
			bad+=("$line (.config has: ${got:-nothing: unmet dependency})")
		fi
		;;
	"# CONFIG_"*" is not set")
		name=${line#"# "}
		name=${name%" is not set"}
		if got=$(grep -E "^$name=[ym]$" "$o/.config"); then
			bad+=("$line (.config has: $got)")
		fi
		;;
	esac
done <"$fragment"
if ((${#bad[@]})); then
	log "the config lost options of ${fragment#"$top"/} (unmet dependencies?):"
	printf '  %s\n' "${bad[@]}"
	exit 1
fi

touch "$o/kbuild.configured"
log "building bzImage with -j $jobs (log: $buildlog)"
kmake -j "$jobs" bzImage >>"$buildlog" 2>&1 || fail "make bzImage"

# Copy, then rename: a reader never sees half an image. The stamp comes
# last, so an interrupted run is rebuilt rather than reused.
cp "$o/arch/x86/boot/bzImage" "$b/bzImage.tmp"
mv -f "$b/bzImage.tmp" "$b/bzImage"
cp "$o/.config" "$b/config.tmp"
mv -f "$b/config.tmp" "$b/config"
echo "$id" >"$stamp"

log "built $b/bzImage ($(stat -c %s "$b/bzImage") bytes)"
echo "$b/bzImage" >&3
