#!/usr/bin/env bash
# Debian's packaged kernels, for `gupbench vm --kernel debian:SPEC`,
# `gupbench kernels` and `gupbench history`.
#
#   scripts/kernels.sh [--cache DIR] [--lists DIR] [--mirror URL] COMMAND
#
#   update          refresh gupbench's own package lists of every suite
#   list [PATTERN]  every kernel build: version, ABI, suites, flavour,
#                   package layout, cached or not (PATTERN: as SPEC, or a
#                   prefix such as 6.12; "all" or nothing lists them all)
#   resolve SPEC    the build SPEC names, as one catalogue line (no download)
#   range A..B[/M]  the builds from A to B (each as SPEC), oldest first, one
#                   catalogue line each; M: last (the newest release of each
#                   series, the default), ends (its oldest and newest), all
#   fetch SPEC      fetch it (or take it from the cache); the last line of
#                   stdout is its vmlinuz, its config lies beside it
#   source SERIES   fetch linux-source-SERIES (6.1, 6.12, 7.2, 7.3), print
#                   the path of its tarball
#
# SPEC: latest (the newest release); X.Y, a series (its newest release, a
# release candidate only when the series has no release); an ABI name as in
# the package (6.1.0-57, 6.12.117+deb13, 7.3); an upstream version (6.1.192,
# 6.12.117, 7.3-rc7: the newest build of it); else a prefix of either;
# =ABI is that ABI name and nothing else.
# Only the cloud-amd64 flavour is listed and taken: everything the guest
# needs is built in, so it boots with no modules.
#
# gupbench keeps its own apt configuration under $CACHE/apt (sources of
# bookworm, bookworm-updates, bookworm-backports, bookworm-security, trixie,
# trixie-updates, trixie-backports, trixie-security, sid, experimental); the
# system's sources and preferences are never read or written. The archive
# keyring that Debian installs verifies them. Packages are fetched with
# `apt-get download` (checked against the signed lists), unpacked into a
# temporary directory and renamed into $CACHE/kernels/PACKAGE when complete,
# with the checksums of what was kept: a cached kernel is used without the
# network, and one whose checksum no longer matches is fetched again.
# Kernels up to 6.18 come as one linux-image package (boot/vmlinuz-*); from
# 6.19 on the image is in linux-binary-* (usr/lib/modules/*/vmlinuz) and the
# config in linux-base-*.
# --lists DIR reads recorded package lists instead (tests); --mirror URL
# replaces http://deb.debian.org. CACHE is --cache, else $GUPBENCH_CACHE,
# else ~/.cache/gupbench.
set -euo pipefail
unset CDPATH

# stdout carries only the answer (a path, a line); everything else is stderr
exec 3>&1 1>&2
log() { echo "kernels: $*" >&2; }
die() { echo "kernels: $*" >&2; exit 1; }
usage() {
	echo "usage: kernels.sh [--cache DIR] [--lists DIR] [--mirror URL] update | list [PATTERN] | resolve SPEC | fetch SPEC | source SERIES"
	exit 2
}

