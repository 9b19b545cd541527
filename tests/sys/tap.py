# SPDX-License-Identifier: GPL-2.0
"""A tiny TAP harness for gupbench's end-to-end tests (stdlib only).

A test is a function decorated with @test. It passes by returning,
fails by raising, and skips by raising Skip(reason): a missing privilege
or kernel feature is a skip with its reason, never a pass.
"""
import csv
import os
import subprocess
import sys
import tempfile
import traceback

GUPBENCH = os.environ.get("GUPBENCH") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "build", "gupbench")
THP = "/sys/kernel/mm/transparent_hugepage"

_tests = []


class Skip(Exception):
    pass


def test(fn):
    _tests.append(fn)
    return fn


def need_root():
    if os.geteuid() != 0:
        raise Skip("needs root (sysfs knobs, pagemap PFNs, AF_XDP)")


_probe = None


def probe():
    """{feature: (answer, why)} as `gupbench probe` found this kernel."""
    global _probe
    if _probe is None:
        p = subprocess.run([GUPBENCH, "probe"], capture_output=True, text=True, check=True)
        _probe = {}
        for line in p.stdout.splitlines():
            k, v = line.split(" = ", 1)
            answer, _, why = v.partition(": ")
            _probe[k] = (answer, why)
    return _probe


def need_kfeat(name):
    """Skip unless the probe says this kernel offers `name`, with its reason."""
    answer, why = probe()[name]
    if answer != "yes":
        raise Skip("this kernel's %s = %s: %s" % (name, answer, why))


def write_config(directory, text, name="t.ini"):
    path = os.path.join(directory, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def meta(path):
    """{(section, key): value} of a run's meta; the first value of a key
    repeated in a section, as `gupbench` reads it; the verbatim config
    lines ("| ...") are not keys."""
    out, sec = {}, ""
    for line in open(path):
        line = line.rstrip("\n")
        if line.startswith("[") and line.endswith("]"):
            sec = line[1:-1]
        elif " = " in line and not line.startswith("|"):
            k, v = line.split(" = ", 1)
            out.setdefault((sec, k), v)
    return out


def run(args, env=None, **kw):
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([GUPBENCH] + args, capture_output=True, text=True, env=e, **kw)


def start_run(cfg, out, min_rows=5, timeout=60):
    """Start `gupbench run` in the background and return once its CSV has
    min_rows lines (header included), so a test can interrupt it mid-run."""
    import time
    proc = subprocess.Popen([GUPBENCH, "run", "-q", "--no-plot", "-o", out, cfg],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    csv_path = out + "/results.csv"
    deadline = time.time() + timeout
    while time.time() < deadline:
        if os.path.exists(csv_path) and sum(1 for _ in open(csv_path)) > min_rows:
            break
        time.sleep(0.05)
    return proc


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


COUNTERS = ("full_scans", "pages_collapsed")


def thp_knobs():
    """Every THP knob's current value (the bracketed choice where there is one).

    Statistics (stats/ directories, khugepaged's scan counters) are not
    knobs: they move on their own and are left out.
    """
    out = {}
    for root, dirs, files in os.walk(THP):
        dirs[:] = [x for x in dirs if x != "stats"]
        for name in files:
            if name in COUNTERS:
                continue
            p = os.path.join(root, name)
            try:
                v = open(p).read().strip()
            except OSError:
                continue
            if "[" in v:
                v = v[v.index("[") + 1:v.index("]")]
            out[p] = v
    return out


def tmpdir():
    return tempfile.mkdtemp(prefix="gupbench-test-")


def main():
    print("1..%d" % len(_tests), flush=True)
    bad = 0
    for i, fn in enumerate(_tests, 1):
        try:
            fn()
        except Skip as e:
            print("ok %d - %s # SKIP %s" % (i, fn.__name__, e), flush=True)
        except Exception:
            bad += 1
            print("not ok %d - %s" % (i, fn.__name__), flush=True)
            for line in traceback.format_exc().splitlines():
                print("# " + line, flush=True)
        else:
            print("ok %d - %s" % (i, fn.__name__), flush=True)
    sys.exit(1 if bad else 0)
