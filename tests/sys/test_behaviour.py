# SPDX-License-Identifier: GPL-2.0
"""Behaviour changes in `gupbench compare`, on fixture run directories.

No root and no pinning: each test copies a real run from tests/data and
edits the counters a kernel would have changed (the edit is the test's
claim about what a kernel did), then compares. Asserted:
- a change of behaviour (pins 0 -> 1 a page, zero pages pinned 0 -> all,
  allocations 1 -> 512, the folios got, a point that now skips) is reported
  in text, Markdown, CSV and JSON, above the timing table, whatever the time
  did, and --metric ITEM makes it the exit status (1 changed, 0 the same,
  125 not countable);
- identical counters are reported the same (a run against itself, two boots
  of one kernel under icount, two invocations on the host);
- noisy counters do not flip on an A/A: both sides drawn from one
  distribution, 20 seeds, never a change; drawn from two, a change;
- a counter a side did not count (unsupported) is n/a, never a change;
- a timing verdict and a behaviour change on one point are said together
  on that line ("2.0x slower; page allocations per op 1 -> 512").
"""
import csv
import io
import json
import os
import random
import shutil

from tap import main, run, test, tmpdir

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data")


def copy(name):
    """A fresh copy of tests/data/NAME (a run directory)."""
    d = os.path.join(tmpdir(), os.path.basename(name))
    shutil.copytree(os.path.join(DATA, name), d)
    return d


def edit(run_dir, fn):
    """fn(row) -> None on every row of results.csv."""
    path = run_dir + "/results.csv"
    with open(path, newline="") as f:
        table = list(csv.DictReader(f))
        head = list(table[0].keys())
    for row in table:
        fn(row)
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, head, lineterminator="\n")
        w.writeheader()
        w.writerows(table)


def compare(*args):
    return run(["compare", "--format", "text"] + list(args))


def as_json(*args):
    p = run(["compare", "--format", "json"] + list(args))
    assert p.returncode in (0, 1, 125), p.stderr
    return json.loads(p.stdout)


def points(doc, method=None, op=None):
    return [p for p in doc["points"] if (method is None or p["key"]["method"] == method)
            and (op is None or p["op"] == op)]


@test
def test_pins_change_reported_in_every_format():
    """6.1's O_DIRECT took FOLL_GET (no pins counted), 6.12's FOLL_PIN: the
    same run with io_uring's pins zeroed is such an old kernel."""
    base, new = copy("kernels/6.1"), copy("kernels/6.1")
    edit(base, lambda r: r.update(pins_acquired="0", pins_released="0")
         if r["method"] == "iouring" else None)
    p = compare(base, new)
    assert p.returncode == 0, p.stdout + p.stderr      # the timing is the same: no regression
    text = p.stdout
    b = text.index("Behaviour: 4 of 8 points changed")
    assert b < text.index("  op ") < text.index("Summary:"), text   # above the timing table
    assert "pin   pins per page 0 -> 1" in text and "unpin unpins per page 0 -> 1" in text, text
    assert "Changed: pins_per_page on 2 of 8, unpins_per_page on 2 of 8;" in text, text
    assert all(len(line) <= 80 for line in text.splitlines()), text

    md = run(["compare", "--format", "markdown", base, new]).stdout
    assert "| iouring anon 64M order=0 zero=0 | pin | pins per page | 0 | 1 |" in md, md
    rows = list(csv.DictReader(io.StringIO(run(["compare", "--format", "csv", base, new]).stdout)))
    vm = [r for r in rows if r["method"] == "iouring"]
    assert all(r["behaviour_changed"] == "1" for r in vm), vm
    assert [(r["op"], r["pins_per_page"], r["pins_per_page_base"], r["pins_per_page_new"])
            for r in vm if r["op"] == "pin"] == [("pin", "changed", "0", "1")] * 2, vm
    assert all(r["behaviour_changed"] == "0" for r in rows if r["method"] == "vmsplice"), rows
    doc = as_json(base, new)
    assert doc["summary"]["behaviour"]["points_changed"] == 4, doc["summary"]
    item = points(doc, "iouring", "pin")[0]["behaviour"]["pins_per_page"]
    assert item["verdict"] == "changed" and item["rule"] == "exact", item
    assert item["base"]["median"] == 0 and item["new"]["median"] == 1, item

    # the verdict for bisect: this item, not the time
    assert run(["compare", "--metric", "pins_per_page", base, new]).returncode == 1
    assert run(["compare", "--metric", "pins_per_page", new, new]).returncode == 0
    assert run(["compare", "--metric", "page_faults", base, new]).returncode == 0
    p = run(["compare", "--metric", "pins_per_pgae", base, new])
    assert p.returncode == 2 and "pins_per_page" in p.stderr, p.stderr


