# SPDX-License-Identifier: GPL-2.0
"""fio workloads end to end: `gupbench run` starts fio, and its rows say what
the kernel did per I/O.

O_DIRECT on a block device pins its buffer per I/O (pins per I/O = pages of
bs) and io_uring's registered buffers are pinned once before the first I/O
(0 per I/O); the zram device a run makes is gone after it, after SIGINT
too, with every THP knob as it was; bad input is refused at config time
naming file, line and key; fio failing gives error rows with its words.
"""
import glob
import os
import shutil
import signal
import subprocess
import time

from tap import (GUPBENCH, Skip, main, need_root, rows, run, start_run, test, thp_knobs,
                 tmpdir, write_config)


def need_fio():
    if not shutil.which("fio"):
        raise Skip("fio is not installed (scripts/deps.sh installs it)")


def need_zram():
    need_root()
    if not os.path.exists("/sys/class/zram-control/hot_add"):
        raise Skip("no /sys/class/zram-control here (kernel without zram, or module not loaded)")


def zram_devices():
    return sorted(glob.glob("/sys/block/zram*"))


def kernel_at_least(major, minor):
    rel = os.uname().release.split("-")[0].split(".")
    return (int(rel[0]), int(rel[1])) >= (major, minor)


CONFIG = """
[fio]
method = fio
size = 16M
bs = 4k, 64k
fixedbufs = no, yes
iodepth = 4
ios = 2000
repeat = 2
warmup = 0
"""


@test
def test_fio_rows_and_pins_per_io():
    need_fio()
    need_zram()
    if not kernel_at_least(6, 3):
        raise Skip("O_DIRECT pins (iov_iter_extract_pages) only since 6.3; older kernels take "
                   "plain references")
    d = tmpdir()
    before_zram, before_knobs = zram_devices(), thp_knobs()
    p = run(["run", "-q", "--no-plot", "-o", d + "/run", write_config(d, CONFIG)])
    assert p.returncode == 0, p.stderr
    table = rows(d + "/run/results.csv")
    assert len(table) == 8, "4 scenarios x 2 samples, got %d rows" % len(table)
    for r in table:
        assert r["status"] == "ok", r
        assert r["method"] == "fio" and r["op"] == "io"
        assert int(r["io_count"]) == 2000, r["io_count"]
        assert float(r["iops"]) > 0 and int(r["ns"]) > 0
        assert r["cpu_ns"] and int(r["cpu_ns"]) > 0, "on-CPU time per I/O missing"
        pages = int(r["bs"]) // 4096
        assert int(r["pages"]) == pages
        # the buffer read back from fio's process: bs x iodepth, every page present
        assert int(r["pages_present"]) == pages * 4, (r["pages_present"], r["note"])
        assert r["order_got"] == "0", r["order_hist"]
        ppi = float(r["pins_per_io"])
        if r["fixedbufs"] == "1":
            # pinned at registration, before the I/O phase: none per I/O
            # (machine-wide counter: a stray pin elsewhere may show)
            assert ppi < 0.05 * pages, "fixedbufs pinned %.3f per I/O" % ppi
        else:
            assert 0.95 * pages <= ppi <= 1.05 * pages, "%.3f pins per I/O for %d pages" % (
                ppi, pages)
    # the job file is kept, one per scenario, from the scenario's keys
    job = open(d + "/run/fio/0000/job.fio").read()
    for line in ("ioengine=io_uring", "direct=1", "bs=4096", "iodepth=4", "fixedbufs=0",
                 "rw=randread"):
        assert line in job.splitlines(), (line, job)
    assert os.path.exists(d + "/run/fio/0000/000.json")
    # the GUP-share table pairs fixedbufs off and on
    s = run(["summary", d + "/run"])
    assert s.returncode == 0, s.stderr
    assert "GUP's share of an I/O" in s.stdout, s.stdout
    assert os.path.exists(d + "/run/plots/fio-share.png") is False  # --no-plot
    assert zram_devices() == before_zram, "zram devices left: %s" % zram_devices()
    assert thp_knobs() == before_knobs


