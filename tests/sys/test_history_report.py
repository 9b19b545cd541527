# SPDX-License-Identifier: GPL-2.0
"""`gupbench history --report` on recorded runs: no root, no guest.

The sweep directory is made by hand from the fixtures of Debian 6.1 and
6.12 under icount (tests/data/kernels), as a sweep would have left it, plus
a third kernel that has no run (a failed one). What is tested is what the
report makes of it: values, steps and verdicts, change points with their
notes and behaviour changes, the kernel that was not measured, and bad
--notes files.
"""
import csv
import os
import shutil

from tap import main, run, test, tmpdir

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "kernels")

NOTES = """# explanations
[6.1..6.12 ^iouring .*order=9 .* pin$]
Huge folios are pinned once per folio.

[6.1..6.12 ^nothing-matches-this]
Never used.
"""


def sweep(t):
    d = os.path.join(t, "h")
    os.makedirs(os.path.join(d, "runs"))
    for k in ("6.1", "6.12"):
        shutil.copytree(os.path.join(DATA, k), os.path.join(d, "runs", k))
    with open(os.path.join(d, "sweep"), "w") as f:
        f.write("# gupbench history: made by hand from fixtures\n")
    specs = []
    for k in ("6.1", "7.0", "6.12"):
        img = os.path.join(t, "img", k, "vmlinuz")
        os.makedirs(os.path.dirname(img))
        open(img, "wb").close()
        specs.append(img)
    return d, ",".join(specs)


