# SPDX-License-Identifier: GPL-2.0
"""End-to-end tests of `gupbench run` on the running kernel.

They really pin pages and check what the kernel says: /proc/vmstat pin
deltas per row, pagemap/kpageflags readback, THP knobs restored after a
normal run, a crashed worker and SIGINT; and that bad input is refused
with file:line: key and nothing written. No test asserts a timing.
"""
import json
import math
import os
import signal
import subprocess

from tap import (GUPBENCH, THP, Skip, main, meta as meta_of, need_root, probe, rows, run, start_run,
                 test, thp_knobs, tmpdir, write_config)

PMD_ORDER = 9


def kernel_at_least(major, minor):
    rel = os.uname().release.split("-")[0].split(".")
    return (int(rel[0]), int(rel[1])) >= (major, minor)


def usable_methods():
    out = run(["list"]).stdout
    usable = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[-1] == "yes":
            usable.append(parts[0])
    return usable


def zero_chunks(size, order, ratio):
    """The worker's spread: chunk i is zero when floor((i+1)r) > floor(ir)."""
    chunks = size >> (12 + order)
    return sum(1 for i in range(chunks)
               if math.floor((i + 1) * ratio) > math.floor(i * ratio))


def by_scenario(table):
    out = {}
    for r in table:
        out.setdefault(r["scenario"], []).append(r)
    return out


def expected_acquired(r):
    """Pins the kernel should count for one pin of this row's buffer.

    A pin for write breaks COW first, so every page becomes a real page
    and is pinned. A read-only pin of the 4 KiB shared zero page is not
    counted since 6.5 (mm/gup.c: "Don't pin ZERO_PAGE", seed 000); the
    huge zero page is not covered by that check, so at PMD order its
    pages are counted like any other.
    """
    pages = int(r["pages"])
    if r["write"] == "1":
        return pages
    exempt = int(r["zero_pages_got"]) if int(r["folio_order"]) != PMD_ORDER else 0
    return pages - exempt if kernel_at_least(6, 5) else pages


_pin_run = {}


def pin_run():
    """One run shared by the pin-count and readback tests."""
    if not _pin_run:
        need_root()
        methods = [m for m in ("iouring", "xdp-umem", "pvm-read", "pvm-write")
                   if m in usable_methods()]
        if not methods:
            raise Skip("no FOLL_PIN method usable here (gupbench list)")
        d = tmpdir()
        cfg = write_config(d, """
[pins]
method = %s
size = 4M
order = 0, 4, pmd
zero = 0, 0.5
repeat = 3
warmup = 1
""" % ", ".join(methods))
        p = run(["run", "-q", "--no-plot", "-o", d + "/run", cfg])
        assert p.returncode == 0, p.stderr
        _pin_run.update(dir=d + "/run", rows=rows(d + "/run/results.csv"), methods=methods)
    return _pin_run


@test
def test_every_usable_method_has_ok_rows():
    pr = pin_run()
    seen = {r["method"] for r in pr["rows"] if r["status"] == "ok"}
    assert seen == set(pr["methods"]), (seen, pr["methods"])
    for sc, rs in by_scenario(pr["rows"]).items():
        ok = [r for r in rs if r["status"] == "ok"]
        warm = [r for r in rs if r["status"] == "warmup"]
        ops = {r["op"] for r in ok}
        # repeat=3 and warmup=1 per op, nothing more, nothing less
        assert len(ok) == 3 * len(ops), (sc, len(ok), ops)
        assert len(warm) == len(ops), (sc, len(warm))
        for r in ok:
            assert int(r["ns"]) > 0, r
            assert r["pins_exact"] == "1", r


