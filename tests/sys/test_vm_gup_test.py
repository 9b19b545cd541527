# SPDX-License-Identifier: GPL-2.0
# tap-timeout: 1800
"""The gup_test methods end to end, on a kernel gupbench builds itself.

scripts/kbuild.sh builds Debian's linux-source-6.1 with
configs/kernel/gupbench.config (CONFIG_GUP_TEST=y and the rest built in);
`gupbench vm --kernel build:linux-source-6.1` boots it under QEMU and the
gup-* and pin-* methods run there with the kernel's own timing. On a fresh
machine the build takes about 5 minutes on 2 cores (hence the longer
timeout above); it is cached in GUPBENCH_CACHE (else ~/.cache/gupbench) and
reused while the source and the fragment stay the same.
"""
import os
import subprocess

from tap import main, meta, need_root, rows, run, test, tmpdir, write_config

TOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
KBUILD = os.path.join(TOP, "scripts", "kbuild.sh")

CONFIG = """
[gup_test]
method = gup-fast, pin-fast, pin-longterm, gup-basic, pin-basic
size = 4M
order = 0, pmd
repeat = 3
"""



@test
def test_gup_test_methods_with_kernel_timing():
    """Every gup_test method gives ok rows timed by the kernel
    (timer=kernel, from get_delta_usec/put_delta_usec); the FOLL_PIN ones
    are counted in the guest's nr_foll_pin_acquired, the FOLL_GET ones not."""
    need_root()
    d = tmpdir()
    cfg = write_config(d, CONFIG)
    p = run(["vm", "--kernel", "build:linux-source-6.1", "-q", "--no-plot", "-o", d + "/run", cfg],
            timeout=1700)
    assert p.returncode == 0, p.stderr[-3000:]
    ok = [r for r in rows(d + "/run/results.csv") if r["status"] == "ok"]
    methods = {r["method"] for r in ok}
    assert methods == {"gup-fast", "pin-fast", "pin-longterm", "gup-basic", "pin-basic"}, methods
    assert {r["order_got"] for r in ok if r["folio_order"] == "9"} == {"9"}
    for r in ok:
        assert r["timer"] == "kernel", r
        assert int(r["ns"]) > 0, r
        if r["op"] != "pin" or r["pins_exact"] != "1":
            continue
        if r["method"].startswith("pin-"):
            assert int(r["pins_acquired"]) == int(r["pages"]) == 1024, r
        else:
            assert int(r["pins_acquired"]) == 0, r
    m = meta(d + "/run/meta")
    assert m[("vm", "missing_options")] == "none", m[("vm", "missing_options")]
    assert m[("kernel", "release")].startswith("6.1."), m[("kernel", "release")]
    assert m[("kernel", "CONFIG_GUP_TEST")] == "y", m


@test
def test_kbuild_reuses_the_build():
    """A second build of the same source and fragment is the cached image."""
    need_root()
    first = subprocess.run(["bash", KBUILD, "linux-source-6.1"], capture_output=True, text=True)
    assert first.returncode == 0, first.stderr[-2000:]
    again = subprocess.run(["bash", KBUILD, "linux-source-6.1"], capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert "reusing" in again.stderr, again.stderr
    image = again.stdout.strip()
    assert image == first.stdout.strip() and "\n" not in image, (first.stdout, again.stdout)
    assert os.path.isfile(image) and os.path.isfile(os.path.join(os.path.dirname(image), "config"))


@test
def test_kbuild_refuses_what_it_cannot_build():
    """Not a kernel tree, a tree built in place, bad options: non-zero, and why."""
    d = tmpdir()
    p = subprocess.run(["bash", KBUILD, d], capture_output=True, text=True)
    assert p.returncode != 0 and p.stdout == "", (p.returncode, p.stdout)
    assert "kbuild:" in p.stderr, p.stderr
    os.makedirs(d + "/k/arch/x86")
    for f in ("Makefile", "Kconfig", ".config"):
        open(d + "/k/" + f, "w").close()
    p = subprocess.run(["bash", KBUILD, d + "/k"], capture_output=True, text=True)
    assert p.returncode != 0 and "mrproper" in p.stderr, p.stderr
    p = subprocess.run(["bash", KBUILD, "-j", "zero", "linux-source-6.1"], capture_output=True,
                       text=True)
    assert p.returncode != 0 and "-j" in p.stderr, p.stderr


if __name__ == "__main__":
    main()
