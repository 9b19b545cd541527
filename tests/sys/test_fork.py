# SPDX-License-Identifier: GPL-2.0
"""End-to-end tests of the fork method through `gupbench run`.

A small matrix (4 MiB, 4 KiB pages and PMD THP, pinned = yes, no,
dontfork) must give ok rows for the three ops (fork, child-write,
fork-exit-wait), except child-write under MADV_DONTFORK, which is a skip
with its reason; fork takes and drops no pin (only the setup pin, on the
scenario's first row, shows in pins_acquired). A pin method that cannot
hold a pin is refused at config time with file:line and nothing written.
No timing is asserted: the pinned/unpinned fork ratio is printed.
"""
import os
import statistics

from tap import Skip, main, need_root, rows, run, test, tmpdir, write_config

OPS = ("fork", "child-write", "fork-exit-wait")
DONTFORK_WHY = "MADV_DONTFORK: the child has no copy of the buffer"


def usable(name):
    for line in run(["list"]).stdout.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0] == name:
            return parts[-1] == "yes"
    return False


_fork_run = {}


def fork_run():
    if not _fork_run:
        need_root()
        if not usable("iouring"):
            raise Skip("iouring (the default pin_method) is not usable here (gupbench list)")
        d = tmpdir()
        cfg = write_config(d, """
[fork]
method = fork
size = 4M
order = 0, pmd
pinned = yes, no, dontfork
repeat = 3
warmup = 1
""")
        p = run(["run", "-q", "--no-plot", "-o", d + "/run", cfg])
        assert p.returncode == 0, p.stderr
        _fork_run.update(rows=rows(d + "/run/results.csv"))
    return _fork_run


def by_scenario(table):
    out = {}
    for r in table:
        out.setdefault(r["scenario"], []).append(r)
    return out


def pinned_of(rs):
    """The pinned key of a scenario, from its note (the CSV has no column for it)."""
    note = rs[0]["note"]
    if "MADV_DONTFORK" in note:
        return "dontfork"
    if note.startswith("not pinned"):
        return "no"
    assert note.startswith("pinned by"), note
    return "yes"


@test
def test_three_ops_ok_and_dontfork_skips_child_write():
    scs = by_scenario(fork_run()["rows"])
    assert len(scs) == 6, sorted(scs)
    seen = set()
    for sc, rs in scs.items():
        pinned = pinned_of(rs)
        seen.add((rs[0]["folio_order"], pinned))
        for r in rs:
            assert r["method"] == "fork" and r["ref"] == "none", r
            assert r["status"] in ("ok", "warmup", "skip"), r
        for op in OPS:
            mine = [r for r in rs if r["op"] == op]
            ok = [r for r in mine if r["status"] == "ok"]
            if pinned == "dontfork" and op == "child-write":
                assert mine and all(r["status"] == "skip" for r in mine), mine
                assert all(DONTFORK_WHY in r["reason"] for r in mine), mine
                continue
            assert len(ok) == 3, (sc, op, len(ok))
            assert len([r for r in mine if r["status"] == "warmup"]) == 1, (sc, op)
            assert all(int(r["ns"]) > 0 for r in ok), ok
    assert seen == {(o, p) for o in ("0", "9") for p in ("yes", "no", "dontfork")}, seen


@test
def test_fork_takes_no_pin():
    for sc, rs in by_scenario(fork_run()["rows"]).items():
        pinned = pinned_of(rs)
        measured = [r for r in rs if r["status"] in ("ok", "warmup")]
        first, rest = measured[0], measured[1:]
        assert first["op"] == "fork" and first["status"] == "warmup", first
        # the pin is taken once, before the first fork (the worker builds
        # the buffer after init): that row's window shows it
        want = int(first["pages"]) if pinned != "no" else 0
        assert int(first["pins_acquired"]) == want, (pinned, first)
        for r in rest:
            assert r["pins_exact"] == "1", r
            assert int(r["pins_acquired"]) == 0 and int(r["pins_released"]) == 0, r


@test
def test_ratio_reported():
    """No assertion on times: the ratio goes to the TAP log."""
    med = {}
    for sc, rs in by_scenario(fork_run()["rows"]).items():
        for op in ("fork", "child-write"):
            ns = [int(r["ns"]) for r in rs if r["op"] == op and r["status"] == "ok"]
            if ns:
                med[(rs[0]["folio_order"], pinned_of(rs), op)] = statistics.median(ns)
    for order in ("0", "9"):
        a, b = med[(order, "yes", "fork")], med[(order, "no", "fork")]
        print("# 4 MiB order %s: fork pinned %d ns / unpinned %d ns = %.1fx; child-write "
              "pinned %d ns, unpinned %d ns" % (order, a, b, a / b,
                                                med[(order, "yes", "child-write")],
                                                med[(order, "no", "child-write")]), flush=True)


@test
def test_pin_method_without_a_held_pin_is_refused():
    d = tmpdir()
    cfg = write_config(d, "[a]\nmethod = fork\nsize = 4M\npinned = yes\npin_method = pvm-read\n")
    p = run(["run", "-o", d + "/run", cfg])
    assert p.returncode == 2, (p.returncode, p.stderr)
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and cfg + ":2: method: fork cannot take this scenario" in lines[0], \
        p.stderr
    assert "pvm-read does not hold a pin" in lines[0], p.stderr
    assert not os.path.exists(d + "/run")


main()
