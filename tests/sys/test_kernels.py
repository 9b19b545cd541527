# SPDX-License-Identifier: GPL-2.0
"""Debian's kernels: scripts/kernels.sh and `gupbench kernels`.

Resolution is tested on package lists recorded from the registry
(tests/data/apt/lists: the kernel stanzas of bookworm, bookworm-security,
trixie, trixie-security, trixie-backports, sid and experimental), never on
what the registry serves today. The cache is a temporary directory whose
"kernels" are files the test writes; the network is an unreachable mirror
(127.0.0.1 port 9), so nothing here downloads a kernel.
"""
import hashlib
import os
import subprocess

from tap import GUPBENCH, main, run, test, tmpdir

TOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
SCRIPT = os.path.join(TOP, "scripts", "kernels.sh")
LISTS = os.path.join(TOP, "tests", "data", "apt", "lists")
NOWHERE = "http://127.0.0.1:9"


def ks(cache, *args, lists=True):
    cmd = [SCRIPT, "--cache", cache, "--mirror", NOWHERE]
    if lists:
        cmd += ["--lists", LISTS]
    return subprocess.run(cmd + list(args), capture_output=True, text=True, timeout=120)


def abi(cache, spec):
    p = ks(cache, "resolve", spec)
    assert p.returncode == 0, (spec, p.stderr)
    f = p.stdout.strip().split("\t")
    assert len(f) == 6 and f[2] == "cloud-amd64", f
    return f[1]


@test
def test_resolution_across_suites():
    """Series, exact ABI, upstream version, latest and prefixes resolve in
    every suite and both package layouts to the build a developer means."""
    c = tmpdir()
    want = {
        "latest": "7.3.4+deb13",          # the newest release, not 7.3-rc7
        "7.3": "7.3.4+deb13",             # a series: its newest release
        "7.3-rc7": "7.3",                 # the release candidate, asked for
        "=7.3": "7.3",                    # exactly the ABI "7.3"
        "7": "7.3.4+deb13",
        "6.1": "6.1.0-57",                # two builds of 6.1.192: the newer ABI
        "6.1.0-50": "6.1.0-50",           # an ABI name
        "6.1.176": "6.1.0-50",            # the upstream version behind it
        "6.12": "6.12.118+deb13",         # trixie's build beats bookworm's
        "6.12.117": "6.12.117+deb13",
        "6.12.117+deb12": "6.12.117+deb12",
        "6.12.115": "6.12.115+deb13.1",   # a rebuild of one release
        "6.16.12": "6.16.12+deb13",       # trixie-backports
        "6.19": "6.19.14+deb13",          # split layout
        "7.2": "7.2.13+deb14",            # sid
    }
    for spec, expect in want.items():
        assert abi(c, spec) == expect, (spec, abi(c, spec), expect)
    # layouts: linux-image up to 6.18, linux-binary + linux-base from 6.19
    lines = {l.split("\t")[1]: l.split("\t") for l in
             ks(c, "resolve", "6.16.12").stdout.splitlines() +
             ks(c, "resolve", "6.19.6").stdout.splitlines()}
    assert lines["6.16.12+deb13"][3] == "image", lines
    assert lines["6.19.6+deb13"][3] == "split", lines


@test
def test_list_merges_suites_drops_meta_and_debug():
    """`list` has one line per build with every suite that serves it; meta
    packages, -dbg, -unsigned and other flavours are not kernels to boot."""
    c = tmpdir()
    p = ks(c, "list")
    assert p.returncode == 0, p.stderr
    body = p.stdout.splitlines()[1:]
    byabi = {l.split()[1]: l.split() for l in body}
    assert byabi["6.12.117+deb13"][5] == "trixie-security,trixie", byabi["6.12.117+deb13"]
    assert byabi["6.1.0-50"][5] == "bookworm-security,bookworm"
    assert "6.12" not in byabi, "the meta package linux-image-6.12-cloud-amd64 is listed"
    assert all(l.split()[2] == "cloud-amd64" for l in body), body
    assert len(body) == len(byabi) == 20, body
    vers = [l.split()[0] for l in body]
    assert vers[0] == "6.1.170" and vers[-1] == "7.3.4", vers
    assert all(l.split()[4] == "no" for l in body)
    # a pattern narrows it
    p = ks(c, "list", "6.19")
    assert [l.split()[1] for l in p.stdout.splitlines()[1:]] == ["6.19.6+deb13", "6.19.14+deb13"]


@test
def test_ranges():
    """A..B gives the newest release of each series, /ends the oldest and
    newest, /all every one, oldest first; release candidates stay out."""
    c = tmpdir()

    def rng(r):
        p = ks(c, "range", r)
        assert p.returncode == 0, (r, p.stderr)
        return [l.split("\t")[1] for l in p.stdout.splitlines()]

    assert rng("6.1..7.3") == ["6.1.0-57", "6.12.118+deb13", "6.16.12+deb13", "6.17.8+deb13",
                               "6.19.14+deb13", "7.0.4+deb13", "7.2.13+deb14", "7.3.4+deb13"]
    assert rng("6.16..6.19/ends") == ["6.16.3+deb13", "6.16.12+deb13", "6.17.8+deb13",
                                      "6.19.6+deb13", "6.19.14+deb13"]
    assert rng("6.19.6..7.0/all") == ["6.19.6+deb13", "6.19.14+deb13", "7.0.4+deb13"]
    p = ks(c, "range", "8.0..8.1")
    assert p.returncode != 0 and "no Debian kernel" in p.stderr, p.stderr


