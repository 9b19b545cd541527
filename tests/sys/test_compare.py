# SPDX-License-Identifier: GPL-2.0
"""`gupbench compare` end to end, on real runs of this kernel.

Small runs of one config (iouring and pvm-write, 256 MiB): with 4 KiB pages
(a second one for Google Benchmark's compare.py), with PMD THP, and one of
20 samples a point whose even and odd samples make an A/A pair. A/A reports
no change; 4 KiB against THP (joined with --ignore order) is an improvement, and the
reverse a regression, with exit status 0 and 1; usage errors exit 2 and a
run with no ok rows 125. Points on one side only are listed; every
format parses; a difference in the runs' meta is warned about. Inputs the
kernel cannot produce on demand (no ok rows, a missing point, another
cmdline) are made by editing a copy of a real run, and say so.

256 MiB buffers because those points vary least on this VM (README:
Comparing runs).
"""
import csv
import io
import json
import os
import pty
import shutil
import subprocess

from tap import GUPBENCH, Skip, main, meta, need_root, rows, run, test, tmpdir, write_config

CONFIG = """
[cmp]
method = iouring, pvm-write
size = 256M
order = %s
repeat = 10
warmup = 1
"""

_runs = {}


def real_run(name, order="0"):
    """One `gupbench run` per name, shared by the tests."""
    if name not in _runs:
        need_root()
        d = tmpdir()
        cfg = write_config(d, CONFIG % order)
        p = run(["run", "-q", "--no-plot", "-o", d + "/run", cfg])
        assert p.returncode == 0, p.stderr
        ok = [r for r in rows(d + "/run/results.csv") if r["status"] == "ok"]
        if not ok:
            raise Skip("no ok rows from iouring/pvm-write here: %s" % p.stderr.strip())
        _runs[name] = d + "/run"
    return _runs[name]


def compare(*args, env=None):
    return run(["compare"] + list(args), env=env)


def as_json(*args):
    p = compare("--format", "json", *args)
    return p, json.loads(p.stdout)


def tested(doc):
    return [x for x in doc["points"] if x["verdict"] != "not compared"]