@test
def test_identical_counters_are_the_same():
    for a, b in (("kernels/6.1", "kernels/6.1"), ("icount-aa/a", "icount-aa/b"),
                 ("host/a/1", "host/a/2"), ("host/a", "host/b")):
        doc = as_json(os.path.join(DATA, a), os.path.join(DATA, b))
        assert doc["summary"]["behaviour"]["points_changed"] == 0, (a, b)
        for pt in doc["points"]:
            for name, it in pt["behaviour"].items():
                assert it["verdict"] in ("same", "n/a"), (a, b, pt["label"], name, it)
            # what any run counts is judged, not left out
            for name in ("status", "pins_per_page", "order_hist", "page_allocs"):
                assert pt["behaviour"][name]["verdict"] == "same", (a, b, name, pt["label"])
        p = compare(os.path.join(DATA, a), os.path.join(DATA, b))
        assert "Behaviour: the same on all" in p.stdout, p.stdout


def noisy(run_dir, seed, mean):
    """ctx_switches and page faults as a busy host scatters them: around mean."""
    rnd = random.Random(seed)

    def scatter(r):
        if r["status"] == "ok":
            r["c_ctx_switches"] = str(max(0, round(rnd.gauss(mean, mean / 2))))
            r["c_page_faults"] = str(rnd.choice([0, 0, 1, 2, 3]))
    edit(run_dir, scatter)


@test
def test_noisy_counters_do_not_flip_on_aa():
    flips = []
    for seed in range(20):
        base, new = copy("kernels/6.1"), copy("kernels/6.1")
        noisy(base, 2 * seed, 4)
        noisy(new, 2 * seed + 1, 4)
        doc = as_json(base, new)
        for pt in doc["points"]:
            for name in ("ctx_switches", "page_faults"):
                it = pt["behaviour"][name]
                assert it["rule"] == "noisy", it
                if it["verdict"] != "same":
                    flips.append((seed, pt["label"], pt["op"], name, it))
    assert not flips, flips
    # a real change of a noisy counter is still seen: 4 switches an op -> 40
    base, new = copy("kernels/6.1"), copy("kernels/6.1")
    noisy(base, 1, 4)
    noisy(new, 2, 40)
    doc = as_json(base, new)
    changed = [pt for pt in doc["points"]
               if pt["behaviour"]["ctx_switches"]["verdict"] == "changed"]
    assert len(changed) == len(doc["points"]), [
        pt["behaviour"]["ctx_switches"] for pt in doc["points"]]
    assert all(pt["behaviour"]["ctx_switches"]["q"] < 0.05 for pt in changed)
    assert all(pt["behaviour"]["page_faults"]["verdict"] == "same" for pt in doc["points"])
    # the text says it is a statistical call, not a count that moved
    text = compare(base, new).stdout.replace("\n", " ")
    assert "context switches per op 4 [" in text and "(noisy, q " in text, text


@test
def test_zero_pages_pinned_counted_or_not():
    """seed 000: read-only pins of zero pages, counted before the patch,
    not after. A point of zero pages: every page the zero page."""
    base, new = copy("kernels/6.1"), copy("kernels/6.1")

    def zero(counted):
        def f(r):
            if r["method"] == "iouring" and r["folio_order"] == "0":
                r["write"] = "0"        # a read-only pin, as pvm-read's
            if r["method"] == "iouring" and r["folio_order"] == "0" and r["status"] == "ok":
                r["zero_pages_got"] = r["pages"]
                if r["op"] == "pin":
                    r["pins_acquired"] = r["pages"] if counted else "0"
                else:
                    r["pins_released"] = r["pages"] if counted else "0"
        return f
    edit(base, zero(True))
    edit(new, zero(False))
    p = compare(base, new)
    assert "zero pages pinned 16384 of 16384 -> 0 of 16384" in p.stdout, p.stdout
    assert "pins per page 1 -> 0" in p.stdout, p.stdout
    assert run(["compare", "--metric", "zero_pins", base, new]).returncode == 1
    doc = as_json(base, new)
    it = points(doc, "vmsplice", "pin")[0]["behaviour"]["zero_pins"]
    assert it["verdict"] == "n/a" and it["why"] == "no zero pages in the buffer", it
    # io_uring's PMD point kept write=1: a pin for write breaks COW first,
    # so it pins new pages, never the zero page
    it = points(doc, "iouring", "pin")[1]["behaviour"]["zero_pins"]
    assert it["verdict"] == "n/a" and "COW" in it["why"], it


