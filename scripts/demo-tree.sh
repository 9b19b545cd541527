#!/usr/bin/env bash
# Make the kernel git tree of the README's bisection demo.
#
#   scripts/demo-tree.sh [--nops N] DIR
#
# DIR becomes a git tree of Debian's linux-source-6.1 with five commits on
# top of it. Exactly one of them, the third ("mm/gup: ..."), changes what the
# pin fast path executes: N (default 6) no-op instructions per 4 KiB page in
# gup_pte_range(). Under gupbench's instruction clock (1 virtual ns per guest
# instruction) gup_test's pin_user_pages_fast() of a 4 KiB-page buffer,
# with its unpin, costs about 296 instructions a page on 6.1 and vmsplice's
# get_user_pages_fast() about 190, so 6 is a change of 2% and 3%. PMD-mapped
# buffers do not go through gup_pte_range() and must not move, nor must the
# slow path. The other commits change documentation, a comment in mm/gup.c
# (recompiled, no line moves) and a boot message.
#
# The regression is synthetic on purpose: the point is a change of known size
# and place, for checking that `gupbench bisect` finds it and nothing else.
# The last line of stdout is "good=SHA bad=SHA". Needs linux-source-6.1.
set -euo pipefail
unset CDPATH

top=$(cd "$(dirname "$0")/.." && pwd)
nops=6
usage() { echo "usage: demo-tree.sh [--nops N] DIR" >&2; exit 2; }
while (($#)); do
	case $1 in
	--nops) (($# >= 2)) || usage; nops=$2; shift 2 ;;
	-h | --help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) usage ;;
	*) break ;;
	esac
done
(($# == 1)) || usage
dir=$1
[[ $nops =~ ^[1-9][0-9]{0,2}$ ]] || { echo "demo-tree: --nops wants 1..999, not \"$nops\"" >&2; exit 2; }
[ -e "$dir" ] && { echo "demo-tree: $dir exists; give a new directory" >&2; exit 2; }

# Unpacked once by kbuild.sh into its cache; ask it for the tree's place
# rather than knowing it here.
cache=${GUPBENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gupbench}
pkgver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null) || {
	echo "demo-tree: linux-source-6.1 is not installed: apt-get install linux-source-6.1" >&2
	exit 2
}
src="$cache/src/linux-source-6.1-$(printf '%s' "$pkgver" | tr -c 'A-Za-z0-9._+-' '_')"
if [ ! -d "$src" ]; then
	# kbuild.sh unpacks the tarball when it builds; a build is not needed
	# here, but its unpacking is, so reuse that one code path.
	echo "demo-tree: unpacking linux-source-6.1 through kbuild.sh's cache" >&2
	tmp=$(mktemp -d)
	tar -xJf /usr/src/linux-source-6.1.tar.xz -C "$tmp"
	mkdir -p "$cache/src"
	mv -T "$tmp/linux-source-6.1" "$src" 2>/dev/null || [ -d "$src" ]
	rm -rf "$tmp"
fi

echo "demo-tree: copying $src to $dir" >&2
cp -a "$src" "$dir"
cd "$dir"
export GIT_AUTHOR_NAME=gupbench GIT_AUTHOR_EMAIL=demo@gupbench.invalid
export GIT_COMMITTER_NAME=gupbench GIT_COMMITTER_EMAIL=demo@gupbench.invalid
# Fixed dates: the same script gives the same commit IDs.
export GIT_AUTHOR_DATE='2026-01-01T00:00:00Z' GIT_COMMITTER_DATE='2026-01-01T00:00:00Z'
git init -q -b main
# -f: Debian's top-level .gitignore ignores everything outside debian/.
git add -A -f
git commit -q -m "linux-source-6.1 $pkgver, as Debian ships it"
good=$(git rev-parse HEAD)

# Replace exactly one occurrence of a literal string in a file, or fail.
edit() {
	local file=$1 from=$2 to=$3
	FROM=$from TO=$to perl -0pi -e '
		my $n = () = /\Q$ENV{FROM}\E/g;
		die "demo-tree: anchor found $n times in $ARGV\n" if $n != 1;
		s/\Q$ENV{FROM}\E/$ENV{TO}/;
	' "$file"
}
commit() { git commit -q -a -m "$1"; }

edit Documentation/core-api/pin_user_pages.rst \
	'This document describes the following functions::' \
	'This document (demo edit 1) describes the following functions::'
commit "docs: pin_user_pages: a word on pin_user_pages_fast"

edit init/main.c \
	'pr_notice("Kernel command line: %s\n", saved_command_line);' \
	'pr_notice("Kernel command line: %s\n", saved_command_line);
	pr_info("gupbench demo tree, commit 2\n");'
commit "init: say which demo commit booted"

asm=$(printf 'nop; %.0s' $(seq "$nops"))
edit mm/gup.c \
	'		folio_set_referenced(folio);
		pages[*nr] = page;
		(*nr)++;
	} while (ptep++, addr += PAGE_SIZE, addr != end);' \
	"		folio_set_referenced(folio);
		pages[*nr] = page;
		(*nr)++;
		/* gupbench demo: $nops instructions more per 4 KiB page */
		asm volatile(\"${asm% }\");
	} while (ptep++, addr += PAGE_SIZE, addr != end);"
commit "mm/gup: $nops more instructions a page in gup_pte_range (the demo's regression)"

edit mm/gup.c \
	' * Fast GUP' \
	' * Fast GUP (demo edit 4)'
commit "mm/gup: comment only"

printf '\n# gupbench demo tree, commit 5\n' >>Documentation/core-api/pin_user_pages.rst
commit "docs: pin_user_pages: trailing note"
bad=$(git rev-parse HEAD)

git log --oneline -6 "$bad" >&2
echo "good=$good bad=$bad"
