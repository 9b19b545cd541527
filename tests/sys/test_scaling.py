# SPDX-License-Identifier: GPL-2.0
"""CPU scaling end to end: threads start together, each on its own CPU.

Every round has one row per thread; each thread ran on the CPU it was
bound to from start to end of its op; the round's pin count is all
threads' pages; summary reports the aggregate rate and efficiency.
"""
import os

from tap import Skip, main, need_root, rows, run, test, tmpdir, write_config


def ncpus():
    return len(os.sched_getaffinity(0))


def run_cfg(text):
    d = tmpdir()
    cfg = write_config(d, text)
    p = run(["run", "-q", "--no-plot", "-o", d + "/run", cfg])
    assert p.returncode == 0, p.stderr
    return d + "/run", rows(d + "/run/results.csv")


@test
def test_threads_bound_and_counted():
    need_root()
    if ncpus() < 2:
        raise Skip("needs 2 CPUs, this machine has %d" % ncpus())
    out, rs = run_cfg("[s]\nmethod = iouring, pvm-read\nsize = 4M\nthreads = 2\n"
                      "share = private, shared\nrepeat = 3\n")
    measured = [r for r in rs if r["status"] in ("ok", "warmup")]
    assert measured
    rounds = {}
    for r in measured:
        rounds.setdefault((r["scenario"], r["op"], r["status"], r["rep"]), []).append(r)
    for key, rr in rounds.items():
        assert sorted(r["thread"] for r in rr) == ["0", "1"], key
        cpus = {r["cpu_bound"] for r in rr}
        assert len(cpus) == 2 and "-1" not in cpus, (key, cpus)
        for r in rr:
            # the thread ran where it was bound, from start to end of the op
            assert r["cpu_start"] == r["cpu_bound"] == r["cpu_end"], r
            assert r["threads"] == "2"
            assert int(r["round_ns"]) >= int(r["ns"]) > 0, r
        # vmstat is machine-wide: the round's pins are both threads'
        if rr[0]["op"] in ("pin", "pin+unpin"):
            assert int(rr[0]["pins_acquired"]) == 2 * int(rr[0]["pages"]), rr[0]
        assert rr[0]["round_ns"] == rr[1]["round_ns"]
        assert int(rr[0]["round_ns"]) == max(int(r["ns"]) for r in rr)


@test
def test_threads_all_means_every_cpu():
    need_root()
    _, rs = run_cfg("[s]\nmethod = iouring\nsize = 4M\nthreads = all\nrepeat = 2\n")
    ok = [r for r in rs if r["status"] == "ok"]
    assert ok and all(r["threads"] == str(ncpus()) for r in ok), ok[0]["threads"]
    assert {r["thread"] for r in ok} == {str(i) for i in range(ncpus())}


@test
def test_more_threads_than_cpus_is_a_skip():
    need_root()
    _, rs = run_cfg("[s]\nmethod = iouring\nsize = 4M\nthreads = %d\nrepeat = 2\n" % (ncpus() + 1))
    assert rs and all(r["status"] == "skip" for r in rs), rs
    assert "one thread per CPU" in rs[0]["reason"], rs[0]["reason"]


@test
def test_summary_reports_scaling():
    need_root()
    if ncpus() < 2:
        raise Skip("needs 2 CPUs")
    out, _ = run_cfg("[s]\nmethod = iouring\nsize = 4M\nthreads = 1, 2\nrepeat = 3\n")
    p = run(["summary", out])
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    i = next(k for k, l in enumerate(lines) if l.startswith("Scaling"))
    pin = [l for l in lines[i:] if l.startswith("pin ") and " iouring " in l]
    assert pin, p.stdout
    eff = float(pin[0].split()[-1])
    assert 0 < eff < 10, pin[0]


main()