def copy_run(src, keep=None, meta_edit=None):
    """A copy of a run directory, results.csv rows filtered by keep(row)."""
    d = tmpdir() + "/run"
    shutil.copytree(src, d)
    if keep:
        with open(src + "/results.csv", newline="") as f:
            r = csv.reader(f)
            head = next(r)
            body = [x for x in r if keep(dict(zip(head, x)))]
        with open(d + "/results.csv", "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(head)
            w.writerows(body)
    if meta_edit:
        text = open(d + "/meta").read()
        with open(d + "/meta", "w") as f:
            f.write(meta_edit(text))
    return d


@test
def test_self_compare_is_unchanged():
    a = real_run("a")
    p, doc = as_json(a, a)
    assert p.returncode == 0, p.stderr
    assert doc["warnings"] == [], doc["warnings"]
    pts = tested(doc)
    assert pts
    for x in pts:
        # the same samples: ratio 1, no evidence of a change, a CI around 1
        # (as wide as the run's own spread: a noisy point may be inconclusive)
        assert x["verdict"] in ("unchanged", "inconclusive"), x
        assert x["ratio"] == 1 and x["p"] == 1 and x["ci"][0] <= 1 <= x["ci"][1], x
    assert doc["summary"]["unchanged"] and doc["summary"]["exit_status"] == 0
    assert doc["summary"]["geomean_ratio"] == 1


@test
def test_aa_no_regression():
    """Two halves of one run, interleaved in time: no change either way.

    One run with 20 samples a point, split into its even and odd samples:
    the same scenarios, the same kernel, the same minutes of the host, so
    nothing differs but chance. Every point must come out unchanged or
    inconclusive (never a regression or an improvement), and the exit status
    must be what those verdicts imply. All points, the microsecond unpin of
    iouring included.

    Two separate runs are not an A/A on this VM: back to back, the same
    point moved by 0.63x to 1.28x (README: Comparing runs), a property of
    the host that no within-run statistic can see, so a test on them would
    test the host. 4 KiB against THP checks that real differences between
    two runs are found.

    Even halves of one run still differ by chance, and a test at alpha 0.05
    calls a chance difference real now and then: at the default 10%
    threshold the microsecond unpin, whose samples spread by 14%, is close
    enough to be called. At 25% a false call needs the halves' medians a
    quarter apart with q < 0.05, which interleaved samples do not give; a
    regression called here is a fault in compare, not the host's luck.
    """
    need_root()
    d = tmpdir()
    cfg = write_config(d, (CONFIG % "0").replace("repeat = 10", "repeat = 20"))
    p = run(["run", "-q", "--no-plot", "-o", d + "/run", cfg])
    assert p.returncode == 0, p.stderr
    whole = rows(d + "/run/results.csv")
    if not any(r["status"] == "ok" for r in whole):
        raise Skip("no ok rows from iouring/pvm-write here: %s" % p.stderr.strip())
    even = copy_run(d + "/run", keep=lambda r: int(r["rep"]) % 2 == 0)
    odd = copy_run(d + "/run", keep=lambda r: int(r["rep"]) % 2 == 1)
    assert len(rows(even + "/results.csv")) + len(rows(odd + "/results.csv")) == len(whole)
    p, doc = as_json("--threshold", "25%", even, odd)
    pts = tested(doc)
    assert {(x["key"]["method"], x["op"]) for x in pts} == {
        ("iouring", "pin"), ("iouring", "unpin"), ("pvm-write", "pin+unpin")}, doc["points"]
    for x in pts:
        assert x["base"]["n"] == 10 and x["new"]["n"] == 10, x
        assert x["verdict"] in ("unchanged", "inconclusive"), x
    status = 0 if doc["summary"]["unchanged"] else 125
    assert p.returncode == status == doc["summary"]["exit_status"], (p.returncode, doc["summary"])
    assert doc["summary"]["regression"] == 0 and doc["summary"]["improvement"] == 0


# 4 KiB against THP between two runs, on the points whose THP gain dwarfs
# the host's drift between runs: iouring pin (about 0.04x) and unpin (about
# 0.003x). pvm-write's gain (0.66x to 0.91x here, the copy dominates) is
# within that drift (0.63x to 1.28x), so its verdict would test the host.
THP = ("--ignore", "order", "--only", "method=iouring")


@test
def test_4k_against_thp():
    base, new = real_run("a"), real_run("thp", "pmd")
    p, doc = as_json(*THP, base, new)
    assert p.returncode == 0, p.stderr
    assert doc["ignored"] == ["order"] and "order" not in doc["keys"]
    pts = tested(doc)
    assert {(x["key"]["method"], x["op"]) for x in pts} == {
        ("iouring", "pin"), ("iouring", "unpin")}, pts
    for x in pts:
        assert x["key"]["order"] == {"base": "0", "new": "9"}, x["key"]
        assert x["verdict"] == "improvement", x
        assert x["ratio"] < 1 and x["ci"][1] < 1, x
    assert doc["summary"]["improvement"] == 2 and doc["summary"]["exit_status"] == 0
    # pvm-write is joined too, whatever its verdict
    p, doc = as_json("--ignore", "order", base, new)
    assert ("pvm-write", "pin+unpin") in {(x["key"]["method"], x["op"]) for x in tested(doc)}
    # the other way round: the same points are regressions, exit 1
    p, doc = as_json(*THP, new, base)
    assert p.returncode == 1, p.stderr
    assert {x["verdict"] for x in tested(doc)} == {"regression"}, doc["points"]
    p = compare("--format", "text", *THP, new, base)
    assert p.returncode == 1
    assert "order=9->0" in p.stdout, p.stdout


# 4 KiB pages only: a machine whose kernel offers no THP runs it as well
ROUNDS = """
[cmp]
method = iouring
size = 1M, 2M
order = 0
repeat = 5
warmup = 1
"""


@test
def test_rounds_and_invocations():
    """`run --runs 2`, twice a side: the invocation, not the round, is the unit.

    Each invocation's rows carry the round (run 0 and 1), every scenario in
    both rounds, and the same seed gives the same order. One invocation a
    side is tested on its rounds and says it cannot see the drift between
    invocations; two a side are tested on the invocations. The verdicts are
    the host's and are not asserted, only what the model was and says.
    """
    need_root()
    d = tmpdir()
    cfg = write_config(d, ROUNDS)
    orders = []
    for side in ("A", "B"):
        for i in (1, 2):
            out = "%s/%s/%d" % (d, side, i)
            p = run(["run", "-q", "--no-plot", "--runs", "2", "--seed", "7", "-o", out, cfg])
            assert p.returncode == 0, p.stderr
            table = rows(out + "/results.csv")
            if not any(r["status"] == "ok" for r in table):
                raise Skip("no ok rows from iouring here: %s" % p.stderr.strip())
            assert {r["run"] for r in table} == {"0", "1"}, {r["run"] for r in table}
            scen = {r["scenario"] for r in table}
            for k in ("0", "1"):
                assert {r["scenario"] for r in table if r["run"] == k} == scen
            order = []
            for r in table:
                if (r["run"], r["scenario"]) not in order:
                    order.append((r["run"], r["scenario"]))
            orders.append(order)
            m = meta(out + "/meta")
            assert m[("gupbench", "runs")] == "2", m
            assert "with seed 7;" in m[("gupbench", "order")], m
    assert all(o == orders[0] for o in orders), orders
    p, doc = as_json(d + "/A/1", d + "/B/1")
    pts = tested(doc)
    assert pts and {x["model"] for x in pts} == {"runs"}, [x["model"] for x in pts]
    for x in pts:
        assert x["base"]["runs"] == 2 and x["base"]["invocations"] == 1, x["base"]
    assert doc["method"]["one_invocation_a_side"] is True
    assert "One invocation on a side" in doc["method"]["text"]
    p, doc = as_json(d + "/A", d + "/B")
    pts = tested(doc)
    assert pts and {x["model"] for x in pts} == {"invocations"}, [x["model"] for x in pts]
    assert doc["method"]["model"] == "invocations"
    assert doc["method"]["one_invocation_a_side"] is False
    for x in pts:
        for s in ("base", "new"):
            assert x[s]["runs"] == 4 and x[s]["invocations"] == 2, x[s]
            assert x[s]["n"] == 20, x[s]
        assert x["df"] is not None and x["floor"] is not None, x
    p = compare("--format", "text", d + "/A", d + "/B")
    assert "between invocations' means" in " ".join(p.stdout.split()), p.stdout
    p = compare("--format", "csv", d + "/A", d + "/B")
    table = list(csv.DictReader(io.StringIO(p.stdout)))
    assert {r["model"] for r in table} == {"invocations"}
    assert {r["invocations_base"] for r in table} == {"2"}


@test
def test_unjoined_points_are_listed():
    """Without --ignore order no point joins: each is listed, exit 125."""
    base, new = real_run("a"), real_run("thp", "pmd")
    p = compare("--format", "text", base, new)
    assert p.returncode == 125, p.stdout + p.stderr
    assert "Not compared" in p.stdout
    listed = [line for line in p.stdout.splitlines() if "absent" in line]
    assert any("order=0" in line and "base ok; new absent" in line for line in listed), p.stdout
    assert any("order=9" in line and "base absent; new ok" in line for line in listed), p.stdout
    # a point missing from one side of an otherwise joined pair: made by
    # dropping pvm-write from a copy of a real run
    a = real_run("a")
    cut = copy_run(a, keep=lambda r: r["method"] != "pvm-write")
    p, doc = as_json(a, cut)
    gone = [x for x in doc["points"] if x["key"]["method"] == "pvm-write"]
    assert len(gone) == 1 and gone[0]["verdict"] == "not compared", gone
    assert gone[0]["base"]["state"] == "ok" and gone[0]["new"]["state"] == "absent"
    # the joined points are the same samples on both sides: never a change;
    # a noisy run (a host episode) can leave them inconclusive, and then
    # the exit status must say so (125), not 0
    joined = tested(doc)
    assert joined and all(x["verdict"] in ("unchanged", "inconclusive") for x in joined), joined
    want = 0 if any(x["verdict"] == "unchanged" for x in joined) else 125
    assert p.returncode == want, (want, p.returncode, p.stderr)


@test
def test_same_point_in_two_jobs_is_pooled():
    """Jobs are not part of the key: [one] and [two] measure the point of
    [cmp] twice; both are pooled against it, and pvm-write, not in this
    run, is listed."""
    need_root()
    d = tmpdir()
    cfg = write_config(d, "[one]\nmethod = iouring\nsize = 256M\nrepeat = 5\n"
                          "[two]\nmethod = iouring\nsize = 256M\nrepeat = 5\n")
    p = run(["run", "-q", "--no-plot", "-o", d + "/run", cfg])
    assert p.returncode == 0, p.stderr
    p, doc = as_json(d + "/run", real_run("a"))
    io_pts = [x for x in doc["points"] if x["key"]["method"] == "iouring"]
    assert len(io_pts) == 2, io_pts     # pin and unpin, each one point
    for x in io_pts:
        assert x["base"]["scenarios"] == 2 and x["base"]["n"] == 10, x["base"]
        assert x["new"]["scenarios"] == 1 and x["new"]["n"] == 10, x["new"]
        assert x["verdict"] != "not compared"
    pvm = [x for x in doc["points"] if x["key"]["method"] == "pvm-write"]
    assert len(pvm) == 1 and pvm[0]["base"]["state"] == "absent"
    p = compare("--format", "text", d + "/run", real_run("a"))
    assert "10/10*" in p.stdout and "* pooled" in p.stdout, p.stdout
    assert "base absent; new ok" in p.stdout, p.stdout


@test
def test_no_ok_rows_is_125():
    """A run whose every row is warmup (as if stopped after warm-up)."""
    a = real_run("a")
    warm = copy_run(a, keep=lambda r: r["status"] == "warmup")
    p = compare("--format", "text", a, warm)
    assert p.returncode == 125, p.stdout + p.stderr
    assert "new warmup only" in p.stdout, p.stdout
    assert "0 unchanged" in p.stdout


@test
def test_usage_errors_exit_2():
    a = real_run("a")
    d = tmpdir()
    notours = write_config(d, "a,b\n1,2\n", "x.csv")
    for args in ([], [a], [a, a, a], ["--format", "html", a, a], ["--threshold", "x", a, a],
                 ["--alpha", "2", a, a], ["--min-samples", "0", a, a],
                 ["--ignore", "colour", a, a], ["--only", "method=nothing-like-this", a, a],
                 ["--only", "(", a, a], [a, d + "/nonexistent"], [a, notours],
                 ["--bogus", a, a]):
        p = compare(*args)
        assert p.returncode == 2, (args, p.returncode, p.stdout, p.stderr)
        assert p.stderr.strip(), args
    # --ignore that would pool different points of one run is refused too
    both = copy_run(a)
    with open(real_run("thp", "pmd") + "/results.csv") as f:
        lines = f.read().splitlines()[1:]
    with open(both + "/results.csv", "a") as f:
        f.write("\n".join(lines) + "\n")
    p = compare("--ignore", "order", both, a)
    assert p.returncode == 2 and "pool different points" in p.stderr, p.stderr


@test
def test_formats_parse():
    base, new = real_run("a"), real_run("thp", "pmd")
    args = [*THP, base, new]
    p = compare("--format", "csv", *args)
    assert p.returncode == 0, p.stderr
    table = list(csv.DictReader(io.StringIO(p.stdout)))
    assert table and all(r["schema"] == "2" for r in table)
    assert {r["verdict"] for r in table} == {"improvement"}, table
    for r in table:
        assert 0 < float(r["ci_lo"]) <= float(r["ci_hi"]) < 1 and float(r["ratio"]) < 1, r
        assert r["order_base"] == "0" and r["order_new"] == "9"
    assert "Summary: 0 regressions, 2 improvements" in p.stderr, p.stderr

    p = compare("--format", "markdown", *args)
    lines = p.stdout.splitlines()
    head = [i for i, line in enumerate(lines) if line.startswith("| scenario | op |")]
    assert head and lines[head[0] + 1].startswith("|---"), p.stdout
    assert sum("**improvement**" in line for line in lines) == 2, p.stdout

    for fmtname in ("text", None):
        p = compare(*(["--format", fmtname] if fmtname else []) + args)
        assert p.returncode == 0
        long = [line for line in p.stdout.splitlines() if len(line) > 80]
        assert not long, long
        assert "\033[" not in p.stdout   # not a tty: text, no colour
        assert "Hodges-Lehmann" in p.stdout and "Mann-Whitney" in p.stdout
        assert "geometric mean ratio" in " ".join(p.stdout.split())

    p, doc = as_json(*args)
    s = doc["summary"]
    assert sum(s[v] for v in ("regression", "improvement", "unchanged", "inconclusive",
                              "not compared")) == len(doc["points"])
    assert 0 < s["geomean_ratio"] < 1

    # -o FILE
    out = tmpdir() + "/cmp.json"
    p = compare("--format", "json", "-o", out, *args)
    assert p.returncode == 0 and p.stdout == ""
    assert json.load(open(out))["summary"]["improvement"] == 2


def on_a_tty(args, env=None):
    """Run gupbench with stdout on a pseudo-terminal; return what it wrote."""
    master, slave = pty.openpty()
    e = dict(os.environ)
    e.pop("NO_COLOR", None)
    e["TERM"] = "xterm"
    e.update(env or {})
    p = subprocess.Popen([GUPBENCH] + args, stdout=slave, stderr=subprocess.PIPE, env=e)
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    p.wait()
    os.close(master)
    return p.returncode, out.decode()


@test
def test_colour_only_on_a_tty():
    base, new = real_run("a"), real_run("thp", "pmd")
    rc, out = on_a_tty(["compare", *THP, base, new])
    assert rc == 0
    assert "\033[32mimprovement\033[0m" in out, repr(out[-400:])
    rc, out = on_a_tty(["compare", *THP, base, new], env={"NO_COLOR": "1"})
    assert "\033[" not in out


@test
def test_meta_difference_warned():
    """Another cmdline and THP setting in NEW's meta (edited copy of a real run)."""
    a = real_run("a")

    def edit(text):
        out = []
        for line in text.splitlines():
            if line.startswith("cmdline = "):
                line += " gupbench.test=1"
            elif line.startswith("thp.enabled = "):
                line = "thp.enabled = [always] madvise never"
            elif line.startswith("revision = "):
                line = "revision = 0000000"
            elif line.startswith("sysctl.vm.swappiness = "):
                line = "sysctl.vm.swappiness = 1"
            elif line.startswith("ksm.run = "):
                line = "ksm.run = 1"
            out.append(line)
        return "\n".join(out) + "\n"

    other = copy_run(a, meta_edit=edit)
    p, doc = as_json(a, other)
    what = {w["what"]: w for w in doc["warnings"]}
    assert what["[kernel] cmdline"]["new"] == "only in new: gupbench.test=1", what
    assert what["[knobs] thp.enabled"]["new"] == "always", what
    assert what["[gupbench] revision"]["new"] == "0000000", what
    assert what["[knobs] sysctl.vm.swappiness"]["new"] == "1", what
    if os.path.exists("/sys/kernel/mm/ksm/run"):
        assert what["[knobs] ksm.run"]["new"] == "1", what
    assert not any(w["expected"] for w in doc["warnings"])
    p = compare("--format", "text", a, other)
    assert "WARNING: the runs differ" in p.stdout and "gupbench.test=1" in p.stdout, p.stdout
    assert not [line for line in p.stdout.splitlines() if len(line) > 80]
    # terminal and csv keep their output clean: warnings on stderr
    p = compare("--format", "terminal", a, other)
    assert "WARNING" not in p.stdout and "[knobs] thp.enabled" in p.stderr, p.stderr
    p = compare("--format", "csv", a, other)
    assert "[kernel] cmdline" in p.stderr


@test
def test_gbench_json_reads_in_compare_py():
    """Google Benchmark's compare.py (Debian: libbenchmark-tools) on two runs."""
    tool = "/usr/share/benchmark/compare.py"
    if not os.path.exists(tool):
        raise Skip("no %s (Debian package libbenchmark-tools)" % tool)
    # compare.py needs scipy and numpy, from Debian's python3 (not a pyenv one)
    py = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else "python3"
    if subprocess.run([py, "-c", "import scipy, numpy"], capture_output=True).returncode:
        raise Skip("compare.py needs python3-scipy and python3-numpy (Debian packages)")
    a, a2 = real_run("a"), real_run("a2")
    p = subprocess.run([py, tool, "benchmarks", a + "/gbench.json", a2 + "/gbench.json"],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert "/iouring/anon/size:256M/order:0" in p.stdout and "U Test" in p.stdout, p.stdout[:2000]
    # 4 KiB against THP: the same benchmarks but for the order in their names
    t = real_run("thp", "pmd")
    p = subprocess.run([py, tool, "benchmarksfiltered", a + "/gbench.json", "order:0",
                        t + "/gbench.json", "order:9"], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert "[order:0 vs. order:9]" in p.stdout, p.stdout[:2000]


main()