@test
def test_report_of_recorded_runs():
    t = tmpdir()
    d, specs = sweep(t)
    notes = os.path.join(t, "notes.txt")
    with open(notes, "w") as f:
        f.write(NOTES)
    p = run(["history", "--report", "--no-plot", "-o", d, "--notes", notes, "--kernels", specs])
    assert p.returncode == 0, p.stderr
    assert "[6.1..6.12] matched no change point" in p.stderr, p.stderr
    with open(d + "/trend.csv") as f:
        rows = list(csv.DictReader(f))
    txt = open(d + "/history.txt").read()
    # the compiler of each, from its /proc/version: both fixtures' kernels
    # were built by bookworm's gcc 12.2.0, so no step names a compiler change
    assert txt.count("gcc 12.2.0  measured") == 2, txt
    assert "compiler gcc" not in txt, txt
    by = {(r["point"], r["op"], r["kernel"]): r for r in rows}
    pin9 = by[("iouring anon 64M order=9 zero=0", "pin", "6.12")]
    assert pin9["verdict"] == "improvement", pin9
    assert 0.04 < float(pin9["vs_previous"]) < 0.07, pin9
    assert pin9["metric"] == "cpu", pin9
    first = by[("iouring anon 64M order=9 zero=0", "pin", "6.1")]
    assert first["verdict"] == "" and float(first["value"]) > 700, first
    # the kernel with no run: a row that says so, no value, and the step
    # into 6.12 is from 6.1
    gone = by[("iouring anon 64M order=9 zero=0", "pin", "7.0")]
    assert gone["value"] == "" and gone["verdict"] == "", gone
    assert abs(float(pin9["value"]) / float(first["value"]) - float(pin9["vs_previous"])) < 0.01
    md = open(d + "/history.md").read()
    txt = open(d + "/history.txt").read()
    assert "| 6.1 | 6.12 | iouring anon 64M order=9 zero=0 | pin |" in md, md
    assert "note 1" in md and "Huge folios are pinned once per folio." in md, md
    assert "Never used." not in md, md
    assert "7.0" in md and "not measured" in md, md
    assert "6.1 -> 6.12  iouring anon 64M order=9 zero=0 pin" in txt, txt
    # what the kernel did differently, per step: io_uring 6.12 drops the pins
    # of a huge folio's other pages at once (its coalescing), one kept a folio
    assert "## Behaviour changes" in md and "Behaviour changes, in kernel order" in txt
    unpin9 = by[("iouring anon 64M order=9 zero=0", "unpin", "6.12")]
    assert "unpins per page 1 -> 0.00195" in unpin9["behaviour"], unpin9
    assert by[("iouring anon 64M order=9 zero=0", "unpin", "6.1")]["behaviour"] == ""
    assert "| 6.1 | 6.12 | iouring anon 64M order=9 zero=0 | unpin | unpins per page 1 -" \
        in md, md
    # and a change point with one says it beside its numbers
    assert "improvement  unpins per page 1 -> 0.00195" in txt.replace("\n      ", " "), txt
    # the charts, in the look of every figure: colour = order, dash = op,
    # legends without what all of a chart's points share (it is in the title)
    p = run(["history", "--report", "-o", d, "--kernels", specs])
    assert p.returncode == 0, p.stderr
    assert os.path.getsize(d + "/plots/iouring.png") > 5000, os.listdir(d + "/plots")
    dat = open(d + "/plots/iouring.dat").read().splitlines()
    legends = [line.split('"')[1] for line in dat if line.startswith('"')]
    assert legends == ["order=0 pin", "order=0 unpin", "order=9 pin", "order=9 unpin"], legends
    assert "# colour #0072b2 (order 0), dash 1 (pin)" in dat, dat
    assert "# colour #d55e00 (order 9), dash 2 (unpin)" in dat, dat
    # the change point into 6.12 is marked on its row (column 4)
    rows = [line.split() for line in dat if line[:1].isdigit()]
    assert any(r[2] == '"6.12"' and r[3] == "1" for r in rows), rows

    # a 6.12 built by another compiler: its change points say so
    meta = d + "/runs/6.12/meta"
    text = open(meta).read()
    with open(meta, "w") as f:
        f.write(text.replace("12.2.0", "14.2.0"))
    p = run(["history", "--report", "--no-plot", "-o", d, "--kernels", specs])
    assert p.returncode == 0, p.stderr
    txt = open(d + "/history.txt").read()
    assert "compiler gcc 12.2.0 -> gcc 14.2.0" in txt, txt
    # the tables are the same numbers the compare of the two runs gives
    p = run(["compare", "--format", "csv", d + "/runs/6.1", d + "/runs/6.12"])
    assert p.returncode in (0, 1), p.stderr
    for r in csv.DictReader(p.stdout.splitlines()):
        if r.get("op") == "pin" and r.get("order") == "9" and r.get("method") == "iouring":
            assert abs(float(r["ratio"]) - float(pin9["vs_previous"])) < 1e-4, (r, pin9)


@test
def test_bad_notes_and_not_a_history():
    t = tmpdir()
    d, specs = sweep(t)
    bad = os.path.join(t, "bad.txt")
    with open(bad, "w") as f:
        f.write("# comment\n[6.1 6.12]\ntext\n")
    p = run(["history", "--report", "--no-plot", "-o", d, "--notes", bad, "--kernels", specs])
    assert p.returncode == 2 and "bad.txt:2: a section is [FROM..TO REGEX]" in p.stderr, p.stderr
    with open(bad, "w") as f:
        f.write("text first\n[6.1..6.12]\n")
    p = run(["history", "--report", "--no-plot", "-o", d, "--notes", bad, "--kernels", specs])
    assert p.returncode == 2 and "bad.txt:1: text before" in p.stderr, p.stderr
    with open(bad, "w") as f:
        f.write("[6.1..6.12 (unclosed]\n")
    p = run(["history", "--report", "--no-plot", "-o", d, "--notes", bad, "--kernels", specs])
    assert p.returncode == 2 and "bad regular expression" in p.stderr, p.stderr
    os.unlink(d + "/sweep")
    p = run(["history", "--report", "-o", d, "--kernels", specs])
    assert p.returncode == 2 and "not a history" in p.stderr, p.stderr


if __name__ == "__main__":
    main()
