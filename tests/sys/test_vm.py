# SPDX-License-Identifier: GPL-2.0
# tap-timeout: 1200
"""`gupbench vm` end to end: a Debian kernel booted under QEMU runs configs.

The image is Debian's 6.1 cloud kernel, fetched through apt on first use
and cached (GUPBENCH_CACHE, else ~/.cache/gupbench) for later runs. Under
TCG a boot takes a few seconds; every config here is small. The guest's
kernel is not the host's, so what the rows say (release, pin counts) is
checked against the guest: pins counted by its /proc/vmstat, pages placed
on the node asked for in a two-node guest, O_DIRECT on the guest's scratch
disk, and what a guest that never finishes leaves behind.
"""
import csv
import os

from tap import main, meta, need_root, rows, run, test, tmpdir, write_config

KERNEL = os.environ.get("GUPBENCH_TEST_KERNEL", "debian:6.1")

TINY = """
[tiny]
method = iouring, pvm-read
size = 1M
repeat = 3
"""


def vm(*args, timeout=600):
    return run(["vm", "--kernel", KERNEL, "--no-plot", "-q"] + list(args), timeout=timeout)



def ok_rows(d):
    return [r for r in rows(d + "/results.csv") if r["status"] == "ok"]


@test
def test_boot_debian_and_run():
    """A tiny config on Debian 6.1: rows for each method, pins counted by
    the guest kernel, meta saying which kernel and which accelerator."""
    need_root()
    d = tmpdir()
    cfg = write_config(d, TINY)
    p = vm("-o", d + "/run", cfg)
    assert p.returncode == 0, p.stderr
    ok = ok_rows(d + "/run")
    assert {r["method"] for r in ok} == {"iouring", "pvm-read"}, ok
    for r in ok:
        if r["method"] == "iouring" and r["op"] == "pin" and r["pins_exact"] == "1":
            assert int(r["pins_acquired"]) == int(r["pages"]) == 256, r
    m = meta(d + "/run/meta")
    assert m[("kernel", "release")].startswith("6.1."), m[("kernel", "release")]
    assert m[("vm", "accelerator")] in ("tcg", "kvm")
    assert m[("vm", "completed")] == "yes"
    assert m[("vm", "guest_status")] == "0"
    assert "GUP_TEST" in m[("vm", "missing_options")]
    # the guest's console and the exact QEMU command are kept
    assert "gupbench-vm: run exited 0" in open(d + "/run/vm/console.log").read()
    assert "qemu-system-x86_64" in open(d + "/run/vm/qemu.cmd").read()
    # an ordinary run: compare reads it
    p = run(["compare", "--format", "json", d + "/run", d + "/run"])
    assert p.returncode in (0, 125), p.stderr


