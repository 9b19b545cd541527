# SPDX-License-Identifier: GPL-2.0
"""End-to-end tests of the per-op kernel counters (c_* columns).

`gupbench run` on the running kernel: where the kernel must have done
the work, the counter says so (page allocations of MADV_POPULATE_WRITE,
of the peer's COW in pvm-write, mmap_lock rounds of the remote pin);
counters the machine cannot count say "unsupported", never 0; skip rows
have no counts; vmsplice's drain rows do not inherit the vmsplice calls'
counts. No test asserts a timing.
"""
import json
import os

from tap import Skip, main, need_kfeat, need_root, rows, run, test, tmpdir, write_config

HW = ("c_cycles", "c_instructions")
ALL = ("c_page_faults", "c_ctx_switches", "c_cpu_migrations", "cpu_ns",
       "c_page_allocs", "c_mmap_locks", "c_migrate_calls") + HW

_run = {}


def counters_run():
    """One run shared by the tests below."""
    if not _run:
        need_root()
        d = tmpdir()
        cfg = write_config(d, """
[global]
repeat = 3
warmup = 1

[populate]
method = populate-write
size = 4M, 32M
order = 0
populate = no

[remote]
method = pvm-write
size = 8M
zero = 0.5

[vmsplice]
method = vmsplice
size = 8M

[kernel]
method = gup-fast
size = 1M
""")
        p = run(["run", "-q", "--no-plot", "-o", d + "/run", cfg])
        assert p.returncode == 0, p.stderr
        _run["rows"] = rows(d + "/run/results.csv")
        _run["json"] = json.load(open(d + "/run/gbench.json"))
    return _run


def measured(r):
    return r["status"] in ("ok", "warmup")


def num(r, col):
    v = r[col]
    assert v not in ("", "unsupported"), (col, v, r["method"], r["op"])
    return int(v)


@test
def columns_and_schema():
    t = counters_run()["rows"]
    for r in t:
        assert r["schema"] == "3"
        for c in ALL:
            assert c in r, c


@test
def hardware_unsupported_not_zero():
    """Counted (then > 0) where the PMU is there, else "unsupported"."""
    for r in counters_run()["rows"]:
        if not measured(r):
            continue
        for c in HW:
            assert r[c] == "unsupported" or int(r[c]) > 0, (c, r[c])


@test
def populate_write_allocates():
    """Every page of a never-touched buffer is allocated inside the window,
    under one mmap_lock; and these are GUP faults, not page-fault events."""
    t = [r for r in counters_run()["rows"] if r["method"] == "populate-write"]
    ok = [r for r in t if r["status"] == "ok"]
    assert ok, t
    for r in ok:
        pages = int(r["pages"])
        assert num(r, "c_page_allocs") >= pages, (r["c_page_allocs"], pages)
        assert num(r, "c_mmap_locks") >= 1
        assert num(r, "c_page_faults") < pages, r["c_page_faults"]
        assert num(r, "cpu_ns") > 0


@test
def pvm_counts_come_from_the_peer():
    """pvm-write breaks COW on the worker's zero pages from the peer: the
    peer's counters see the allocations and one mmap_lock per round."""
    need_kfeat("zero_page")
    t = [r for r in counters_run()["rows"] if r["method"] == "pvm-write"]
    ok = [r for r in t if r["status"] == "ok"]
    assert ok, t
    for r in ok:
        pages = int(r["pages"])
        assert int(r["zero_pages_got"]) > 0, r["zero_pages_got"]
        assert num(r, "c_page_allocs") >= int(r["zero_pages_got"])
        assert num(r, "c_mmap_locks") >= pages // 1024


@test
def vmsplice_ops_apart():
    """The drain (op unpin) has its own counts: splice to /dev/null takes
    no mmap_lock and allocates no user pages."""
    t = [r for r in counters_run()["rows"] if r["method"] == "vmsplice"]
    unpin = [r for r in t if r["status"] == "ok" and r["op"] == "unpin"]
    assert unpin, t
    for r in unpin:
        assert num(r, "c_mmap_locks") == 0
        assert num(r, "c_page_allocs") < int(r["pages"]) // 8


@test
def skip_rows_have_no_counts():
    t = [r for r in counters_run()["rows"] if r["status"] in ("skip", "error")]
    if not t:
        raise Skip("no skip row in this run (gup_test is available here)")
    for r in t:
        for c in ALL:
            assert r[c] == "", (c, r[c])


@test
def json_context_says_which_are_live():
    ctx = counters_run()["json"]["context"]
    assert ctx.get("gupbench_counter_page-faults") == "live", ctx
    for name in ("cycles", "instructions"):
        v = ctx.get("gupbench_counter_" + name)
        assert v == "live" or v.startswith("unsupported"), v


@test
def list_shows_counters():
    out = run(["list"]).stdout
    assert "Counters" in out
    line = [x for x in out.splitlines() if x.strip().startswith("kmem:mm_page_alloc")]
    assert line, out
    if os.geteuid() == 0:
        assert line[0].rstrip().endswith("yes"), line
    else:
        assert "no:" in line[0] and "counters need root" in out


if __name__ == "__main__":
    main()