@test
def test_unknown_version_names_the_nearest():
    c = tmpdir()
    p = ks(c, "resolve", "6.15")
    assert p.returncode == 1, p
    assert "no Debian kernel 6.15" in p.stderr, p.stderr
    near = p.stderr.split("nearest available:")[1]
    assert "6.12.118" in near and "6.16.3" in near, near
    p = ks(c, "resolve", "6.1;reboot")
    assert p.returncode == 1 and "is not a kernel version" in p.stderr, p.stderr


def fake_kernel(cache, abi_name, line):
    """A cache entry as a fetch leaves it: image, entry, checksums."""
    d = os.path.join(cache, "kernels", "linux-image-%s-cloud-amd64" % abi_name)
    os.makedirs(d)
    files = {"vmlinuz": b"not really a kernel\n", "config": b"CONFIG_64BIT=y\n",
             "package": ("linux-image-%s-cloud-amd64 1\n" % abi_name).encode(),
             "entry": (line + "\n").encode()}
    for name, data in files.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
    with open(os.path.join(d, "sha256sums"), "w") as f:
        for name, data in files.items():
            f.write("%s  %s\n" % (hashlib.sha256(data).hexdigest(), name))
    return d


@test
def test_cached_kernel_needs_no_network():
    """A cached build is taken as it is: the mirror is unreachable and the
    fetch still answers with the cached image."""
    c = tmpdir()
    line = ks(c, "resolve", "6.16.12").stdout.strip()
    d = fake_kernel(c, "6.16.12+deb13", line)
    p = ks(c, "fetch", "6.16.12")
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip().splitlines()[-1] == d + "/vmlinuz", p.stdout
    assert "cached" in p.stderr, p.stderr
    assert "yes" in [l.split()[4] for l in ks(c, "list", "6.16.12").stdout.splitlines()[1:]]


@test
def test_offline_without_lists_uses_the_cache():
    """No package lists and no network: the cached kernels are what there
    is, said so; a version not cached is an error that lists them."""
    c = tmpdir()
    line = ks(c, "resolve", "7.3").stdout.strip()
    d = fake_kernel(c, "7.3.4+deb13", line)
    p = ks(c, "fetch", "7.3", lists=False)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip().splitlines()[-1] == d + "/vmlinuz"
    assert "cannot reach the package registry" in p.stderr, p.stderr
    assert "cached kernels: 7.3.4+deb13" in p.stderr, p.stderr
    p = ks(c, "fetch", "6.12", lists=False)
    assert p.returncode == 1, p
    assert "no Debian kernel 6.12" in p.stderr and "in the cache" in p.stderr, p.stderr
    assert "7.3.4 (7.3.4+deb13)" in p.stderr, p.stderr


@test
def test_corrupt_or_half_cache_entry_is_fetched_again():
    """An image whose checksum no longer matches, or a directory a fetch
    never finished, is not a kernel: the fetch says so and fetches again
    (which fails here, with no network, rather than booting garbage)."""
    c = tmpdir()
    line = ks(c, "resolve", "6.17.8").stdout.strip()
    d = fake_kernel(c, "6.17.8+deb13", line)
    with open(d + "/vmlinuz", "ab") as f:
        f.write(b"flipped")
    p = ks(c, "fetch", "6.17.8")
    assert p.returncode != 0, p
    assert "corrupt" in p.stderr and "fetching it again" in p.stderr, p.stderr
    assert "download" in p.stderr and "failed" in p.stderr, p.stderr
    assert p.stdout.strip() == "", p.stdout
    # a fetch cut off before its rename: only a .fetch.* directory
    half = os.path.join(c, "kernels", ".fetch.XXXX")
    os.makedirs(half)
    open(half + "/vmlinuz", "w").write("half")
    p = ks(c, "fetch", "6.16.3")
    assert p.returncode != 0 and ".fetch" not in p.stdout, p
    # nothing was left half-done by the failed fetches
    left = [n for n in os.listdir(os.path.join(c, "kernels")) if n.startswith(".fetch.")]
    assert left == [".fetch.XXXX"], left


@test
def test_gupbench_kernels_command():
    """`gupbench kernels PATTERN` is the list, through the same script."""
    env = dict(os.environ, GUPBENCH_CACHE=tmpdir())
    p = subprocess.run([GUPBENCH, "kernels", "--help"], capture_output=True, text=True, env=env)
    assert p.returncode == 0 and "PATTERN" in p.stdout, p
    p = subprocess.run([GUPBENCH, "kernels", "6.1", "7.3"], capture_output=True, text=True,
                       env=env)
    assert p.returncode == 2 and "one PATTERN" in p.stderr, p


if __name__ == "__main__":
    main()