@test
def test_two_node_guest_places_pages():
    """--numa 2: local, remote and interleaved placements really run, and
    the pages land where asked (move_pages readback in the guest)."""
    need_root()
    d = tmpdir()
    cfg = write_config(d, """
[numa]
method = iouring, xdp-umem
size = 16M
cpu_node = 0
mem_node = local, remote, all
repeat = 3
""")
    # Two vCPUs are multi-threaded TCG, whose threads share this host's two
    # CPUs with everything else: once in several make test runs such a guest
    # stalled until the file's time ran out. A stall now ends at --timeout as
    # exit 4 (the guest did not complete), and gets one more boot, said here.
    p = vm("--numa", "2", "--cpus", "2", "--timeout", "200", "-o", d + "/run", cfg)
    if p.returncode == 4:
        print("# the two-vCPU guest did not complete (exit 4), booting it once more:")
        for line in p.stderr.splitlines()[-12:]:
            print("#   " + line)
        p = vm("--numa", "2", "--cpus", "2", "--timeout", "200", "-o", d + "/run2", cfg)
        d += "/run2"
    else:
        d += "/run"
    assert p.returncode == 0, p.stderr
    ok = ok_rows(d)
    assert len({(r["method"], r["mem_node"]) for r in ok}) == 6, ok
    pages = 16 << 8
    for r in ok:
        assert r["cpu_node"] == "0" and r["cpu_start"] == "0", r  # node 0 holds cpu 0
        want = {"local": "n0=%d" % pages, "remote": "n1=%d" % pages,
                "all": "n0=%d;n1=%d" % (pages // 2, pages // 2)}[r["mem_node"]]
        assert r["node_hist"] == want, r
    m = meta(d + "/meta")
    assert m[("vm", "numa_nodes")] == "2"
    assert m[("machine", "numa_node1")].startswith("cpus 1"), m


@test
def test_dio_on_the_guest_disk():
    """The guest's /var/tmp is ext4 on an emulated NVMe disk: dio-read and
    dio-write run there. Debian 6.1's O_DIRECT takes FOLL_GET references,
    so the guest counts no pins for them, and the summary says so. The
    scratch image is gone after the run; with --disk 0 the guest refuses
    the dio methods, and says why."""
    need_root()
    d = tmpdir()
    cfg = write_config(d, "[dio]\nmethod = dio-read, dio-write\nsize = 1M\nrepeat = 3\n")
    p = vm("-o", d + "/run", cfg)
    assert p.returncode == 0, p.stderr
    ok = ok_rows(d + "/run")
    assert {r["method"] for r in ok} == {"dio-read", "dio-write"}, rows(d + "/run/results.csv")
    for r in ok:
        assert r["pins_exact"] == "1" and int(r["pages"]) == 256, r
        if m_release(d).startswith("6.1."):
            assert r["pins_acquired"] == "0", r      # FOLL_GET before 6.3-6.5
    m = meta(d + "/run/meta")
    assert m[("vm", "disk")].startswith("4G ext4 on emulated NVMe"), m[("vm", "disk")]
    assert "is ext4 on /dev/nvme0n1" in open(d + "/run/vm/console.log").read()
    assert not os.path.exists(d + "/run/vm/disk.img")
    # qemu.cmd makes the disk again before booting
    cmd = open(d + "/run/vm/qemu.cmd").read()
    assert "mkfs.ext4" in cmd and "nvme,serial=gupbench,drive=scratch" in cmd, cmd
    if m_release(d).startswith("6.1."):
        p = run(["summary", d + "/run"])
        assert "No FOLL_PIN counted" in p.stdout, p.stdout
        listed = p.stdout.split("No FOLL_PIN counted", 1)[1]
        assert "dio-read" in listed and "dio-write" in listed, p.stdout
    # no disk: /var/tmp is the initramfs, where O_DIRECT pins nothing; the
    # guest refuses the config (exit 2), and -q still shows why
    p = vm("--disk", "0", "-o", d + "/nodisk", cfg)
    assert p.returncode == 2, (p.returncode, p.stderr)
    assert "dio-read cannot take this scenario" in p.stderr, p.stderr
    assert "a memory filesystem" in p.stderr, p.stderr
    assert meta(d + "/nodisk/meta")[("vm", "disk")] == "none (--disk 0)"


@test
def test_iouring_file_refused_by_the_guest_kernel():
    """io_uring on a page-cache file: refused at config time on every
    kernel, for the reason that kernel has (io_uring's own check before
    6.5, GUP's FOLL_LONGTERM|FOLL_WRITE check since); in the guest, the
    guest's kernel decides."""
    need_root()
    d = tmpdir()
    cfg = write_config(d, "[f]\nmethod = iouring\nbacking = file\nsize = 1M\nrepeat = 3\n")
    p = vm("-o", d + "/run", cfg)
    assert p.returncode == 2, (p.returncode, p.stderr)
    # a refused config writes no [kernel] section: the guest's /init names it
    console = open(d + "/run/vm/console.log").read()
    release = console.split("gupbench-vm: ", 1)[1].split()[0]
    want = "refuses page-cache file buffers itself" if release.startswith("6.1.") else \
        "refuses long-term write pins of page-cache files"
    assert "iouring cannot pin file memory" in p.stderr and want in p.stderr, p.stderr


@test
def test_1g_hugetlb_in_a_guest():
    """--cpu max gives a TCG guest pdpe1gb, so a 1 GiB hugetlb pool; one
    page reserved at boot (hugepagesz=1G hugepages=1) backs a 1 GiB buffer
    that iouring pins as one order-18 folio. Without it QEMU's default CPU
    has no 1 GiB pages, and the rows say so."""
    need_root()
    d = tmpdir()
    cfg = write_config(d, "[h]\nmethod = iouring\nbacking = hugetlb-1G\nsize = 1G\nrepeat = 2\n")
    p = vm("--cpu", "max", "--mem", "3G", "--append", "hugepagesz=1G hugepages=1",
           "-o", d + "/run", cfg)
    assert p.returncode == 0, p.stderr
    ok = ok_rows(d + "/run")
    assert {r["op"] for r in ok} == {"pin", "unpin"}, rows(d + "/run/results.csv")
    for r in ok:
        assert r["order_got"] == "18" and int(r["pages"]) == 262144, r
        if r["op"] == "pin" and r["pins_exact"] == "1":
            assert int(r["pins_acquired"]) == 262144, r
    m = meta(d + "/run/meta")
    assert m[("vm", "cpu_model")] == "max"
    assert m[("knobs", "hugetlb.1048576kB.nr_hugepages")] == "1"
    if m[("vm", "accelerator")] == "tcg":
        p = vm("--mem", "3G", "-o", d + "/default", cfg)
        assert p.returncode == 0, p.stderr
        got = rows(d + "/default/results.csv")
        assert got and all(r["status"] == "skip" and "no hugetlb pool of 1048576 kB" in r["reason"]
                           for r in got), got


def m_release(d):
    return meta(d + "/run/meta")[("kernel", "release")]


@test
def test_hung_guest_keeps_finished_rows():
    """A guest that does not finish in --timeout: QEMU is stopped, the rows
    that had arrived stay, the console tail is shown, exit status 4."""
    need_root()
    d = tmpdir()
    cfg = write_config(d, TINY + """
[long]
method = pvm-read
size = 64M
repeat = 100000
""")
    p = vm("--timeout", "30", "-o", d + "/run", cfg, timeout=120)
    assert p.returncode == 4, (p.returncode, p.stderr)
    assert "timed out after 30 s" in p.stderr, p.stderr
    assert "console.log" in p.stderr and "  | " in p.stderr, p.stderr
    ok = ok_rows(d + "/run")
    assert {r["method"] for r in ok if r["job"] == "tiny"} == {"iouring", "pvm-read"}, ok
    # every line that arrived is whole
    with open(d + "/run/results.csv") as f:
        body = f.read()
    assert body.endswith("\n")
    table = list(csv.reader(body.splitlines()))
    assert all(len(r) == len(table[0]) for r in table[1:]), "a cut row"
    m = meta(d + "/run/meta")
    assert m[("vm", "completed")].startswith("no: timed out"), m[("vm", "completed")]
    assert not os.path.exists(d + "/run/vm/disk.img")   # the scratch disk, removed


# The work runs in the timed thread: iouring. Not pvm-read, whose cpu_ns is
# the peer process's and whose hand-offs between two processes ride on
# interrupts the host's serial reads time: its median moved by 0.13% from
# one boot to the other once here.
ICOUNT = """
[iouring]
method = iouring
size = 4M, 16M
order = 0, pmd
repeat = 6
"""


def cpu_medians(d):
    by = {}
    for r in ok_rows(d):
        by.setdefault((r["method"], r["size_bytes"], r["folio_order"], r["op"]), []).append(float(r["cpu_ns"]))
    out = {}
    for k, v in by.items():
        v.sort()
        n = len(v)
        out[k] = v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2
    return out


@test
def test_icount_two_boots_repeat():
    """Under QEMU's instruction counter two boots of one kernel do the same
    work: every point's cpu_ns median agrees within 0.1% (a property of
    deterministic emulation, not a timing threshold). The two boots come
    from one `vm --boots 1` given the kernel twice, so the boot set's layout
    and boots.csv are checked too. The rows and meta say which clock,
    compare picks the cpu metric by itself and finds every point unchanged
    at a 1% threshold, run against run and directory against directory, and
    refuses to put an icount run beside a real-clock one."""
    need_root()
    d = tmpdir()
    cfg = write_config(d, ICOUNT)
    p = run(["vm", "--kernel", KERNEL, "--kernel", KERNEL, "--boots", "1", "--no-plot", "-q",
             "--accel", "tcg", "--clock", "icount", "--cpus", "1", "-o", d + "/set", cfg],
            timeout=900)
    assert p.returncode == 0, p.stderr
    assert "gupbench compare %s/set/a %s/set/b" % (d, d) in p.stderr, p.stderr
    boots = list(csv.DictReader(open(d + "/set/boots.csv")))
    assert [(b["boot"], b["side"], b["exit"], b["run"]) for b in boots] == [
        ("1", "a", "0", "a/boot-1"), ("1", "b", "0", "b/boot-1")], boots
    b1, b2 = d + "/set/a/boot-1", d + "/set/b/boot-1"
    m = meta(b1 + "/meta")
    assert m[("clock", "kind")] == "icount" and m[("clock", "shift")] == "0", m
    assert m[("vm", "clock")] == "icount", m
    assert "gupbench.clock=icount:0" in m[("vm", "append")], m
    ok = ok_rows(b1)
    assert ok and all(r["clock"] == "icount shift=0" and r["cpu_ns"] for r in ok), ok[:2]
    m1, m2 = cpu_medians(b1), cpu_medians(b2)
    assert set(m1) == set(m2) and len(m1) == 8, (m1, m2)
    for k in m1:
        assert m1[k] > 0 and abs(m2[k] - m1[k]) <= 0.001 * m1[k], (k, m1[k], m2[k])
    import json
    for pair in ((b1, b2), (d + "/set/a", d + "/set/b")):
        p = run(["compare", "--format", "json", "--threshold", "1%"] + list(pair))
        assert p.returncode == 0, p.stderr
        doc = json.loads(p.stdout)
        assert doc["method"]["metric"].startswith("cpu"), doc["method"]
        assert doc["method"]["clock"] == "icount shift=0"
        verdicts = [x["verdict"] for x in doc["points"]]
        assert verdicts and set(verdicts) == {"unchanged"}, (pair, verdicts)
    # a real-clock run is another unit: refused, exit 2
    p = run(["run", "--no-plot", "-o", d + "/host", cfg])
    assert p.returncode == 0, p.stderr
    p = run(["compare", b1, d + "/host"])
    assert p.returncode == 2 and "different clocks" in p.stderr, p.stderr


@test
def test_icount_refused_with_kvm():
    """icount is TCG's: asking for it with KVM is a usage error, before any boot."""
    d = tmpdir()
    cfg = write_config(d, TINY)
    p = run(["vm", "--kernel", KERNEL, "--clock", "icount", "--accel", "kvm", "-o", d + "/a", cfg])
    assert p.returncode == 2 and "icount" in p.stderr, p.stderr
    assert not os.path.exists(d + "/a")
    p = run(["vm", "--kernel", KERNEL, "--clock", "sundial", "-o", d + "/b", cfg])
    assert p.returncode == 2 and "--clock" in p.stderr, p.stderr


@test
def test_boots_bad_options():
    """--boots: a count from 1 to 100; two kernels only with it, three never;
    all refused before any boot or directory."""
    d = tmpdir()
    cfg = write_config(d, TINY)
    for args, word in ((["--kernel", KERNEL, "--kernel", KERNEL], "--boots"),
                       (["--kernel", KERNEL, "--boots", "0"], "--boots"),
                       (["--kernel", KERNEL, "--boots", "101"], "--boots"),
                       (["--kernel", KERNEL, "--boots", "2x"], "--boots"),
                       (["--kernel", KERNEL, "--kernel", KERNEL, "--kernel", KERNEL,
                         "--boots", "2"], "two at most")):
        p = run(["vm"] + args + ["-o", d + "/a", cfg])
        assert p.returncode == 2 and word in p.stderr, (args, p.stderr)
        assert not os.path.exists(d + "/a"), args


@test
def test_bad_input_refused_before_boot():
    """A broken config, an unknown kernel version, an image that is not a
    kernel: clear errors, no QEMU run for the first two."""
    need_root()
    d = tmpdir()
    bad = write_config(d, "[x]\nmethod = iouring\nsize = 12Q\n", name="bad.ini")
    p = vm("-o", d + "/a", bad)
    assert p.returncode == 2 and "bad.ini:3: size" in p.stderr, p.stderr
    assert not os.path.exists(d + "/a")
    good = write_config(d, TINY)
    p = run(["vm", "--kernel", "debian:0.0", "-q", "-o", d + "/b", good])
    # kernels.sh names what was asked and the nearest versions there are
    assert p.returncode == 2 and "no Debian kernel 0.0" in p.stderr, p.stderr
    assert "nearest available" in p.stderr, p.stderr
    p = run(["vm", "--kernel", "debian:6.1", "--numa", "2", "--mem", "200M", "-o", d + "/c", good])
    assert p.returncode == 2 and "--mem" in p.stderr, p.stderr
    notkernel = write_config(d, "not a kernel\n", name="bzImage")
    p = run(["vm", "--kernel", notkernel, "-q", "--accel", "tcg", "--force", "-o", d + "/e",
             good], timeout=120)
    assert p.returncode == 4, (p.returncode, p.stderr)
    assert "QEMU exited" in p.stderr, p.stderr


if __name__ == "__main__":
    main()
