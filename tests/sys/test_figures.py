# SPDX-License-Identifier: GPL-2.0
"""The figures of a run: one panel per method, colour per folio order,
legends that name only what varies.

A run of configs/quick.ini (iouring and xdp-umem, 4M to 256M, 4 KiB and
PMD, zero 0 and 0.5) is drawn, and each figure is read back through the
data file beside it, whose comment lines say how each series looks
("# panel M; colour #RRGGBB (order N), dash D, point P (backing)") and
whose block headers are the legend titles. Asserted: every figure's PNG
and SVG exist and are not empty; a legend title never names a key that
is the same for every series of its figure (here: the backing, anon);
a folio order has one colour in every figure, and two orders never share
one; the panels are the methods, in order; the overview has a bar per op
and order at each method's largest size; the ratio chart's axis holds
the intervals, 1 and the threshold, not fixed decades.
"""
import csv
import os
import re
import shutil

from tap import main, need_root, run, test, tmpdir

TOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
LOOK = re.compile(r"^# panel (\S+); colour #([0-9a-f]{6}) \(order (-?\d+)\), dash (\d+), "
                  r"point (\d+) \((\S+)\)$")

_run = {}


def quick_run():
    if not _run:
        need_root()
        d = tmpdir()
        p = run(["run", "-q", "-o", d + "/run", os.path.join(TOP, "configs", "quick.ini")],
                timeout=600)
        assert p.returncode == 0, p.stderr
        _run["dir"] = d + "/run"
    return _run["dir"]


def figures(plots):
    """{stem: [(look dict, legend title)]} from each figure's data file."""
    out = {}
    for name in sorted(os.listdir(plots)):
        if not name.endswith(".dat") or name.startswith(("ratio", "overview")):
            continue
        series, look = [], None
        for line in open(os.path.join(plots, name)):
            m = LOOK.match(line.strip())
            if m:
                look = dict(panel=m.group(1), colour=m.group(2), order=int(m.group(3)),
                            dash=int(m.group(4)), point=int(m.group(5)), backing=m.group(6))
            elif line.startswith('"'):
                series.append((look, line.split('"')[1]))
                look = None
        out[name[:-4]] = series
    return out


@test
def test_every_figure_drawn_and_legends_name_what_varies():
    d = quick_run()
    plots = d + "/plots"
    figs = figures(plots)
    assert figs, os.listdir(plots)
    for stem, series in figs.items():
        for ext in ("png", "svg"):
            path = "%s/%s.%s" % (plots, stem, ext)
            assert os.path.getsize(path) > 5000, path
        assert series and all(look for look, _ in series), (stem, series)
        titles = [t for _, t in series]
        # quick.ini is all anon: no legend says so, the subtitle does
        assert not any("anon" in t for t in titles), (stem, titles)
        # nor the method: it is the panel
        assert not any(m in t for t in titles for m in ("iouring", "xdp-umem")), (stem, titles)
        panels = [look["panel"] for look, _ in series]
        assert panels == sorted(panels), (stem, panels)      # contiguous, in order
    assert_distinct_looks(figs)


def assert_distinct_looks(figs):
    """Within a panel, two series never look the same."""
    for stem, series in figs.items():
        seen = set()
        for look, title in series:
            key = (look["panel"], look["colour"], look["dash"], look["point"])
            assert key not in seen, (stem, series)
            seen.add(key)


@test
def test_threads_and_variants_look_apart():
    """Where the dash's key does not vary, what does takes the dash: threads
    and sharing in ns-per-page, pinned or not in fork."""
    need_root()
    d = tmpdir()
    cfg = os.path.join(d, "tf.ini")
    with open(cfg, "w") as f:
        f.write("[s]\nmethod = iouring\nsize = 2M, 4M\nthreads = 1, 2\n"
                "share = private, shared\nrepeat = 3\n"
                "[f]\nmethod = fork\nsize = 2M, 4M\npinned = yes, no\nrepeat = 3\n")
    p = run(["run", "-q", "-o", d + "/run", cfg], timeout=600)
    assert p.returncode == 0, p.stderr
    figs = figures(d + "/run/plots")
    assert "ns-per-page-pin" in figs and "fork-fork" in figs, sorted(figs)
    assert_distinct_looks(figs)
    titles = [t for _, t in figs["ns-per-page-pin"]]
    assert "order 0 2 threads shared" in titles or "2 threads shared" in titles, titles


@test
def test_one_colour_per_order_in_every_figure():
    figs = figures(quick_run() + "/plots")
    colour = {}
    for stem, series in figs.items():
        for look, title in series:
            colour.setdefault(look["order"], set()).add(look["colour"])
    assert 0 in colour, colour          # 4 KiB runs everywhere; PMD where THP does
    assert all(len(c) == 1 for c in colour.values()), colour
    assert len({min(c) for c in colour.values()}) == len(colour), colour   # orders apart
    # the same order in two figures of two runs: the same colour (it is fixed)
    fixed = {0: "0072b2", 9: "d55e00"}
    for order, c in colour.items():
        if order in fixed:
            assert c == {fixed[order]}, colour


@test
def test_overview_figure():
    """plots/overview.png: each method at its largest size, a bar per op
    and order, the GUP path named beside the method."""
    plots = quick_run() + "/plots"
    for ext in ("png", "svg"):
        assert os.path.getsize("%s/overview.%s" % (plots, ext)) > 5000
    rows = [line for line in open(plots + "/overview.dat") if line.startswith('"')]
    labels = [r.split('"')[1] for r in rows]
    ran = []
    for r in csv.DictReader(open(quick_run() + "/results.csv")):
        if r["status"] == "ok" and r["method"] not in ran:
            ran.append(r["method"])
    # every method that ran, with its path and largest size
    assert sorted(lab.split(" (")[0] for lab in labels) == sorted(ran), (labels, ran)
    paths = {"iouring": "fast", "xdp-umem": "slow", "pvm-read": "remote", "pvm-write": "remote"}
    for lab in labels:
        m = lab.split(" (")[0]
        assert lab == "%s (%s, 256M)" % (m, paths[m]), lab
    head = [line for line in open(plots + "/overview.dat") if line.startswith("# method")][0]
    assert '"pin 4 KiB"' in head and '"unpin 4 KiB"' in head, head
    # every bar there is a median within its quartiles
    for row in rows:
        cells = row.split('"')[2].split()
        for c in range(0, len(cells), 3):
            if cells[c] != "?":
                med, p25, p75 = (float(x) for x in cells[c:c + 3])
                assert p25 <= med <= p75, row


@test
def test_ratio_axis_fits_the_intervals():
    d = quick_run()
    base = os.path.join(tmpdir(), "base")
    shutil.copytree(d, base)
    p = run(["plot", d, base])
    assert p.returncode == 0, p.stderr
    dat = d + "/plots/ratio-vs-base.dat"
    his = [float(line.split()[3]) for line in open(dat) if line[0].isdigit()]
    los = [float(line.split()[2]) for line in open(dat) if line[0].isdigit()]
    assert os.path.getsize(d + "/plots/ratio-vs-base.png") > 5000
    axis = [line.split()[2:4] for line in open(dat) if line.startswith("# axis ")]
    assert len(axis) == 1, open(dat).read()
    lo, hi = (float(x) for x in axis[0])
    # it holds every interval, 1 and the 10% band, and little more: not decades
    assert lo <= min(los + [1 / 1.1]) and hi >= max(his + [1.1]), (lo, hi, los, his)
    span = max(his + [1.1]) / min(los + [1 / 1.1])
    assert hi / lo <= span ** 1.1 * 1.001, (lo, hi, span)     # 5% of the span a side


main()