@test
def test_fio_sigint_restores_zram_and_knobs():
    need_fio()
    need_zram()
    d = tmpdir()
    before_zram, before_knobs = zram_devices(), thp_knobs()
    cfg = write_config(d, """
[fio]
method = fio
size = 64M
order = pmd
bs = 1M
iodepth = 4
ios = 20000
repeat = 50
warmup = 0
""")
    proc = start_run(cfg, d + "/run", min_rows=2, timeout=120)
    assert proc.poll() is None, "the run ended before it could be interrupted"
    # mid-run: our own device exists, the machine's are untouched
    assert len(zram_devices()) == len(before_zram) + 1, zram_devices()
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGINT, (proc.returncode, err)
    table = rows(d + "/run/results.csv")
    assert any(r["status"] == "ok" for r in table), "finished rows lost"
    assert any(r["status"] == "interrupted" for r in table)
    assert zram_devices() == before_zram, "zram devices left: %s" % zram_devices()
    assert thp_knobs() == before_knobs
    # no fio left behind
    time.sleep(0.2)
    left = subprocess.run(["pgrep", "-f", d + "/run/fio"], capture_output=True, text=True)
    assert not left.stdout.strip(), "fio still running: %s" % left.stdout


def refused(d, text, key_line, words, *extra):
    cfg = write_config(d, text)
    p = run(["run", "-q", "--no-plot", "-o", d + "/never"] + list(extra) + [cfg])
    assert p.returncode == 2, (p.returncode, p.stderr)
    assert "%s:%s" % (cfg, key_line) in p.stderr, p.stderr
    for w in words:
        assert w in p.stderr, (w, p.stderr)
    assert not os.path.exists(d + "/never"), "a refused config wrote a run directory"


@test
def test_fio_bad_input_is_refused_at_config_time():
    need_fio()
    d = tmpdir()
    base = "[j]\nmethod = fio\nsize = 1M\n"
    refused(d, base + "bs = 2M\n", "4: bs", ["larger than size"])
    refused(d, base + "fio_engine = psync\niodepth = 8\n", "5: iodepth", ["psync"])
    refused(d, base + "fio_engine = libaio\nfixedbufs = yes\n", "5: fixedbufs", ["io_uring"])
    refused(d, base + "target = /dev/gupbench-none\n", "4: target", ["/dev/gupbench-none"])
    refused(d, base + "target = disk\n", "4: target", ["not zram"])
    refused(d, base + "zero = 0.5\n", "4: zero", ["zero must be 0"])
    # a real device: never one in use, and never without --allow-device
    root = os.stat("/").st_dev
    dev = None
    try:
        for line in open("/sys/dev/block/%d:%d/uevent" % (os.major(root), os.minor(root))):
            if line.startswith("DEVNAME="):
                dev = "/dev/" + line.strip().split("=", 1)[1]
    except OSError:
        pass   # / is not on a block device here (overlay, 9p): nothing mounted to refuse
    if dev and os.path.exists(dev):
        refused(d, base + "target = %s\n" % dev, "4: target", ["mounted"], "--allow-device")
    spare = [z for z in ("/dev/zram0",) if os.path.exists(z)]
    if spare and os.geteuid() == 0:
        refused(d, base + "target = %s\n" % spare[0], "4: target", ["--allow-device"])


@test
def test_fio_failing_gives_error_rows_with_its_message():
    need_root()
    d = tmpdir()
    # a fio that fails as fio does: its message on stderr, exit status 1
    os.makedirs(d + "/bin")
    with open(d + "/bin/fio", "w") as f:
        f.write("#!/bin/sh\necho 'fio: pid=0, err=22/file:filesetup.c:805, func=total_file_size, "
                "error=Invalid argument' >&2\nexit 1\n")
    os.chmod(d + "/bin/fio", 0o755)
    cfg = write_config(d, "[j]\nmethod = fio\nsize = 1M\ntarget = file\ndir = %s\nrepeat = 3\n"
                       "warmup = 0\n" % d)
    env = dict(os.environ, PATH=d + "/bin:" + os.environ["PATH"])
    p = subprocess.run([GUPBENCH, "run", "-q", "--no-plot", "-o", d + "/run", cfg],
                       capture_output=True, text=True, env=env)
    assert p.returncode == 1, (p.returncode, p.stderr)
    table = rows(d + "/run/results.csv")
    assert [r["status"] for r in table] == ["error"], [r["status"] for r in table]
    assert "fio exited with 1" in table[0]["reason"], table[0]["reason"]
    assert "error=Invalid argument" in table[0]["reason"], table[0]["reason"]
    assert not glob.glob(d + "/gupbench-fio-*"), "the target file was left"


main()