@test
def test_uncounted_is_na_never_a_change():
    base, new = copy("kernels/6.1"), copy("kernels/6.1")
    edit(new, lambda r: r.update(c_page_allocs="unsupported", c_mmap_locks=""))
    edit(base, lambda r: r.update(c_mmap_locks=""))
    doc = as_json(base, new)
    for pt in doc["points"]:
        assert pt["behaviour"]["page_allocs"]["verdict"] == "n/a", pt["behaviour"]["page_allocs"]
        assert "not counted in new" in pt["behaviour"]["page_allocs"]["why"]
        assert "not counted in base" in pt["behaviour"]["mmap_locks"]["why"]
    assert doc["summary"]["behaviour"]["points_changed"] == 0
    assert run(["compare", "--metric", "page_allocs", base, new]).returncode == 125
    text = compare(base, new).stdout
    assert "Not judged on any point: page allocations per op (not counted in new" in \
        text.replace("\n", " ").replace("  ", " "), text


@test
def test_timing_and_behaviour_said_together():
    """2x slower and 512 allocations an op where there was 1: one line."""
    base, new = copy("kernels/6.1"), copy("kernels/6.1")

    def slower(r):
        if r["method"] == "iouring" and r["folio_order"] == "9" and r["op"] == "pin":
            for c in ("ns", "cpu_ns", "round_ns"):
                if r[c]:
                    r[c] = str(2 * int(r[c]))
            if r["status"] == "ok":
                r["c_page_allocs"] = "512"
    edit(base, lambda r: r.update(c_page_allocs="1") if r["status"] == "ok" else None)
    edit(new, lambda r: r.update(c_page_allocs="1") if r["status"] == "ok" else None)
    edit(new, slower)
    p = compare(base, new)
    assert p.returncode == 1, p.stdout
    lines = p.stdout.splitlines()
    i = next(i for i, l in enumerate(lines) if "regression" in l and l.startswith("  pin"))
    assert lines[i + 1] == "    = 2.0x slower; page allocations per op 1 -> 512", lines[i:i + 2]
    md = run(["compare", "--format", "markdown", base, new]).stdout
    assert "**regression**: 2.0x slower; page allocations per op 1 → 512 |" in md, md
    # the timing's exit status is not the behaviour's, and the reverse
    assert run(["compare", "--metric", "mmap_locks", base, new]).returncode == 0


@test
def test_folios_and_status_changes():
    base, new = copy("kernels/6.1"), copy("kernels/6.1")

    def split(r):
        # new: the PMD THP came back as 4 KiB pages, and vmsplice unpin skips
        if r["folio_order"] == "9" and r["method"] == "iouring":
            r["order_got"], r["order_hist"] = "0", "o0=16384"
        if r["method"] == "vmsplice" and r["op"] == "unpin":
            r["status"], r["reason"], r["ns"] = "skip", "not applicable: fake", ""
    edit(new, split)
    p = compare(base, new)
    assert "folio order got 9 -> 0" in p.stdout and "folios per order o9=32 -> o0=16384" \
        in p.stdout, p.stdout
    assert "status ok -> skip: not applicable: fake" in p.stdout, p.stdout
    assert run(["compare", "--metric", "status", base, new]).returncode == 1
    assert run(["compare", "--metric", "order_hist", base, new]).returncode == 1
    # a point that ran on one side only is the configs' doing, not the kernel's
    gone = copy("kernels/6.1")
    path = gone + "/results.csv"
    with open(path, newline="") as f:
        table = list(csv.reader(f))
    mi = table[0].index("method")
    with open(path, "w", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(
            [table[0]] + [r for r in table[1:] if r[mi] != "vmsplice"])
    doc = as_json(base, gone)
    st = points(doc, "vmsplice")[0]["behaviour"]["status"]
    assert st["verdict"] == "n/a" and st["why"] == "the point ran on one side only", st
    assert doc["summary"]["behaviour"]["points_changed"] == 0, doc["summary"]


main()
