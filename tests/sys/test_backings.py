# SPDX-License-Identifier: GPL-2.0
"""Backings end to end: shmem, memfd, hugetlb, file.

What each backing really got is read back; the hugetlb pool and the shmem
knobs gupbench turns are given back after a normal run and after SIGINT;
file backings leave no file behind, even when the worker crashes.
"""
import glob
import os
import signal

from tap import (THP, Skip, main, need_root, rows, run, start_run, test,
                 thp_knobs, tmpdir, write_config)

HUGE = "/sys/kernel/mm/hugepages"


def pools():
    out = {}
    for d in glob.glob(HUGE + "/hugepages-*"):
        out[d] = open(d + "/nr_hugepages").read().strip()
    return out


def ok_rows(path):
    return [r for r in rows(path) if r["status"] in ("ok", "warmup")]


@test
def test_shmem_backings_get_their_order_and_restore_knobs():
    need_root()
    if not os.path.exists(THP + "/hugepages-2048kB/shmem_enabled"):
        raise Skip("no per-size shmem THP knobs on this kernel")
    d = tmpdir()
    cfg = write_config(d, """
[shm]
method = iouring, pvm-read
backing = anon-shared, memfd
size = 8M
order = 0, 4, pmd
repeat = 2
""")
    before = thp_knobs()
    p = run(["run", "-q", "--no-plot", "-o", d + "/run", cfg])
    assert p.returncode == 0, p.stderr
    assert thp_knobs() == before
    journal = open(d + "/run/knobs.saved").read()
    assert "shmem_enabled" in journal, journal
    rs = ok_rows(d + "/run/results.csv")
    assert {r["backing"] for r in rs} == {"anon-shared", "memfd"}
    for r in rs:
        assert r["order_got"] == r["folio_order"], (r["backing"], r["folio_order"], r["order_hist"])
        if r["op"] != "unpin":
            assert int(r["pins_acquired"]) == int(r["pages"]), r


@test
def test_hugetlb_pool_reserved_and_given_back():
    need_root()
    if not os.path.exists(HUGE + "/hugepages-2048kB"):
        raise Skip("no 2 MiB hugetlb pool on this kernel")
    d = tmpdir()
    cfg = write_config(d, """
[huge]
method = iouring, xdp-umem, pvm-write
backing = hugetlb-2M
size = 16M
repeat = 2
""")
    before = pools()
    p = run(["run", "-q", "--no-plot", "-o", d + "/run", cfg])
    assert p.returncode == 0, p.stderr
    assert pools() == before
    rs = rows(d + "/run/results.csv")
    skipped = [r for r in rs if r["status"] == "skip"]
    if skipped:
        # a kernel that cannot find 8 free huge pages says so, per row
        assert all("hugetlb pool" in r["reason"] for r in skipped), skipped
        raise Skip("hugetlb pages not available here: " + skipped[0]["reason"])
    for r in ok_rows(d + "/run/results.csv"):
        assert r["folio_order"] == "9" and r["order_got"] == "9", r
        assert r["order_hist"] == "o9=8", r
        assert int(r["pins_acquired"]) == int(r["pages"]) or r["op"] == "unpin", r


@test
def test_hugetlb_pool_given_back_after_sigint():
    need_root()
    if not os.path.exists(HUGE + "/hugepages-2048kB"):
        raise Skip("no 2 MiB hugetlb pool on this kernel")
    d = tmpdir()
    cfg = write_config(d, "[h]\nmethod = iouring\nbacking = hugetlb-2M\nsize = 8M\nrepeat = 100000\n")
    before = pools()
    proc = start_run(cfg, d + "/run")
    csv_path = d + "/run/results.csv"
    if any(r["status"] == "skip" for r in rows(csv_path)):
        proc.kill()
        proc.wait()
        raise Skip("hugetlb pages not available here")
    assert pools() != before, "the pool should have grown for the run"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGINT, (proc.returncode, err)
    assert pools() == before


@test
def test_file_backing_leaves_no_file():
    need_root()
    d = tmpdir()
    files = d + "/files"
    os.makedirs(files)
    cfg = write_config(d, """
[f]
method = pvm-read, pvm-write
backing = file
dir = %s
size = 4M
zero = 0, 0.5
repeat = 2
""" % files)
    p = run(["run", "-q", "--no-plot", "-o", d + "/run", cfg])
    assert p.returncode == 0, p.stderr
    assert os.listdir(files) == []
    rs = ok_rows(d + "/run/results.csv")
    assert len(rs) == 4 * 3, len(rs)  # 4 scenarios x (2 repeat + 1 warmup)
    for r in rs:
        assert r["pages_present"] == r["pages"], r
        # holes read are page-cache pages full of zeros, not the zero page
        assert r["zero_pages_got"] == "0", r
    # a worker that dies mid-run leaves nothing either
    p = run(["run", "-q", "--no-plot", "-o", d + "/run2", cfg],
            env={"GUPBENCH_TEST_CRASH_AFTER": "2"})
    assert p.returncode == 1, p.stderr
    assert os.listdir(files) == []


@test
def test_file_backing_refuses_longterm_write_pins():
    if tuple(int(x) for x in os.uname().release.split("-")[0].split(".")[:2]) < (6, 5):
        raise Skip("kernels before 6.5 allow long-term write pins of page-cache files")
    d = tmpdir()
    cfg = write_config(d, "[f]\nmethod = iouring\nbacking = file\nsize = 4M\n")
    p = run(["run", "-o", d + "/run", cfg])
    assert p.returncode == 2
    assert cfg + ":3: backing: iouring cannot pin file memory" in p.stderr, p.stderr
    assert not os.path.exists(d + "/run")


main()
