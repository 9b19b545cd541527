# SPDX-License-Identifier: GPL-2.0
"""The zero page, asserted in a guest whatever the host does.

The host's kernel may map no zero page (these machines boot with
pvm_no_zero_page=1), so the host tests that need it skip there. This
test boots Debian's kernel (GUPBENCH_TEST_KERNEL, default debian:6.1),
which maps it, and asserts the same behaviour from the guest's rows:
the probe says so in meta, zero chunks read back as the zero page (4 KiB,
and the huge zero page for PMD chunks where the guest has THP), no row is
flagged in `mismatch`, a read-only remote pin counts no pin for a 4 KiB
zero page, and a write pin breaks COW and counts every page.
"""
# tap-timeout: 900
import os

from tap import main, meta, need_root, rows, run, test, tmpdir, write_config

KERNEL = os.environ.get("GUPBENCH_TEST_KERNEL", "debian:6.1")

CONFIG = """
[zero]
method = pvm-read, pvm-write, iouring
size = 4M
order = 0, pmd
zero = 0.5, 1
repeat = 2

[dio]
method = dio-write
size = 1M
zero = 0.5
repeat = 2
"""


@test
def test_zero_page_in_a_guest():
    need_root()
    d = tmpdir()
    cfg = write_config(d, CONFIG)
    p = run(["vm", "--kernel", KERNEL, "--no-plot", "-q", "-o", d + "/run", cfg], timeout=800)
    assert p.returncode == 0, p.stderr
    m = meta(d + "/run/meta")
    zp = m[("probe", "zero_page")]
    assert zp.startswith("yes: "), zp
    huge = m[("probe", "huge_zero_page")].split(":")[0]
    assert huge in ("yes", "unknown"), m[("probe", "huge_zero_page")]
    assert m[("end", "scenarios_not_as_asked")].startswith("0 "), m[("end", "scenarios_not_as_asked")]
    ok = [r for r in rows(d + "/run/results.csv") if r["status"] == "ok"]
    assert {r["method"] for r in ok} == {"pvm-read", "pvm-write", "iouring", "dio-write"}, ok
    seen_pmd = False
    for r in ok:
        pages, ratio = int(r["pages"]), float(r["zero_ratio"])
        if r["folio_order"] == "9" and huge != "yes":
            continue
        seen_pmd |= r["folio_order"] == "9"
        assert r["mismatch"] == "", r
        assert int(r["zero_pages_got"]) == int(pages * ratio), (
            r["method"], r["folio_order"], ratio, r["zero_pages_got"])
        if r["pins_exact"] != "1":
            continue
        if r["method"] == "pvm-read" and r["folio_order"] == "0":
            # FOLL_PIN leaves the 4 KiB zero page alone (6.5, and Debian's 6.1
            # backport); the huge zero page's pins are counted (seen on 6.1)
            assert int(r["pins_acquired"]) == pages - int(r["zero_pages_got"]), r
        elif r["method"] == "pvm-write":
            # FOLL_WRITE breaks COW first: every pin lands on a fresh page
            assert int(r["pins_acquired"]) == pages, r
    assert seen_pmd or huge != "yes"


if __name__ == "__main__":
    main()
