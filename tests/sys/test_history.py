# SPDX-License-Identifier: GPL-2.0
# tap-timeout: 900
"""`gupbench history` end to end, on two cached Debian kernels under QEMU.

The kernels are Debian's 6.1 and 6.12 cloud builds (fetched on first use
and cached, as test_vm's); the config is tiny. One sweep is interrupted
after its first kernel and resumed; a kernel that cannot boot (an image
that is no kernel) becomes a row that says so and the sweep goes on; a
second sweep with -j 2 must give the same numbers as the -j 1 one, which
the instruction clock makes exact (checked only under icount).
"""
import csv
import os
import signal
import subprocess
import time

from tap import GUPBENCH, Skip, main, need_root, run, test, tmpdir, write_config

K1 = os.environ.get("GUPBENCH_TEST_KERNEL", "debian:6.1")
K2 = os.environ.get("GUPBENCH_TEST_KERNEL2", "debian:6.12")

TINY = """
[tiny]
method = iouring, pvm-read
size = 1M
repeat = 5
"""


def kernels(d):
    with open(d + "/kernels.csv") as f:
        return list(csv.DictReader(f))


def trend(d):
    with open(d + "/trend.csv") as f:
        return list(csv.DictReader(f))


def history(d, cfg, *kern, jobs=1, extra=()):
    return ["history", "-o", d, "-j", str(jobs), "--kernels", ",".join(kern)] + \
        list(extra) + [cfg]


@test
def test_sweep_interrupt_resume_and_a_bad_kernel():
    need_root()
    if subprocess.run(["which", "qemu-system-x86_64"], capture_output=True).returncode:
        raise Skip("qemu-system-x86_64 not installed")
    t = tmpdir()
    cfg = write_config(t, TINY)
    junk = os.path.join(t, "junk", "vmlinuz")
    os.makedirs(os.path.dirname(junk))
    with open(junk, "wb") as f:
        f.write(b"\0" * 4096)
    d = os.path.join(t, "h")
    args = history(d, cfg, K1, junk, K2)

    # 1. interrupted once the first kernel is in: it is kept, nothing else
    p = subprocess.Popen([GUPBENCH] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    first = None
    deadline = time.time() + 400
    while time.time() < deadline and p.poll() is None:
        if os.path.exists(d + "/kernels.csv"):
            ks = kernels(d)
            first = ks[0]["kernel"]
            if os.path.isdir(os.path.join(d, "runs", first)):
                break
        time.sleep(0.5)
    assert p.poll() is None, p.communicate()
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=200)
    assert p.returncode == 130, (p.returncode, err)
    assert "run the same command again" in err, err
    runs = sorted(n for n in os.listdir(d + "/runs") if not n.startswith("."))
    # the junk kernel fails within a second of the first one's end, so on a
    # fast host it may have failed before the signal came: a failed row is
    # finished too. What must not be there is a part of the last kernel.
    assert runs in ([first], [first, "junk.failed"]), runs

    # 2. resumed: the first is kept (not booted again), the junk fails with
    # its reason, the last is measured, and the report covers all three
    p = run(args, timeout=600)
    assert p.returncode == 0, p.stderr
    assert "%s: booting" % first not in p.stderr, p.stderr
    ks = kernels(d)
    assert [k["state"] for k in ks] == ["kept", "failed", "done"], ks
    assert ks[1]["kernel"] == "junk" and "exit" in ks[1]["why"], ks[1]
    assert os.path.isdir(os.path.join(d, "runs", "junk.failed")), os.listdir(d + "/runs")
    last = ks[2]["kernel"]
    rows = trend(d)
    pts = {(r["point"], r["op"]) for r in rows}
    assert any(op == "pin" and pt.startswith("iouring") for pt, op in pts), pts
    for r in rows:
        if r["kernel"] in (first, last) and r["note"] == "":
            assert float(r["value"]) > 0, r
        if r["kernel"] == "junk":
            assert r["value"] == "" and "exit" in r["note"], r
        # the step into the last kernel is from the first: the junk is skipped
        if r["kernel"] == last and r["verdict"]:
            assert float(r["vs_previous"]) > 0, r
    md = open(d + "/history.md").read()
    txt = open(d + "/history.txt").read()
    for doc in (md, txt):
        assert first in doc and last in doc and "junk" in doc, doc
        assert "not measured" in doc and "Change points" in doc, doc
    assert "## Trend" in md and "| point | op |" in md, md

    # 3. resuming with another config is refused: the kept kernels measured this one
    cfg2 = write_config(t, TINY.replace("repeat = 5", "repeat = 6"), name="other.ini")
    p = run(history(d, cfg2, K1, junk, K2), timeout=120)
    assert p.returncode == 2 and "other options or configs" in p.stderr, p.stderr

    # 4. -j 2 against -j 1: two guests at once measure what one at a time did
    d2 = os.path.join(t, "h2")
    p = run(history(d2, cfg, K1, K2, jobs=2), timeout=600)
    assert p.returncode == 0, p.stderr
    meta = open(os.path.join(d2, "runs", first, "meta")).read()
    if "icount" not in meta:
        raise Skip("not under the instruction clock (KVM host?): -j 2 and -j 1 need not agree")
    one = {(r["point"], r["op"], r["kernel"]): r["value"] for r in trend(d) if r["value"]}
    two = {(r["point"], r["op"], r["kernel"]): r["value"] for r in trend(d2) if r["value"]}
    assert one.keys() == two.keys(), (one.keys(), two.keys())
    for k in one:
        a, b = float(one[k]), float(two[k])
        assert abs(a - b) <= 0.002 * a, (k, a, b)


@test
def test_bad_specs():
    """An unknown kernel and an image path that is no file are refused
    before anything boots."""
    t = tmpdir()
    cfg = write_config(t, TINY)
    p = run(history(t + "/h", cfg, t + "/no/such/vmlinuz"), timeout=60)
    assert p.returncode == 2 and "no/such/vmlinuz" in p.stderr, p.stderr
    p = run(["history", "-o", t + "/h", cfg], timeout=60)
    assert p.returncode == 2 and "--kernels" in p.stderr, p.stderr
    assert not os.path.exists(t + "/h"), os.listdir(t)


if __name__ == "__main__":
    main()