cache=${GUPBENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gupbench}
recorded=
mirror=http://deb.debian.org
flavour=cloud-amd64
while (($#)); do
	case $1 in
	--cache) (($# >= 2)) || usage; cache=$2; shift 2 ;;
	--lists) (($# >= 2)) || usage; recorded=$2; shift 2 ;;
	--mirror) (($# >= 2)) || usage; mirror=$2; shift 2 ;;
	-h | --help) sed -n '2,41p' "$0" | sed 's/^# \{0,1\}//' >&3; exit 0 ;;
	-*) echo "kernels: unknown option $1"; usage ;;
	*) break ;;
	esac
done
(($# >= 1)) || usage
cmd=$1
shift

apt=$cache/apt
# what an exit must remove: a half fetch, a catalogue made for this call
tmpdir=
tmpcat=
trap 'rm -rf ${tmpdir:+"$tmpdir"} ${tmpcat:+"$tmpcat"}' EXIT
catalog=$apt/kernels.tsv
kdir=$cache/kernels
suites_main="bookworm bookworm-updates bookworm-backports trixie trixie-updates trixie-backports sid experimental"
suites_security="bookworm-security trixie-security"

apt_opts=(
	-o "Dir::Etc::SourceList=$apt/sources.list"
	-o "Dir::Etc::SourceParts=$apt/sources.list.d"
	-o "Dir::Etc::Preferences=$apt/preferences"
	-o "Dir::Etc::PreferencesParts=$apt/preferences.d"
	-o "Dir::State::Lists=$apt/lists"
	-o "Dir::Cache=$apt/cache"
	-o "APT::Architectures=amd64"
	-o "Acquire::Languages=none"
	-o "Acquire::Retries=1"
	-o "Acquire::http::Timeout=20"
	-o "APT::Sandbox::User=root"
)

apt_setup() {
	mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" \
		"$apt/sources.list.d" "$apt/preferences.d"
	: >"$apt/preferences"
	local s tmp
	tmp=$(mktemp "$apt/.sources.XXXXXX")
	{
		for s in $suites_main; do
			echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror/debian $s main"
		done
		for s in $suites_security; do
			echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror/debian-security $s main"
		done
	} >"$tmp"
	mv "$tmp" "$apt/sources.list"
}

# The suite a list file belongs to, from its name
# (HOST_debian_dists_SUITE_main_binary-amd64_Packages[.lz4]).
suite_of() {
	local b=${1##*/}
	b=${b#*_dists_}
	echo "${b%%_*}"
}

# One line per kernel build of the lists:
#   upstream  abi  flavour  layout  debian-version  suites
# layout "image" (linux-image holds boot/vmlinuz) or "split" (linux-binary
# holds the image, linux-base the config). Meta packages (linux-image-6.12-
# cloud-amd64, a few KiB that only depend on a real one) are left out.
make_catalog() {
	local from=$1 out=$2 f tmp
	tmp=$(mktemp "$out.XXXXXX")
	for f in "$from"/*_Packages "$from"/*_Packages.*; do
		[ -e "$f" ] || continue
		case $f in *.diff* | *.ed) continue ;; esac
		/usr/lib/apt/apt-helper cat-file "$f" | awk -v suite="$(suite_of "$f")" '
			function flush() {
				if (pkg ~ /^linux-(image|binary)-[0-9]/ && pkg !~ /-(dbg|unsigned)$/) {
					kind = pkg; sub(/^linux-/, "", kind); sub(/-.*/, "", kind)
					rest = pkg; sub(/^linux-(image|binary)-/, "", rest)
					# ABI: up to the flavour (digits, dots, -NN, +debNN[.N])
					if (match(rest, /^[0-9]+\.[0-9]+(\.[0-9]+)?(-[0-9]+)?(\+deb[0-9]+(\.[0-9]+)?)?-/)) {
						abi = substr(rest, 1, RLENGTH - 1)
						flav = substr(rest, RLENGTH + 1)
						up = ver; sub(/^[0-9]+:/, "", up); sub(/-[^-]*$/, "", up)
						gsub(/~/, "-", up)
						print kind, abi, flav, up, ver, size, suite
					}
				}
				pkg = ver = size = ""
			}
			/^Package: / { pkg = $2 }
			/^Version: / { ver = $2 }
			/^Installed-Size: / { size = $2 }
			/^$/ { flush() }
			END { flush() }
		' OFS='\t'
	done | awk -F'\t' '
		# key: abi flavour version; an image is real when big or split
		{
			k = $2 "\t" $3 "\t" $5
			if ($1 == "binary") { split_[k] = 1 }
			else { img[k] = 1; size[k] = $6; up[k] = $4 }
			if (index("," suites[k] ",", "," $7 ",") == 0)
				suites[k] = suites[k] ? suites[k] "," $7 : $7
		}
		END {
			for (k in img) {
				if (!(k in split_) && size[k] < 4096)
					continue	# a meta package
				split(k, p, "\t")
				print up[k], p[1], p[2], (k in split_) ? "split" : "image", p[3], suites[k]
			}
		}
	' OFS='\t' | sort -t"$(printf '\t')" -k1,1V -k2,2V -k3,3 >"$tmp"
	mv "$tmp" "$out"
}

do_update() {
	apt_setup
	log "updating gupbench's package lists ($apt)"
	# --error-on=any: a suite that cannot be fetched fails the update (apt
	# would only warn and keep going with whatever lists it had)
	if ! flock "$apt/.lock" apt-get "${apt_opts[@]}" -qq --error-on=any update 2>"$apt/update.log"; then
		log "apt-get update failed: $(grep -m1 -E '^(E|W):' "$apt/update.log" || echo "see $apt/update.log")"
		return 1
	fi
	make_catalog "$apt/lists" "$catalog.new"
	if ! [ -s "$catalog.new" ]; then
		rm -f "$catalog.new"
		log "the package lists hold no kernel"
		return 1
	fi
	mv "$catalog.new" "$catalog"
	log "$(wc -l <"$catalog") kernel builds listed"
}

# The catalogue to resolve against: recorded lists (--lists), else ours,
# refreshed when missing; offline, the cached kernels' own lines.
offline=0
load_catalog() {
	if [ -n "$recorded" ]; then
		catalog=$(mktemp)
		tmpcat=$catalog
		make_catalog "$recorded" "$catalog"
		return
	fi
	[ -s "$catalog" ] && return
	if ! do_update; then
		offline=1
		catalog=$(mktemp)
		tmpcat=$catalog
		cat "$kdir"/*/entry 2>/dev/null | sort -t"$(printf '\t')" -k1,1V -k2,2V >"$catalog" || true
		log "cannot reach the package registry ($mirror): apt-get update failed"
		log "cached kernels: $(cached_names)"
	fi
}

cached_names() {
	local e n=0 out=
	for e in "$kdir"/*/entry; do
		[ -f "$e" ] || continue
		out="$out $(cut -f2 "$e")"
		n=$((n + 1))
	done
	((n)) && echo "${out# }" || echo "(none)"
}

pkg_of() { # abi flavour layout -> the package that holds the image
	if [ "$3" = split ]; then echo "linux-binary-$1-$2"; else echo "linux-image-$1-$2"; fi
}

is_cached() { # dir -> 0 when complete and its checksums hold
	[ -s "$1/vmlinuz" ] && [ -s "$1/entry" ] && [ -s "$1/sha256sums" ] &&
		(cd "$1" && sha256sum --quiet --strict -c sha256sums >/dev/null 2>&1)
}

# Pick the catalogue line SPEC names (flavour cloud-amd64), or fail with the
# nearest versions.
resolve() {
	local spec=$1 rows pick exact=0
	# =ABI: exactly that build (7.3 is then the ABI 7.3, not the series)
	case $spec in =*) exact=1; spec=${spec#=} ;; esac
	case $spec in
	*[!0-9a-z.+~-]* | "") die "\"$spec\" is not a kernel version" ;;
	esac
	rows=$(awk -F'\t' -v f="$flavour" '$3 == f' "$catalog")
	pick=$(awk -F'\t' -v s="$spec" -v exact=$exact '
		function rel(u) { return u !~ /-rc[0-9]+$/ }
		{ n++; up[n] = $1; abi[n] = $2; line[n] = $0 }
		END {
			if (exact) {
				for (i = n; i; i--) if (abi[i] == s) { print line[i]; exit }
				exit
			}
			# rows are sorted oldest first: the last match is the newest
			if (s == "latest") {
				for (i = n; i; i--) if (rel(up[i])) { print line[i]; exit }
				exit
			}
			if (s ~ /^[0-9]+\.[0-9]+$/) {
				for (i = n; i; i--)
					if (rel(up[i]) && (up[i] == s || index(up[i], s ".") == 1)) { print line[i]; exit }
				for (i = n; i; i--)
					if (index(up[i], s "-rc") == 1) { print line[i]; exit }
			}
			for (i = n; i; i--) if (abi[i] == s) { print line[i]; exit }
			for (i = n; i; i--) if (up[i] == s) { print line[i]; exit }
			for (i = n; i; i--)
				if (index(abi[i], s ".") == 1 || index(abi[i], s "-") == 1 || index(abi[i], s "+") == 1 ||
				    index(up[i], s ".") == 1 || index(up[i], s "-") == 1) { print line[i]; exit }
		}' <<<"$rows")
	if [ -z "$pick" ]; then
		log "no Debian kernel $spec (flavour $flavour) in $( ((offline)) && echo "the cache" || echo "the package lists")"
		nearest "$spec" "$rows"
		exit 1
	fi
	echo "$pick"
}

# The versions on either side of SPEC, in version order.
nearest() {
	local spec=$1 rows=$2 all i
	[ -n "$rows" ] || { log "(there are none)"; return; }
	all=$( (cut -f1,2 <<<"$rows" | sed 's/\t/ (/; s/$/)/'; echo "$spec <") | sort -V -u)
	i=$(grep -n -x -F "$spec <" <<<"$all" | cut -d: -f1)
	log "nearest available: $(sed -n "$((i > 3 ? i - 3 : 1)),$((i + 3))p" <<<"$all" |
		grep -v -x -F "$spec <" | paste -sd, | sed 's/,/, /g')"
}

# Unpack PACKAGE(s) of one build into $kdir/NAME, atomically.
fetch() {
	local line=$1 up abi flav layout ver suites name dir work deb img cfg p
	IFS=$'\t' read -r up abi flav layout ver suites <<<"$line"
	name=linux-image-$abi-$flav
	dir=$kdir/$name
	mkdir -p "$kdir"
	exec 9>"$kdir/.lock-$name"
	flock 9
	if is_cached "$dir"; then
		log "$name $ver (cached in $dir)"
		echo "$dir/vmlinuz" >&3
		return
	fi
	[ -d "$dir" ] && log "cached $name is incomplete or corrupt (checksums do not match): fetching it again"
	((offline)) && die "cannot fetch $name: no network, and it is not in the cache (cached: $(cached_names))"
	apt_setup
	# what a fetch killed outright (no trap ran) left an hour ago or more
	find "$kdir" -maxdepth 1 -name '.fetch.*' -mmin +60 -exec rm -rf {} + 2>/dev/null || true
	work=$(mktemp -d "$kdir/.fetch.XXXXXX")
	tmpdir=$work
	if [ "$layout" = split ]; then
		p="linux-binary-$abi-$flav=$ver"
	else
		p="$name=$ver"
	fi
	log "downloading $p ($suites)"
	# apt-get download writes into the current directory
	(cd "$work" && apt-get "${apt_opts[@]}" -qq download "$p") || true
	ls "$work"/*.deb >/dev/null 2>&1 ||
		die "apt-get download $p failed (no network? cached kernels: $(cached_names))"
	if [ "$layout" = split ]; then
		# the config; the registry does not keep linux-base of every build
		(cd "$work" && apt-get "${apt_opts[@]}" -qq download "linux-base-$abi-$flav" 2>/dev/null) ||
			log "linux-base-$abi-$flav is not in the lists: no config beside this image"
	fi
	for deb in "$work"/*.deb; do
		dpkg-deb -x "$deb" "$work/x"
	done
	img=$(ls "$work"/x/boot/vmlinuz-* "$work"/x/usr/lib/modules/*/vmlinuz 2>/dev/null | head -1) || true
	cfg=$(ls "$work"/x/boot/config-* "$work"/x/usr/lib/modules/*/config 2>/dev/null | head -1) || true
	[ -n "$img" ] || die "$p holds no boot/vmlinuz-* nor usr/lib/modules/*/vmlinuz"
	mkdir "$work/out"
	mv "$img" "$work/out/vmlinuz"
	[ -z "$cfg" ] || mv "$cfg" "$work/out/config"
	# "PACKAGE VERSION", for the run's meta; the catalogue line, for offline use
	echo "$name $ver" >"$work/out/package"
	printf '%s\n' "$line" >"$work/out/entry"
	(cd "$work/out" && sha256sum vmlinuz $([ -z "$cfg" ] || echo config) package entry >sha256sums)
	rm -rf "$dir"
	mv "$work/out" "$dir"
	log "$name $ver in $dir"
	echo "$dir/vmlinuz" >&3
}

# A..B: the releases between the builds A and B name, by series.
range() {
	local r=$1 mode=last a b lo hi
	case $r in */*) mode=${r##*/}; r=${r%/*} ;; esac
	case $mode in last | ends | all) ;; *) die "range $1: /$mode is not last, ends or all" ;; esac
	[[ $r == *..* ]] || die "range \"$1\" is not A..B"
	a=${r%%..*}
	b=${r#*..}
	lo=$(range_end "$a" "")
	hi=$(range_end "$b" .99999)
	[ -n "$lo" ] && [ -n "$hi" ] || exit 1
	awk -F'\t' -v f="$flavour" -v lo="$lo" -v hi="$hi" -v mode="$mode" '
		$3 != f || $1 ~ /-rc[0-9]+$/ { next }
		{ print lo "\t0"; print hi "\t2"; print $1 "\t1\t" $0 }
	' "$catalog" | sort -s -t"$(printf '\t')" -k1,1V -k2,2n | awk -F'\t' -v mode="$mode" '
		# between the two markers, in version order
		$2 == 0 { on = 1; next }
		$2 == 2 { if (on) done = 1; on = 0; next }
		on && !done {
			split($1, v, "."); s = v[1] "." v[2]
			n++; ser[n] = s; line[n] = substr($0, index($0, "\t1\t") + 3)
		}
		END {
			for (i = 1; i <= n; i++) {
				first = i == 1 || ser[i - 1] != ser[i]
				last = i == n || ser[i + 1] != ser[i]
				if (mode == "all" || last || (mode == "ends" && first))
					print line[i]
			}
		}' >"$catalog.range"
	[ -s "$catalog.range" ] || { rm -f "$catalog.range"; die "no Debian kernel release from $a to $b"; }
	cat "$catalog.range" >&3
	rm -f "$catalog.range"
}

# An end of a range as an upstream version to sort by: a version as it is
# (a series X.Y, upward, with SUFFIX), an ABI name as what it resolves to.
range_end() {
	if [[ $1 =~ ^[0-9]+\.[0-9]+$ ]]; then
		echo "$1$2"
	elif [[ $1 =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
		echo "$1"
	else
		resolve "$1" | cut -f1
	fi
}

list() {
	local pat=${1:-all} line up abi flav layout ver suites c
	if [ "$pat" != all ]; then
		case $pat in *[!0-9a-z.+~-]*) die "\"$pat\" is not a kernel version" ;; esac
	fi
	printf '%-10s %-18s %-12s %-6s %-7s %s\n' version abi flavour layout cached suites >&3
	while IFS=$'\t' read -r up abi flav layout ver suites; do
		[ "$flav" = "$flavour" ] || continue
		if [ "$pat" != all ] && [ "$up" != "$pat" ] && [ "$abi" != "$pat" ] &&
			[[ $up != "$pat".* && $up != "$pat"-* && $abi != "$pat".* && $abi != "$pat"[-+]* ]]; then
			continue
		fi
		c=no
		is_cached "$kdir/linux-image-$abi-$flav" && c=yes
		printf '%-10s %-18s %-12s %-6s %-7s %s\n' "$up" "$abi" "$flav" "$layout" "$c" "$suites" >&3
	done <"$catalog"
}

source_fetch() {
	local series=$1 out=$cache/src/linux-source-$1.tar.xz work deb
	[[ $series =~ ^[0-9]+\.[0-9]+$ ]] || die "source wants a series such as 7.3, not \"$series\""
	# a tarball is renamed into place complete; its version file first
	if [ -s "$out" ] && [ -s "$out.version" ]; then
		echo "$out" >&3
		return
	fi
	apt_setup
	[ -s "$catalog" ] || do_update || die "cannot reach the package registry ($mirror)"
	mkdir -p "$cache/src"
	work=$(mktemp -d "$cache/src/.fetch.XXXXXX")
	tmpdir=$work
	log "downloading linux-source-$series"
	(cd "$work" && apt-get "${apt_opts[@]}" -qq download "linux-source-$series") || true
	deb=$(ls "$work"/*.deb 2>/dev/null | head -1) || true
	[ -n "$deb" ] || die "apt-get download linux-source-$series failed"
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work" --wildcards '*.tar.xz'
	dpkg-deb -f "$deb" Version >"$out.version.tmp"
	mv "$out.version.tmp" "$out.version"
	mv "$(ls "$work"/usr/src/linux-source-*.tar.xz | head -1)" "$out"
	echo "$out" >&3
}

case $cmd in
update)
	[ -z "$recorded" ] || die "update with --lists: the recorded lists are not refreshed"
	do_update || die "apt-get update failed: cannot reach $mirror"
	;;
list) (($# <= 1)) || usage; load_catalog; list "${1:-all}" ;;
resolve) (($# == 1)) || usage; load_catalog; resolve "$1" >&3 ;;
fetch)
	(($# == 1)) || usage
	load_catalog
	line=$(resolve "$1")
	fetch "$line"
	;;
range) (($# == 1)) || usage; load_catalog; range "$1" ;;
source) (($# == 1)) || usage; source_fetch "$1" ;;
*) usage ;;
esac
