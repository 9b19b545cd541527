# SPDX-License-Identifier: GPL-2.0
"""Someone else's run directory is data, never code, and never a way to
write outside our own outputs: gnuplot injection through every field that
reaches a plot (meta hostname, cpu_model, release; the CSV's op; the run
directory's own name), symlinks planted where plot and report write, and
a knobs.saved that names files gupbench never turns."""
import csv
import fcntl
import os
import shutil
import signal
import subprocess
import time

from tap import GUPBENCH, Skip, main, need_root, run, test, tmpdir, write_config

CFG = """
[h]
method = iouring
size = 1M
zero = 0, 0.5
repeat = 3
"""
_base = None


def base_run():
    global _base
    if _base is None:
        d = tmpdir()
        p = run(["run", "-q", "--no-plot", "-o", d + "/run", write_config(d, CFG)])
        assert p.returncode == 0, p.stderr
        _base = d + "/run"
    return _base


def copy_run(name="run"):
    d = tmpdir() + "/" + name
    shutil.copytree(base_run(), d)
    return d


def payload(mark):
    # ends a single-quoted gnuplot string and calls system()
    return "x'; system(\"touch %s\"); q='" % mark


def set_meta(d, key, value):
    lines = open(d + "/meta").read().splitlines()
    out = [(key + " = " + value) if l.startswith(key + " = ") else l for l in lines]
    open(d + "/meta", "w").write("\n".join(out) + "\n")


@test
def test_meta_fields_do_not_reach_gnuplot_as_code():
    need_root()
    for key in ("hostname", "cpu_model", "release"):
        d = copy_run()
        mark = d + "/pwned-" + key
        set_meta(d, key, payload(mark))
        p = run(["plot", d])
        assert p.returncode == 0, p.stderr
        assert not os.path.exists(mark), key
        assert os.path.getsize(d + "/plots/zero-ratio-pin.png") > 1000
        # report: the NEW run's release is in the ratio chart's title
        p = run(["report", base_run(), d])
        assert p.returncode in (0, 1, 125), p.stderr
        assert not os.path.exists(mark), key


@test
def test_csv_op_does_not_reach_gnuplot_as_code():
    need_root()
    d = copy_run()
    mark = d + "/pwned-op"
    rows = list(csv.reader(open(d + "/results.csv")))
    op = rows[0].index("op")
    for r in rows[1:]:
        r[op] = "';system \"touch %s\"#" % mark
    with open(d + "/results.csv", "w", newline="") as f:
        csv.writer(f).writerows(rows)
    p = run(["plot", d])
    assert p.returncode == 0, p.stderr
    assert not os.path.exists(mark)
    # the file name is made of the op's harmless characters only
    for name in os.listdir(d + "/plots"):
        assert "/" not in name and "'" not in name and '"' not in name, name


@test
def test_run_directory_name_does_not_reach_gnuplot():
    need_root()
    top = tmpdir()
    mark = top + "/pwned-dir"
    d = top + "/" + "r'; system(\"touch pwned-dir\"); q='"
    p = run(["run", "-q", "-o", d, write_config(top, CFG)], cwd=top)
    assert p.returncode == 0, p.stderr
    assert not os.path.exists(mark)
    assert os.path.getsize(d + "/plots/ns-per-page-pin.png") > 1000


@test
def test_plot_and_report_never_write_through_a_symlink():
    need_root()
    d = copy_run()
    victim = tmpdir() + "/victim"
    open(victim, "w").write("mine\n")
    os.makedirs(d + "/plots", exist_ok=True)
    os.symlink(victim, d + "/plots/ns-per-page-pin.dat")
    os.symlink(victim, d + "/plots/ns-per-page-pin.png")
    p = run(["plot", d])
    assert p.returncode == 0, p.stderr
    assert open(victim).read() == "mine\n"
    # the link itself was replaced by the real output
    assert not os.path.islink(d + "/plots/ns-per-page-pin.dat")
    os.makedirs(d + "/report/plots", exist_ok=True)
    os.symlink(victim, d + "/report/report.md")
    os.symlink(victim, d + "/report/plots/ratio-vs-base.svg")
    p = run(["report", base_run(), d])
    assert p.returncode in (0, 1, 125), p.stderr
    assert open(victim).read() == "mine\n"
    assert "# GUP cost" in open(d + "/report/report.md").read()
    # a plots directory that is a symlink is refused, not followed
    e = copy_run("linked")
    elsewhere = tmpdir()
    shutil.rmtree(e + "/plots", ignore_errors=True)
    os.symlink(elsewhere, e + "/plots")
    p = run(["plot", e])
    assert p.returncode != 0
    assert "symlink is not followed" in p.stderr, p.stderr
    assert os.listdir(elsewhere) == []


