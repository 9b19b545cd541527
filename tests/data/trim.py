#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Copy a run directory's results.csv, scenarios.csv and meta, keeping the
rows whose columns match every COL=V1,V2 filter: how the fixtures here were
cut from real runs (README.md). Paths of the machine that made the run are
replaced by PREFIX in meta, so the fixture says nothing of it.

    trim.py SRC DST [--path OLD=NEW ...] COL=V1,V2 ...
"""
import csv
import os
import sys


def main(argv):
    src, dst, rest = argv[1], argv[2], argv[3:]
    subst, keep = [], {}
    while rest:
        a = rest.pop(0)
        if a == "--path":
            old, new = rest.pop(0).split("=", 1)
            subst.append((old, new))
        else:
            col, vals = a.split("=", 1)
            keep[col] = set(vals.split(","))
    os.makedirs(dst)
    scen = set()
    with open(os.path.join(src, "results.csv"), newline="") as f:
        rows = list(csv.reader(f))
    head = rows[0]
    idx = {c: head.index(c) for c in keep}
    body = [r for r in rows[1:] if all(r[idx[c]] in v for c, v in keep.items())]
    for r in body:
        scen.add(r[head.index("scenario")])
    with open(os.path.join(dst, "results.csv"), "w", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows([head] + body)
    sc = os.path.join(src, "scenarios.csv")
    if os.path.exists(sc):
        with open(sc, newline="") as f:
            rows = list(csv.reader(f))
        i = rows[0].index("scenario")
        with open(os.path.join(dst, "scenarios.csv"), "w", newline="") as f:
            csv.writer(f, lineterminator="\n").writerows(
                [rows[0]] + [r for r in rows[1:] if r[i] in scen])
    text = open(os.path.join(src, "meta")).read()
    for old, new in subst:
        text = text.replace(old, new)
    with open(os.path.join(dst, "meta"), "w") as f:
        f.write(text)
    print("%s: %d rows, %d scenarios" % (dst, len(body), len(scen)))


if __name__ == "__main__":
    main(sys.argv)