@test
def test_pins_counted_by_the_kernel():
    pr = pin_run()
    for sc, rs in by_scenario(pr["rows"]).items():
        ok = [r for r in rs if r["status"] in ("ok", "warmup")]
        pins = [r for r in ok if r["op"] == "pin"]
        unpins = [r for r in ok if r["op"] == "unpin"]
        both = [r for r in ok if r["op"] == "pin+unpin"]
        for r in pins + both:
            want = expected_acquired(r)
            assert int(r["pins_acquired"]) == want, (
                "%s order %s zero %s: acquired %s, want %d" % (
                    r["method"], r["folio_order"], r["zero_ratio"], r["pins_acquired"], want))
        for r in both:
            # one call pins and unpins: balanced
            assert r["pins_released"] == r["pins_acquired"], r
        if pins:
            # What a pin leaves held is what the unpin must release. (io_uring
            # drops all but one pin per large folio while registering, so
            # "held" can be less than "acquired".)
            held = {int(r["pins_acquired"]) - int(r["pins_released"]) for r in pins}
            assert len(held) == 1, (sc, held)
            held = held.pop()
            assert held > 0, (sc, held)
            assert unpins, sc
            for r in unpins:
                assert int(r["pins_acquired"]) == 0, r
                assert int(r["pins_released"]) == held, (
                    "%s order %s: unpin released %s, pin held %d" % (
                        r["method"], r["folio_order"], r["pins_released"], held))


@test
def test_readback_matches_what_was_asked():
    pr = pin_run()
    scen = {r["scenario"]: r for r in rows(pr["dir"] + "/scenarios.csv")}
    for r in pr["rows"]:
        if r["status"] not in ("ok", "warmup"):
            continue
        order, size = int(r["folio_order"]), int(r["size_bytes"])
        want_zero = zero_chunks(size, order, float(r["zero_ratio"])) << order
        # what the kernel gives for zero chunks, as the probe found it: the
        # zero page, or (pvm_no_zero_page=1, use_zero_page=0) fresh pages,
        # which the row must then flag in mismatch
        answer = probe()["huge_zero_page" if order == 9 else "zero_page"][0]
        if want_zero and answer == "no":
            assert int(r["zero_pages_got"]) == 0, (r["scenario"], r["zero_pages_got"])
            assert r["mismatch"].startswith("zero pages 0 of %d asked" % want_zero), r["mismatch"]
        elif want_zero and answer == "unknown":
            pass
        else:
            assert int(r["zero_pages_got"]) == want_zero, (r["scenario"], r["zero_pages_got"], want_zero)
            assert "zero pages" not in r["mismatch"], r["mismatch"]
        assert int(r["pages_present"]) == int(r["pages"]), r
        # A THP allocation may fall back; the scenario's thp_fault_fallback
        # says so, and then a smaller order is what the kernel granted.
        fell_back = int(scen[r["scenario"]]["thp_fault_fallback"] or 0) > 0
        if r["zero_ratio"] != "1" and not fell_back:
            assert int(r["order_got"]) == order, (r["scenario"], r["order_got"], order, r["order_hist"])