@test
def test_compare_output_never_written_through_a_symlink():
    """compare -o PATH with a symlink planted at PATH: the link is replaced, its target kept."""
    d = tmpdir()
    victim = d + "/victim"
    open(victim, "w").write("mine\n")
    os.symlink(victim, d + "/out.txt")
    data = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "icount-aa")
    p = run(["compare", "-o", d + "/out.txt", data + "/a", data + "/b"])
    assert p.returncode == 0, p.stderr
    assert open(victim).read() == "mine\n"
    assert not os.path.islink(d + "/out.txt")
    assert "Summary: 0 regressions" in " ".join(open(d + "/out.txt").read().split())
    # a path in no directory is refused, with the reason
    p = run(["compare", "-o", d + "/no/such/out.txt", data + "/a", data + "/b"])
    assert p.returncode == 2 and "No such file or directory" in p.stderr, p.stderr


@test
def test_restore_writes_only_gupbench_knobs():
    d = tmpdir()
    victim = d + "/victim"
    open(victim, "w").write("mine\n")
    with open(d + "/knobs.saved", "w") as f:
        f.write("%s\tPWNED\n" % victim)
    p = run(["restore", d])
    assert p.returncode == 1, (p.returncode, p.stderr)
    assert "not a knob gupbench turns" in p.stderr, p.stderr
    assert open(victim).read() == "mine\n"
    # a real knob with a value gupbench never writes: refused before any write
    with open(d + "/knobs.saved", "w") as f:
        f.write("/sys/kernel/mm/transparent_hugepage/enabled\tnever; id\n")
    p = run(["restore", d])
    assert p.returncode == 1 and "not a value gupbench writes" in p.stderr, p.stderr


@test
def test_bad_times_and_a_killed_run_are_said():
    """ns that is no time (abc, nan, inf, negative) is left out with a count,
    never read as 0; a run without its [end] (killed) is compared with a
    warning."""
    need_root()
    d = copy_run()
    rows = list(csv.reader(open(d + "/results.csv")))
    ns, st = rows[0].index("ns"), rows[0].index("status")
    ok = [r for r in rows[1:] if r[st] == "ok"]
    for r, v in zip(ok, ["abc", "nan", "inf", "-5"]):
        r[ns] = v
    with open(d + "/results.csv", "w", newline="") as f:
        csv.writer(f).writerows(rows)
    meta = open(d + "/meta").read()
    open(d + "/meta", "w").write(meta.split("\n[end]\n")[0] + "\n")
    p = run(["summary", d])
    assert p.returncode == 0, p.stderr
    assert "left out: 4 ok rows whose ns is not a number >= 0" in p.stdout, p.stdout
    p = run(["compare", base_run(), d])
    assert "Left out: 0 base and 4 new ok rows" in p.stdout, p.stdout
    assert "[end] status" in p.stdout + p.stderr and "killed" in p.stdout + p.stderr, p.stdout


@test
def test_second_run_waits_for_the_first():
    """Knob-turning runs take a machine-wide lock: a second one waits, says
    so, and has written nothing until the first is done."""
    need_root()
    d = tmpdir()
    cfg = write_config(d, CFG)
    fd = os.open("/run/gupbench.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        p = subprocess.Popen([GUPBENCH, "run", "-q", "--no-plot", "-o", d + "/run", cfg],
                             stderr=subprocess.PIPE, text=True)
        time.sleep(1.5)
        assert p.poll() is None, p.communicate()
        assert not os.path.exists(d + "/run")
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
    _, err = p.communicate(timeout=300)
    assert p.returncode == 0, err
    assert "waiting for it to finish" in err, err


def tracefs_mounts():
    with open("/proc/self/mounts") as f:
        return [line for line in f if line.split()[2:3] == ["tracefs"]]


@test
def test_tracefs_never_left_mounted():
    """Where tracefs is not mounted, the tracepoint ids are read in a mount
    namespace of a child's own: the host never sees a tracefs mount, not
    during a run and not after a worker killed with SIGKILL."""
    need_root()
    if tracefs_mounts():
        raise Skip("tracefs is mounted here, so gupbench mounts none")
    d = tmpdir()
    cfg = write_config(d, CFG)
    p = subprocess.Popen([GUPBENCH, "run", "-q", "--no-plot", "-o", d + "/run", cfg],
                         stderr=subprocess.PIPE, text=True)
    seen = []
    while p.poll() is None:
        seen += tracefs_mounts()
        time.sleep(0.005)
    err = p.communicate()[1]
    assert p.returncode == 0, err
    assert not seen, seen
    # the ids were read: the tracepoint counters count
    counted = [r for r in csv.DictReader(open(d + "/run/results.csv"))
               if r["status"] == "ok" and r["c_page_allocs"] not in ("", "unsupported")]
    assert counted, "no page-allocation counts"
    # a worker killed at any point leaves nothing mounted either
    for delay in (0.05, 0.2, 0.5):
        p = subprocess.Popen([GUPBENCH, "run", "-q", "--no-plot", "-o",
                              "%s/k%g" % (d, delay), cfg], stderr=subprocess.DEVNULL)
        time.sleep(delay)
        try:
            kids = open("/proc/%d/task/%d/children" % (p.pid, p.pid)).read().split()
        except OSError:
            kids = []
        for k in kids:
            try:
                os.kill(int(k), signal.SIGKILL)
            except ProcessLookupError:
                pass
        p.wait(timeout=120)
        assert not tracefs_mounts(), (delay, tracefs_mounts())
    assert not [n for n in os.listdir("/tmp") if n.startswith("gupbench-tracefs-")]


