# SPDX-License-Identifier: GPL-2.0
"""report, the ratio chart and bisect-check, on real runs of this kernel.

4 KiB pages against PMD THP is a difference no VM noise hides (about 15x
for io_uring pins), so it gives a known direction: THP as the new run is
good, 4 KiB as the new run is bad. The bisect exit codes are the ones
`git bisect run` reads: 0 good, 1 bad, 125 skip, 128 abort.
"""
import os
import subprocess

from tap import GUPBENCH, main, need_root, run, test, tmpdir, write_config

CFG = "[b]\nmethod = iouring\nsize = 64M\norder = %s\nrepeat = %d\n"
_runs = {}


def make_run(order, repeat=10):
    key = (order, repeat)
    if key not in _runs:
        d = tmpdir()
        cfg = write_config(d, CFG % (order, repeat))
        p = run(["run", "-q", "-o", d + "/run", cfg])
        assert p.returncode == 0, p.stderr
        _runs[key] = (d + "/run", cfg)
    return _runs[key]


@test
def test_report_is_complete_and_self_contained():
    need_root()
    base, _ = make_run("0")
    new, _ = make_run("pmd")
    out = tmpdir() + "/rep"
    p = run(["report", "--ignore", "order", "-o", out, base, new])
    assert p.returncode == 0, p.stderr  # THP is faster: no regression
    md = open(out + "/report.md").read()
    for part in ("## What was compared", "## Comparison", "## Plots", "## Configs",
                 "## Reproduce", "improvement", base, new):
        assert part in md, part
    # the exact commands of both runs, from their meta
    for d in (base, new):
        cmd = [l for l in open(d + "/meta") if l.startswith("command = ")][0][10:].strip()
        assert cmd in md, cmd
    # every image the report shows is beside it, and not empty
    for line in md.splitlines():
        if line.startswith("!["):
            img = line[line.index("(") + 1:line.index(")")]
            assert os.path.getsize(os.path.join(out, img)) > 1000, img
    assert "ratio-vs-base.png" in md
    txt = open(out + "/report.txt").read()
    assert "Summary:" in txt and "Reproduce:" in txt
    # a mail: 80 columns, but for the commands to paste (never wrapped)
    prose = txt.split("\nReproduce:\n")[0].splitlines()
    assert all(len(l) <= 80 for l in prose), [l for l in prose if len(l) > 80][:3]
    assert os.path.getsize(out + "/compare.json") > 100


@test
def test_plot_with_base_draws_the_ratio_chart():
    need_root()
    base, _ = make_run("pmd")
    # A/A: the same points on both sides, so every point is tested
    new, _ = make_run("pmd", repeat=11)
    p = run(["plot", new, base])
    assert p.returncode == 0, p.stderr
    assert os.path.getsize(new + "/plots/ratio-vs-base.png") > 1000
    dat = open(new + "/plots/ratio-vs-base.dat").read().splitlines()
    assert len([l for l in dat if not l.startswith("#")]) == 2  # pin and unpin


def bisect(baseline, cfg, *extra):
    out = tmpdir() + "/new"
    return subprocess.run([GUPBENCH, "bisect-check", "--baseline", baseline, "-o", out,
                           *extra, cfg], capture_output=True, text=True)


@test
def test_bisect_check_good_and_bad():
    need_root()
    thp, thp_cfg = make_run("pmd")
    k4, k4_cfg = make_run("0")
    # the new kernel's run is 4 KiB against a THP baseline: a regression
    p = bisect(thp, k4_cfg, "--ignore", "order", "--only", "op=pin")
    assert p.returncode == 1, (p.returncode, p.stdout, p.stderr)
    assert "regression" in p.stdout
    p = bisect(k4, thp_cfg, "--ignore", "order", "--only", "op=pin")
    assert p.returncode == 0, (p.returncode, p.stdout, p.stderr)


@test
def test_bisect_check_skip_and_abort():
    need_root()
    few, few_cfg = make_run("pmd", repeat=3)
    # three samples a side cannot decide anything: skip this revision
    p = bisect(few, few_cfg)
    assert p.returncode == 125, (p.returncode, p.stderr)
    # no baseline, a broken config, bad usage: stop the bisection
    d = tmpdir()
    p = bisect(d + "/nothing", few_cfg)
    assert p.returncode == 128, p.returncode
    bad = write_config(d, "[b]\nmethod = iouring\nsize = 12Q\n")
    p = bisect(few, bad)
    assert p.returncode == 128 and "12Q" in p.stderr, (p.returncode, p.stderr)
    p = subprocess.run([GUPBENCH, "bisect-check", few_cfg], capture_output=True, text=True)
    assert p.returncode == 128


main()
