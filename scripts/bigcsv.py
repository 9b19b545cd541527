#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Make a large run directory from a real one, for timing the analysis.

    scripts/bigcsv.py SRC DST ROWS

DST/results.csv holds SRC's rows again and again until ROWS, each copy a
set of new points (size_bytes times the copy's number, scenario numbers
shifted), so a million rows are about a hundred thousand points; DST/meta
is SRC's. The numbers are SRC's: this times summary, compare and plot on
a sweep's worth of rows, it measures nothing.
"""
import csv
import os
import shutil
import sys


def main(src, dst, rows):
    with open(os.path.join(src, "results.csv"), newline="") as f:
        table = list(csv.reader(f))
    head, body = table[0], table[1:]
    size, scen = head.index("size_bytes"), head.index("scenario")
    nscen = 1 + max(int(r[scen]) for r in body)
    os.makedirs(dst)
    shutil.copy(os.path.join(src, "meta"), os.path.join(dst, "meta"))
    n = copy = 0
    with open(os.path.join(dst, "results.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(head)
        while n < rows:
            for r in body:
                r = list(r)
                r[size] = str(int(r[size]) * (copy + 1))
                r[scen] = str(int(r[scen]) + nscen * copy)
                w.writerow(r)
                n += 1
            copy += 1
    print("%s: %d rows, %d copies of %s" % (dst, n, copy, src))


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__.strip().splitlines()[2].strip())
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