@test
def test_dry_run_writes_nothing():
    """run -n prints the matrix and touches nothing: the O_DIRECT check of
    dir opens an O_TMPFILE, which never puts a name in dir."""
    d = tmpdir()
    if subprocess.run(["stat", "-f", "-c", "%T", "/var/tmp"], capture_output=True,
                      text=True).stdout.strip() in ("tmpfs", "ramfs"):
        raise Skip("/var/tmp is a memory filesystem here: dio refuses it")
    target = os.path.join("/var/tmp", "gupbench-dry-%d" % os.getpid())
    os.mkdir(target)
    try:
        try:
            os.close(os.open(target, os.O_TMPFILE | os.O_RDWR, 0o600))
        except OSError as e:
            raise Skip("/var/tmp's filesystem has no O_TMPFILE (%s): gupbench names a file "
                       "there and unlinks it at once" % e.strerror)
        os.utime(target, (0, 0))
        cfg = write_config(d, "[j]\nmethod = dio-read, dio-write\nsize = 4M\ndir = %s\n" % target)
        p = run(["run", "-n", "-o", d + "/out", cfg])
        assert p.returncode == 0, p.stderr
        assert "dio-read" in p.stdout, p.stdout
        assert os.stat(target).st_mtime == 0, "dir was written to"
        assert os.listdir(target) == [] and not os.path.exists(d + "/out")
    finally:
        shutil.rmtree(target)


@test
def test_worker_skips_counted_as_skips():
    """A scenario the worker finds impossible (a NUMA node that is not
    there, more threads than CPUs) is a skip in the final line, in
    scenarios.csv and in meta, not "ok"."""
    need_root()
    if os.cpu_count() >= 256:
        raise Skip("256 CPUs here: threads = 256 would run")
    d = tmpdir()
    cfg = write_config(d, "[a]\nmethod = iouring\nsize = 1M\nrepeat = 2\nmem_node = 99\n"
                          "[b]\nmethod = iouring\nsize = 1M\nrepeat = 2\nthreads = 256\n"
                          "[c]\nmethod = iouring\nsize = 1M\nrepeat = 2\n")
    p = run(["run", "-q", "--no-plot", "-o", d + "/run", cfg])
    assert p.returncode == 0, p.stderr
    assert "1 ok, 2 skipped, 0 failed scenarios" in p.stderr, p.stderr
    sc = list(csv.DictReader(open(d + "/run/scenarios.csv")))
    assert [r["status"] for r in sc] == ["skip", "skip", "ok"], sc
    assert "node" in sc[0]["worker_exit"] and "threads" in sc[1]["worker_exit"], sc
    text = open(d + "/run/meta").read()
    assert "scenarios_run = 1\n" in text and "scenarios_skipped = 2\n" in text, text


@test
def test_worker_dies_with_its_runner():
    """A runner killed with SIGKILL takes its worker along (PR_SET_PDEATHSIG),
    so nothing keeps pins or hugetlb pages behind a later restore."""
    need_root()
    d = tmpdir()
    cfg = write_config(d, "[slow]\nmethod = iouring\nsize = 64M\nrepeat = 100000\n")
    p = subprocess.Popen([GUPBENCH, "run", "-q", "--no-plot", "-o", d + "/run", cfg],
                         stderr=subprocess.DEVNULL)
    worker = None
    for _ in range(100):
        time.sleep(0.1)
        try:
            kids = open("/proc/%d/task/%d/children" % (p.pid, p.pid)).read().split()
        except OSError:
            kids = []
        if kids:
            worker = int(kids[0])
            break
    assert worker, "no worker started"
    os.kill(p.pid, signal.SIGKILL)
    p.wait()
    for _ in range(50):
        if not os.path.exists("/proc/%d" % worker):
            break
        try:
            if open("/proc/%d/stat" % worker).read().split(") ")[1][0] == "Z":
                break
        except OSError:
            break
        time.sleep(0.1)
    else:
        os.kill(worker, signal.SIGKILL)
        raise AssertionError("worker %d outlived its runner" % worker)
    # the killed run's knobs are for `gupbench restore`, as ever
    run(["restore", d + "/run"])


if __name__ == "__main__":
    main()
