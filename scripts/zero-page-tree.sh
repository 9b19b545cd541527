#!/usr/bin/env bash
# A kernel git tree for the worked example of a behaviour bisection
# (README, "Behaviour changes"):
#
#   scripts/zero-page-tree.sh [--cache DIR] DIR
#
# Debian's linux-source-6.1 (6.1.192) already carries the backport of
# "mm: Don't pin ZERO_PAGE in pin_user_pages()" (seed 000): a read-only pin
# of the zero page takes no pin and counts none. DIR becomes a git tree of
# that source with the patch taken back out, one step at a time:
#
#   import     linux-source-6.1 as Debian ships it        (zero pages not pinned)
#   localver   localversion-gupbench: "-zp", to tell the builds apart
#   mm.h       is_longterm_pinnable_page() tests is_zero_pfn() again
#   gup.c      try_grab_folio(), try_grab_page() and gup_put_folio() pin
#              and unpin the zero page like any other page   (pinned again)
#   notes      README.gupbench: what this tree is
#
# Only gup.c changes what the kernel does; a bisection over import..notes
# with a behaviour metric (gupbench bisect --metric pins_per_page) must
# name it. is_zero_page() and is_zero_folio() stay in mm.h: later
# backports in 6.1 (kernel/events/uprobes.c) use them.
#
# Each hunk is matched exactly before it is changed: on a source that is
# not the one described here the script stops and says which hunk did not
# match. DIR must not exist. The last line of stdout is DIR.
set -euo pipefail
unset CDPATH

top=$(cd "$(dirname "$0")/.." && pwd)
cache_opt=()

die() { echo "zero-page-tree: $*" >&2; exit 1; }
usage() { echo "usage: zero-page-tree.sh [--cache DIR] DIR" >&2; exit 2; }

while (($#)); do
	case $1 in
	--cache) (($# >= 2)) || usage; cache_opt=(--cache "$2"); shift 2 ;;
	-h | --help) sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) usage ;;
	*) break ;;
	esac
done
(($# == 1)) || usage
dir=$1
[ -e "$dir" ] && die "$dir exists: give a new directory"
command -v git >/dev/null || die "git is not installed"
command -v python3 >/dev/null || die "python3 is not installed"

tarball=$("$top/scripts/kernels.sh" "${cache_opt[@]}" source 6.1 | tail -n 1)
[ -f "$tarball" ] || die "no linux-source-6.1 tarball ($tarball)"

tmp="$dir.part"
rm -rf "$tmp"
mkdir -p "$tmp"
echo "zero-page-tree: unpacking $tarball" >&2
tar -xf "$tarball" -C "$tmp" --strip-components=1
[ -f "$tmp/mm/gup.c" ] || die "$tarball holds no mm/gup.c at its top"

g() { git -C "$tmp" -c user.name=gupbench -c user.email=gupbench@localhost \
	-c commit.gpgsign=false "$@"; }
commit() {
	# -f: the tarball's .gitignore (Debian's) ignores everything at the top
	g add -A -f
	GIT_AUTHOR_DATE="$2" GIT_COMMITTER_DATE="$2" g commit -q -m "$1"
}

# Replace one exact block of text by another, or stop naming the hunk.
edit() {
	python3 - "$tmp/$1" "$2" "$3" "$4" <<'EOF'
import sys
path, what, old, new = sys.argv[1:5]
text = open(path).read()
n = text.count(old)
if n != 1:
    sys.exit(f"zero-page-tree: {path}: hunk '{what}' found {n} times, not once: "
             "not the linux-source-6.1 this script knows")
open(path, "w").write(text.replace(old, new))
EOF
}

version=$(sed -n 's/^VERSION = //p; s/^PATCHLEVEL = //p; s/^SUBLEVEL = //p' "$tmp/Makefile" |
	paste -sd.)
g init -q
commit "import: Debian linux-source-6.1 ($version)

As Debian ships it: mm/gup.c leaves the zero page unpinned (the backport
of \"mm: Don't pin ZERO_PAGE in pin_user_pages()\")." "2026-01-01T00:00:00Z"

echo "-zp" >"$tmp/localversion-gupbench"
commit "localversion: -zp, to tell this tree's builds apart" "2026-01-01T00:01:00Z"

edit include/linux/mm.h is_longterm_pinnable_page \
'	/* The zero page can be "pinned" but gets special handling. */
	if (is_zero_page(page))
		return true;' \
'	/* The zero page may always be pinned */
	if (is_zero_pfn(page_to_pfn(page)))
		return true;'
commit "mm.h: is_longterm_pinnable_page() tests is_zero_pfn() again

The first half of taking \"mm: Don't pin ZERO_PAGE in pin_user_pages()\"
back out. The same test, spelt as before: no change in behaviour.
is_zero_page() and is_zero_folio() stay: uprobes uses them in 6.1." "2026-01-01T00:02:00Z"

edit mm/gup.c sanity_check_pinned_pages \
'		if (is_zero_page(page) ||
		    !folio_test_anon(folio))
			continue;' \
'		if (!folio_test_anon(folio))
			continue;'
edit mm/gup.c try_grab_folio \
'		/*
		 * Don'"'"'t take a pin on the zero page - it'"'"'s not going anywhere
		 * and it is used in a *lot* of places.
		 */
		if (is_zero_page(page))
			return page_folio(page);

		/*
		 * Can'"'"'t do FOLL_LONGTERM' \
'		/*
		 * Can'"'"'t do FOLL_LONGTERM'
edit mm/gup.c gup_put_folio \
'	if (flags & FOLL_PIN) {
		if (is_zero_folio(folio))
			return;
		node_stat_mod_folio(folio, NR_FOLL_PIN_RELEASED, refs);' \
'	if (flags & FOLL_PIN) {
		node_stat_mod_folio(folio, NR_FOLL_PIN_RELEASED, refs);'
edit mm/gup.c try_grab_page \
'	else if (flags & FOLL_PIN) {
		/*
		 * Don'"'"'t take a pin on the zero page - it'"'"'s not going anywhere
		 * and it is used in a *lot* of places.
		 */
		if (is_zero_page(page))
			return true;

		/*
		 * Similar to try_grab_folio()' \
'	else if (flags & FOLL_PIN) {
		/*
		 * Similar to try_grab_folio()'
commit "mm/gup: pin the zero page again

The second half: try_grab_folio() and try_grab_page() take a pin on the
zero page like on any page, and gup_put_folio() releases it, so
nr_foll_pin_acquired and nr_foll_pin_released count them again, as before
\"mm: Don't pin ZERO_PAGE in pin_user_pages()\"." "2026-01-01T00:03:00Z"

cat >"$tmp/README.gupbench" <<EOF
This tree is Debian's linux-source-6.1 ($version) with the mm/gup.c and
include/linux/mm.h hunks of "mm: Don't pin ZERO_PAGE in pin_user_pages()"
taken back out, made by gupbench's scripts/zero-page-tree.sh for the worked
example of a behaviour bisection. Not a kernel to run anywhere else.
EOF
commit "notes: README.gupbench says what this tree is" "2026-01-01T00:04:00Z"

mv "$tmp" "$dir"
g() { git -C "$dir" "$@"; }
g log --oneline >&2
echo "$dir"