@test
def test_outputs_meta_json_and_plots():
    need_root()
    d = tmpdir()
    cfg = write_config(d, "[a]\nmethod = iouring, gup-fast\nsize = 64k, 1M\nrepeat = 4\n")
    p = run(["run", "-q", "-o", d + "/run", cfg])
    assert p.returncode == 0, p.stderr
    meta = open(d + "/run/meta").read()
    for key in ("revision = ", "command = ", "release = ", "version = ", "cmdline = ",
                "cpu_model = ", "topology = ", "thp.enabled = ",
                "hugetlb.2048kB.nr_hugepages = ", "[config]", "| [a]", "status = complete"):
        assert key in meta, key
    assert cfg in meta
    # page movement during each scenario: event counters, so deltas >= 0,
    # empty only where this kernel lacks the counter (or the scenario was
    # skipped: gup-fast without the gup_test device)
    have = set(l.split()[0] for l in open("/proc/vmstat"))
    ran = [r for r in rows(d + "/run/scenarios.csv") if r["status"] == "ok"]
    assert ran
    for r in ran:
        for c in ("pgmigrate_success", "numa_pages_migrated", "compact_stall",
                  "pgsteal_kswapd", "pgsteal_direct", "pswpout"):
            assert (r[c] == "") == (c not in have), (c, r[c])
            assert r[c] == "" or int(r[c]) >= 0, (c, r[c])
    # the page-moving policies and workers, as the kernel has them now
    m = meta_of(d + "/run/meta")
    for name in ("vm/swappiness", "vm/overcommit_memory", "kernel/numa_balancing"):
        path = "/proc/sys/" + name
        if os.path.exists(path):
            want = open(path).read().strip()
            assert m[("knobs", "sysctl." + name.replace("/", "."))] == want, name
    if os.path.exists("/sys/kernel/mm/ksm/run"):
        assert m[("knobs", "ksm.run")] == open("/sys/kernel/mm/ksm/run").read().strip()
    damon = "/sys/kernel/mm/damon/admin/kdamonds"
    if os.path.exists(damon + "/nr_kdamonds"):
        n = int(open(damon + "/nr_kdamonds").read())
        assert m[("knobs", "damon.kdamonds")] == str(n)
        for k in range(n):
            state = open("%s/%d/state" % (damon, k)).read().strip()
            assert m[("knobs", "damon.kdamond%d" % k)].startswith(state), m
    header = open(d + "/run/results.csv").readline().strip().split(",")
    assert header[0] == "schema"
    for r in rows(d + "/run/results.csv"):
        assert None not in r.values() and None not in r, r
        assert r["schema"] == "3"
    doc = json.load(open(d + "/run/gbench.json"))
    assert "context" in doc and "kernel_release" in doc["context"]
    reps = [b for b in doc["benchmarks"] if b.get("run_type") == "iteration"]
    # 2 sizes x 2 ops x 4 repetitions of iouring; gup-fast skips or runs
    assert len([b for b in reps if "/iouring/" in b["name"]]) == 16, len(reps)
    pngs = [f for f in os.listdir(d + "/run/plots") if f.endswith(".png")]
    assert pngs and all(os.path.getsize(d + "/run/plots/" + f) > 1000 for f in pngs), pngs


@test
def test_skip_rows_say_why():
    if "gup-fast" in usable_methods():
        raise Skip("this kernel has CONFIG_GUP_TEST: gup-fast runs, nothing to skip")
    d = tmpdir()
    cfg = write_config(d, "[a]\nmethod = gup-fast, pin-longterm\nsize = 64k\n")
    p = run(["run", "-q", "--no-plot", "-o", d + "/run", cfg])
    assert p.returncode == 0, p.stderr
    rs = rows(d + "/run/results.csv")
    assert len(rs) == 4, rs  # one row per op per method
    for r in rs:
        assert r["status"] == "skip", r
        assert "gup_test" in r["reason"], r
        assert r["ns"] == "", r


def knob_run(extra_env=None, config=None):
    need_root()
    if not os.path.exists(THP + "/hugepages-64kB/enabled"):
        raise Skip("no multi-size THP knobs on this kernel")
    d = tmpdir()
    cfg = write_config(d, config or """
[knobs]
method = iouring
size = 4M
order = 4, pmd
repeat = 2
""")
    before = thp_knobs()
    p = run(["run", "-q", "--no-plot", "-o", d + "/run", cfg], env=extra_env)
    return d + "/run", before, p


@test
def test_knobs_restored_after_normal_run():
    out, before, p = knob_run()
    assert p.returncode == 0, p.stderr
    # the run did turn knobs (it journaled them) ...
    journal = open(out + "/knobs.saved").read()
    assert "hugepages-64kB/enabled" in journal, journal
    # ... and every one is back
    assert thp_knobs() == before
    assert "knobs_restored = restored" in open(out + "/meta").read()


@test
def test_knobs_restored_and_rows_kept_after_crashed_worker():
    out, before, p = knob_run(extra_env={"GUPBENCH_TEST_CRASH_AFTER": "3"})
    assert p.returncode == 1, (p.returncode, p.stderr)
    assert thp_knobs() == before
    rs = rows(out + "/results.csv")
    for sc, srows in by_scenario(rs).items():
        measured = [r for r in srows if r["status"] in ("ok", "warmup")]
        errors = [r for r in srows if r["status"] == "error"]
        # every worker crashed after its third row: those rows are on disk
        assert len(measured) == 3, (sc, len(measured))
        assert errors and all("Segmentation fault" in r["reason"] for r in errors), errors
    assert len(by_scenario(rs)) == 2  # the run went on to the next scenario


@test
def test_knobs_restored_and_rows_kept_after_sigint():
    need_root()
    if not os.path.exists(THP + "/hugepages-64kB/enabled"):
        raise Skip("no multi-size THP knobs on this kernel")
    d = tmpdir()
    cfg = write_config(d, "[long]\nmethod = iouring\nsize = 8M\norder = 4\nrepeat = 100000\n")
    before = thp_knobs()
    proc = start_run(cfg, d + "/run")
    csv_path = d + "/run/results.csv"
    assert thp_knobs() != before, "the run should have changed a knob by now"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGINT, (proc.returncode, err)
    assert thp_knobs() == before
    rs = rows(csv_path)
    assert len([r for r in rs if r["status"] in ("ok", "warmup")]) >= 5
    assert any(r["status"] == "interrupted" for r in rs), rs[-1]
    assert "status = interrupted" in open(d + "/run/meta").read()


@test
def test_restore_command_replays_journal():
    """restore writes back what knobs.saved lists, on a real knob (it
    refuses files gupbench never turns: tests/sys/test_hostile.py)."""
    need_root()
    knob = THP + "/enabled"
    if not os.path.exists(knob):
        raise Skip("no THP on this kernel")

    def now():
        return open(knob).read().split("[", 1)[1].split("]", 1)[0]

    orig = now()
    other = "never" if orig != "never" else "madvise"
    d = tmpdir()
    os.makedirs(d + "/run")
    try:
        with open(knob, "w") as f:
            f.write(other)
        with open(d + "/run/knobs.saved", "w") as f:
            f.write("%s\t%s\n" % (knob, orig))
        p = run(["restore", d + "/run"])
        assert p.returncode == 0, p.stderr
        assert now() == orig, (now(), orig)
    finally:
        with open(knob, "w") as f:
            f.write(orig)


BAD = [
    ("[a]\nmethod = iouring\nsize = 4k\nfoo = 1\n", ":4: foo: unknown key"),
    ("[a]\nmethod = nosuch\nsize = 4k\n", ":2: method: unknown method"),
    ("[a]\nmethod = iouring\nsize = 12Q\n", ":3: size: \"12Q\" is not a size"),
    ("[a]\nmethod = iouring\nsize = 4k\norder = 25\n", ":4: order: order 25"),
    ("[a]\nmethod = iouring\nsize = 4k\nzero = 1.5\n", ":4: zero: \"1.5\" is not a ratio"),
    ("[a]\nmethod = iouring\nsize = 512T\n", ":3: size: 512T is more than memory allows"),
]


@test
def test_bad_input_is_refused_and_nothing_written():
    for text, want in BAD:
        d = tmpdir()
        cfg = write_config(d, text)
        p = run(["run", "-o", d + "/run", cfg])
        assert p.returncode == 2, (text, p.returncode)
        lines = p.stderr.strip().splitlines()
        assert len(lines) == 1 and (cfg + want) in lines[0], (want, p.stderr)
        assert not os.path.exists(d + "/run"), "half-written output for: " + want


@test
def test_memlock_too_low_is_refused():
    need_root()
    # root without CAP_IPC_LOCK is charged against RLIMIT_MEMLOCK, like a user
    if subprocess.run(["which", "setpriv"], capture_output=True).returncode:
        raise Skip("setpriv (util-linux) not installed")
    d = tmpdir()
    cfg = write_config(d, "[a]\nmethod = iouring\nsize = 64M\n")
    p = subprocess.run(["setpriv", "--bounding-set", "-ipc_lock", "--inh-caps", "-ipc_lock",
                        "prlimit", "--memlock=1048576", GUPBENCH, "run", "-o", d + "/run", cfg],
                       capture_output=True, text=True)
    assert p.returncode == 2, (p.returncode, p.stderr)
    assert cfg + ":3: size: 64M is over RLIMIT_MEMLOCK (1M)" in p.stderr, p.stderr
    assert not os.path.exists(d + "/run")


main()
