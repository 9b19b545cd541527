# SPDX-License-Identifier: GPL-2.0
"""`gupbench bisect` end to end, without building or booting kernels.

One real run of a small config (iouring, 1 MiB) is the good kernel's
numbers. A fake kernel is a shell script that "boots" by writing a copy of
that run with every ns (and round_ns) multiplied by the factor it carries:
1.0 on good kernels, 1.5 on bad ones; a kernel whose boot fails exits 4
without writing anything, as `gupbench vm` does when the guest never
completes. The fake git tree (made here with `git init`) holds such a
kernel.sh and a build.sh that copies it out of the tree as the image and
fails at one commit.

Tree: c0..c9, first bad c6, the build broken at c4, the boot at c7: one
skip on each side of the first bad, both on git's path (git tests the
midpoint c4 first; after a skip it tries c5, and then c7 is the midpoint
of c6..c8). Asserted: exit 0, one log line per
measured revision with the verdict the commit was made to give and its
numbers, stdout equal to the log, `first bad commit` is c5, and the tree
is left on its branch, clean, with no bisection in progress. Also: a
--bad that is not bad is refused; a good end that cannot be built is
fatal; a dirty tree or one mid-bisect is refused untouched; a refused
config aborts; SIGINT during a step resets the tree; --images finds the first bad image across
a skip, and says "undecided" when skips hide it; usage errors exit 2.
A behaviour bisection (--metric pins_per_page) over a tree whose times
never move finds the commit that started counting pins. steps.csv and the
chart hold each judged kernel's deciding number at its place in the range.

The comparisons use --threshold 25%: a good kernel compares the same
samples with themselves (ratio 1, CI as wide as the run's own spread,
which on this VM can reach past 10% for iouring unpin; README: Comparing
runs), and 1.5 is well beyond 25% either way.
"""
import csv
import os
import re
import signal
import subprocess
import time

from tap import GUPBENCH, Skip, main, need_root, rows, run, test, tmpdir, write_config

CONFIG = "[t]\nmethod = iouring\nsize = 1M\nrepeat = 20\n"
BOOT = "sh {image} {out}"
# vm --boots N --kernel GOOD --kernel IMAGE, faked: a/boot-I and b/boot-I, interleaved
PAIRED = ("for i in $(seq 1 {boots}); do sh {good} {out}/a/boot-$i $((i - 1)) && "
          "sh {image} {out}/b/boot-$i $((i - 1)) || exit $?; done; echo {good} >> %s")
CMP = ["--threshold", "25%"]

# the fake kernel's boot: the baseline run, its times scaled
MKRUN = r'''
import csv, os, shutil, sys
base, out, factor = sys.argv[1], sys.argv[2], float(sys.argv[3])
# FAKE_PINS=none: a kernel that takes no FOLL_PIN pins (FOLL_GET, as 6.1's O_DIRECT)
pins = os.environ.get("FAKE_PINS", "keep")
# boot i of a --boots pair: 2% slower per boot, so the boots of one kernel differ
factor *= 1 + 0.02 * int(sys.argv[4] if len(sys.argv) > 4 and sys.argv[4] else 0)
shutil.copytree(base, out)
with open(base + "/results.csv", newline="") as f:
    table = list(csv.reader(f))
cols = [table[0].index(c) for c in ("ns", "round_ns")]
pin_cols = [table[0].index(c) for c in ("pins_acquired", "pins_released")]
for row in table[1:]:
    for c in cols:
        if row[c]:
            row[c] = str(round(float(row[c]) * factor))
    for c in pin_cols:
        if pins == "none" and row[c]:
            row[c] = "0"
with open(out + "/results.csv", "w", newline="") as f:
    csv.writer(f, lineterminator="\n").writerows(table)
'''

KERNEL = '''# a fake kernel: its "boot" writes the baseline run with ns times FACTOR
FACTOR={factor}
BOOT={boot}
export FAKE_PINS={pins}
echo "Linux version fake ($FACTOR)"
if [ "$BOOT" != ok ]; then echo "Kernel panic - not syncing: fake" >&2; exit 4; fi
exec python3 {mkrun} {base} "$1" "$FACTOR" "$2"
'''

BUILD = '''# a fake kernel build: the image is kernel.sh, copied out of the tree
echo "  CC      mm/gup.o"
if [ -e broken ]; then echo "mm/gup.c:1:1: error: broken on purpose" >&2; exit 1; fi
img={images}/kernel-$(git rev-parse --short HEAD).sh
cp kernel.sh "$img"
echo "Kernel: arch/x86/boot/bzImage is ready"
echo "$img"
'''

# subject, factor, boot, build broken, what the commit should be judged
PLAN = [
    ("c0: start", 1.0, "ok", False, "good"),
    ("c1: unrelated", 1.0, "ok", False, "good"),
    ("c2: unrelated", 1.0, "ok", False, "good"),
    ("c3: unrelated", 1.0, "ok", False, "good"),
    ("c4: break the build", 1.0, "ok", True, "build"),
    ("c5: fix the build", 1.0, "ok", False, "good"),
    ("c6: slow down pinning", 1.5, "ok", False, "bad"),
    ("c7: break the boot", 1.5, "fail", False, "boot"),
    ("c8: fix the boot", 1.5, "ok", False, "bad"),
    ("c9: unrelated", 1.5, "ok", False, "bad"),
]
FIRST_BAD = 6

LINE = re.compile(r'^(--good|--bad|first|last|step \d+) +(\S+) "(.*)": '
                  r'(good|bad|skip|abort)( \(baseline\))?: (.*)$')
BAD_NUMBERS = re.compile(r'ratio (\S+), 95% CI \[(\S+), (\S+)\], q (\S+); '
                         r'(\d+) of (\d+) points compared regressed')
GOOD_NUMBERS = re.compile(r'largest ratio (\S+), 95% CI \[(\S+), (\S+)\] \(.*\); '
                          r'(\d+) points compared')

_setup = {}


def setup():
    """The real baseline run and the helper script, once for all tests."""
    if not _setup:
        need_root()
        d = tmpdir()
        cfg = write_config(d, CONFIG)
        p = run(["run", "-q", "--no-plot", "-o", d + "/base", cfg])
        ok = [r for r in rows(d + "/base/results.csv") if r["status"] == "ok"] \
            if os.path.exists(d + "/base/results.csv") else []
        if p.returncode != 0 or not ok:
            raise Skip("no ok rows from iouring here: %s" % p.stderr.strip())
        with open(d + "/mkrun.py", "w") as f:
            f.write(MKRUN)
        _setup.update(dir=d, cfg=cfg, base=d + "/base", mkrun=d + "/mkrun.py")
    return _setup


def kernel_script(factor, boot, pins="keep"):
    s = setup()
    return KERNEL.format(factor=factor, boot=boot, pins=pins, mkrun=s["mkrun"], base=s["base"])


def git(repo, *args):
    p = subprocess.run(["git", "-C", repo] + list(args), capture_output=True, text=True)
    assert p.returncode == 0, (args, p.stderr)
    return p.stdout.strip()


class Repo:
    def __init__(self, plan=None, pins=None):
        plan = plan or PLAN
        pins = pins or ["keep"] * len(plan)
        d = tmpdir()
        self.path, self.images = d + "/linux", d + "/images"
        os.mkdir(self.path)
        os.mkdir(self.images)
        git(self.path, "init", "-q", "-b", "main")
        git(self.path, "config", "user.name", "gupbench test")
        git(self.path, "config", "user.email", "test@gupbench.invalid")
        self.sha, self.short, self.expect = [], {}, {}
        for (subject, factor, boot, broken, expect), pin in zip(plan, pins):
            write_config(self.path, kernel_script(factor, boot, pin), "kernel.sh")
            write_config(self.path, BUILD.format(images=self.images), "build.sh")
            write_config(self.path, subject + "\n", "VERSION")
            if broken:
                write_config(self.path, "", "broken")
            elif os.path.exists(self.path + "/broken"):
                os.unlink(self.path + "/broken")
            git(self.path, "add", "-A")
            git(self.path, "commit", "-q", "-m", subject)
            sha = git(self.path, "rev-parse", "HEAD")
            short = git(self.path, "rev-parse", "--short", sha)
            self.sha.append(sha)
            self.short[short] = len(self.sha) - 1
            self.expect[short] = expect

    def assert_as_found(self):
        """On main at its last commit, clean (untracked files too), no bisection."""
        assert git(self.path, "symbolic-ref", "--short", "HEAD") == "main"
        assert git(self.path, "rev-parse", "HEAD") == self.sha[-1]
        assert git(self.path, "status", "--porcelain") == "", git(self.path, "status")
        start = git(self.path, "rev-parse", "--git-path", "BISECT_START")
        assert not os.path.exists(os.path.join(self.path, start)), "still bisecting"


def bisect(*args, **kw):
    return run(["bisect"] + list(args), **kw)


def tree_args(repo, good, bad, out):
    return ["--tree", repo.path, "--good", good, "--bad", bad, "--build", "sh build.sh",
            "--boot", BOOT, "-o", out] + CMP + [setup()["cfg"]]


def parse_log(text):
    """Measured kernels, in order: (role, id, subject, verdict, why)."""
    out = []
    for line in text.splitlines():
        m = LINE.match(line)
        if m:
            out.append((m.group(1), m.group(2), m.group(3), m.group(4), m.group(6)))
    return out


def check_numbers(verdict, why):
    """The deciding numbers the log line carries, as the fake kernels make them."""
    if verdict == "bad":
        m = BAD_NUMBERS.search(why)
        assert m, why
        ratio, lo, hi, q = (float(x) for x in m.group(1, 2, 3, 4))
        # every sample times 1.5: the medians too (ns are rounded to integers)
        assert abs(ratio - 1.5) < 0.01 and 1.25 < lo <= ratio <= hi and q < 0.05, why
        assert m.group(6) == "2" and 1 <= int(m.group(5)) <= 2, why   # pin and unpin
    elif verdict == "good":
        m = GOOD_NUMBERS.search(why)
        assert m, why
        ratio, lo, hi = (float(x) for x in m.group(1, 2, 3))
        assert ratio == 1.0 and lo <= 1 <= hi, why
        assert m.group(4) == "2", why


@test
def test_tree_finds_first_bad_commit():
    repo = Repo()
    out = tmpdir() + "/bisect"
    t0 = time.time()
    p = bisect(*tree_args(repo, repo.sha[0], "main", out))
    assert p.returncode == 0, p.stdout + p.stderr
    log = open(out + "/bisect.log").read()
    assert p.stdout == log, (p.stdout, log)
    print("# %.1f s; bisect.log:" % (time.time() - t0))
    for line in log.splitlines():
        print("#   " + line)

    # the header says what was compared how
    assert "# tree:    %s (was at main)" % os.path.realpath(repo.path) in log
    assert "# good:    %s c0: start" % repo.sha[0] in log
    assert "# bad:     %s %s" % (repo.sha[-1], PLAN[-1][0]) in log
    assert "# config:  %s" % os.path.realpath(setup()["cfg"]) in log
    assert "# compare: threshold 25%" in log and "# build:   sh build.sh" in log
    assert "# boot:    sh {image} {out}" in log

    steps = parse_log(log)
    assert [s[0] for s in steps[:2]] == ["--good", "--bad"], steps
    assert steps[0][1] in repo.short and repo.short[steps[0][1]] == 0
    assert steps[0][3] == "good" and "2 points with ok samples" in steps[0][4], steps[0]
    assert repo.short[steps[1][1]] == len(PLAN) - 1 and steps[1][3] == "bad", steps[1]
    check_numbers("bad", steps[1][4])
    assert [s[0] for s in steps[2:]] == ["step %d" % i for i in range(1, len(steps) - 1)]
    tested = [repo.short[s[1]] for s in steps[2:]]
    assert len(set(tested)) == len(tested), tested
    assert all(1 <= i < len(PLAN) - 1 for i in tested), tested
    skips = []
    for role, short, subject, verdict, why in steps:
        want = repo.expect[short]
        assert subject == PLAN[repo.short[short]][0], (subject, short)
        if want == "build":
            assert verdict == "skip" and why.startswith("build failed (exit 1;"), why
            assert "error: broken on purpose" in open(
                "%s/logs/%s.build.log" % (out, short)).read()
            skips.append(want)
        elif want == "boot":
            assert verdict == "skip" and why.startswith("boot failed"), why
            assert "Kernel panic" in open("%s/logs/%s.boot.log" % (out, short)).read()
            skips.append(want)
        else:
            assert verdict == want, (short, verdict, why)
            if role != "--good":
                check_numbers(verdict, why)
                assert os.path.exists("%s/logs/%s.compare.txt" % (out, short))
            assert os.path.isdir("%s/runs/%s-%s" % (out, short, verdict)), os.listdir(
                out + "/runs")
    assert sorted(skips) == ["boot", "build"], "git tested %s" % tested
    assert log.splitlines()[-1] == "first bad commit: %s %s" % (
        repo.sha[FIRST_BAD], PLAN[FIRST_BAD][0]), log
    repo.assert_as_found()

    # steps.csv: a row per judged kernel with its deciding number; the chart
    # puts each at its place in the range (c0 is 0, c9 is 9)
    with open(out + "/steps.csv", newline="") as f:
        recs = list(csv.DictReader(f))
    assert [(r["revision"], r["verdict"]) for r in recs] == \
        [(s[1], s[3]) for s in steps], (recs, steps)
    for r in recs:
        if r["verdict"] == "bad":
            assert r["metric"] == "ratio" and abs(float(r["value"]) - 1.5) < 0.01, r
            assert float(r["ci_lo"]) <= float(r["value"]) <= float(r["ci_hi"]), r
        elif r["verdict"] == "good":
            assert r["metric"] == "ratio" and abs(float(r["value"]) - 1.0) < 0.01, r
        else:
            assert r["value"] == "", r
    assert os.path.getsize(out + "/bisect.png") > 5000 and os.path.getsize(out + "/bisect.svg")
    xs = {line.split()[5].strip('"'): int(line.split()[0]) for line in open(out + "/bisect.dat")
          if line[:1].isdigit()}
    for short, x in xs.items():
        assert x == repo.short[next(k for k in repo.short if k.startswith(short[:7]))], (xs,)


# A behaviour bisection: every kernel as fast as the next, but from c3 on
# the pins are counted (FOLL_PIN) where before they were not.
BEHAVE_SUBJECTS = ["start", "unrelated", "unrelated", "pin with FOLL_PIN", "unrelated",
                   "unrelated"]
BEHAVE_PLAN = [("c%d: %s" % (i, subject), 1.0, "ok", False, "bad" if i >= 3 else "good")
               for i, subject in enumerate(BEHAVE_SUBJECTS)]
BEHAVE_PINS = ["none"] * 3 + ["keep"] * 3


@test
def test_tree_behaviour_metric_finds_first_change():
    """--metric pins_per_page: the first commit whose pins per page differ
    from the good end's is bad, though no time moved; by time alone the
    same bad end is refused as not bad."""
    repo = Repo(BEHAVE_PLAN, BEHAVE_PINS)
    out = tmpdir() + "/bisect"
    p = bisect(*tree_args(repo, repo.sha[0], "main", out)[:-1], "--metric", "pins_per_page",
               setup()["cfg"])
    assert p.returncode == 0, p.stdout + p.stderr
    log = open(out + "/bisect.log").read()
    for line in log.splitlines():
        print("#   " + line)
    assert "metric pins_per_page" in log and "# verdict: behaviour" in log, log
    assert log.splitlines()[-1] == "first bad commit: %s %s" % (
        repo.sha[3], BEHAVE_PLAN[3][0]), log
    # the chart's numbers: the item's value on each kernel, 0 pins a page then 1
    with open(out + "/steps.csv", newline="") as f:
        recs = list(csv.DictReader(f))
    assert all(r["metric"] == "pins_per_page" for r in recs), recs
    assert {(r["verdict"], float(r["value"])) for r in recs} == {("good", 0.0), ("bad", 1.0)}, recs
    assert os.path.getsize(out + "/bisect.png") > 5000
    for role, short, subject, verdict, why in parse_log(log):
        assert verdict == repo.expect[short], (short, verdict, why)
        if role == "--good":
            continue
        if verdict == "bad":
            # iouring pin: 1 pin a page where the good kernel counted none
            assert "pins per page 0 -> 1;" in why and "pins_per_page changed on" in why, why
        else:
            assert "pins_per_page the same on all" in why, why
    repo.assert_as_found()

    p = bisect(*tree_args(repo, repo.sha[0], "main", tmpdir() + "/bisect"))
    assert p.returncode == 2 and "is not bad against --good" in p.stderr, p.stderr
    repo.assert_as_found()


@test
def test_tree_undecided_lists_candidates():
    """c5 does not boot either: c4 and c5 skipped before the first bad c6,
    so git can only say it is one of them: exit 125, the candidates listed."""
    repo = Repo()
    out = tmpdir() + "/bisect"
    c5 = [k for k, i in repo.short.items() if i == 5][0]
    args = tree_args(repo, repo.sha[0], "main", out)
    args[args.index(BOOT)] = "case {image} in *kernel-%s.sh) exit 4;; esac; %s" % (c5, BOOT)
    p = bisect(*args)
    assert p.returncode == 125, p.stdout + p.stderr
    lines = p.stdout.splitlines()
    at = lines.index("first bad commit: undecided: only skipped commits left; it is one of:")
    cands = lines[at + 1:]
    assert cands and all(c.startswith("candidate: ") for c in cands), lines
    named = {c.split()[1]: " ".join(c.split()[2:]) for c in cands}
    for i in (4, 5, 6):
        assert named.get(repo.sha[i]) == PLAN[i][0], (i, named)
    assert repo.sha[3] not in named
    repo.assert_as_found()


@test
def test_adjacent_ends():
    """--good c5 --bad c6: git names c6 as soon as both ends are marked."""
    repo = Repo()
    out = tmpdir() + "/bisect"
    p = bisect(*tree_args(repo, repo.sha[5], repo.sha[6], out))
    assert p.returncode == 0, p.stdout + p.stderr
    assert [s[0] for s in parse_log(p.stdout)] == ["--good", "--bad"], p.stdout
    assert p.stdout.splitlines()[-1] == "first bad commit: %s %s" % (repo.sha[6], PLAN[6][0])
    repo.assert_as_found()


@test
def test_bad_that_is_not_bad_is_refused():
    repo = Repo()
    out = tmpdir() + "/bisect"
    p = bisect(*tree_args(repo, repo.sha[0], repo.sha[2], out))
    assert p.returncode == 2, p.stdout + p.stderr
    assert "is not bad against --good" in p.stderr and "nothing to bisect" in p.stderr, p.stderr
    steps = parse_log(open(out + "/bisect.log").read())
    assert [(s[0], s[3]) for s in steps] == [("--good", "good"), ("--bad", "good")], steps
    check_numbers("good", steps[1][4])
    repo.assert_as_found()

    # the good end cannot be built: nothing to compare with, also fatal
    p = bisect(*tree_args(repo, repo.sha[4], "main", tmpdir() + "/bisect"))
    assert p.returncode == 2, p.stdout + p.stderr
    assert "--good revision" in p.stderr and "build failed" in p.stderr, p.stderr
    repo.assert_as_found()


@test
def test_dirty_or_bisecting_tree_is_refused():
    repo = Repo()
    out = tmpdir() + "/bisect"
    with open(repo.path + "/kernel.sh", "a") as f:
        f.write("# local change\n")
    p = bisect(*tree_args(repo, repo.sha[0], "main", out))
    assert p.returncode == 2 and "uncommitted changes" in p.stderr, p.stderr
    assert not os.path.exists(out)
    git(repo.path, "checkout", "-q", "kernel.sh")

    git(repo.path, "bisect", "start", "main", repo.sha[0])
    p = bisect(*tree_args(repo, repo.sha[0], "main", out))
    assert p.returncode == 2 and "middle of a bisection" in p.stderr, p.stderr
    assert not os.path.exists(out)
    git(repo.path, "bisect", "reset")
    repo.assert_as_found()


def third_boot(count, then):
    """A boot command that boots, and from the third boot on (the first
    under git bisect run, after the two ends) also runs then."""
    return ("sh {image} {out}; n=$(cat %s 2>/dev/null || echo 0); echo $((n + 1)) > %s; "
            "[ $n -lt 2 ] || %s" % (count, count, then))


@test
def test_refused_config_aborts():
    """A step whose boot says the config was refused (exit 2) stops the
    search: no revision would fix that."""
    repo = Repo()
    d = tmpdir()
    out = d + "/bisect"
    args = tree_args(repo, repo.sha[0], "main", out)
    args[args.index(BOOT)] = third_boot(d + "/boots", "exit 2")
    p = bisect(*args)
    assert p.returncode == 128, p.stdout + p.stderr
    steps = parse_log(p.stdout)
    # the first step that boots (git tests c4 first, whose build fails)
    assert steps[-1][0].startswith("step ") and steps[-1][3] == "abort", steps
    assert [s[3] for s in steps[2:-1]] == ["skip"] * (len(steps) - 3), steps
    assert steps[-1][4].startswith("the boot command refused a config or option (exit 2;"), \
        steps[-1]
    assert p.stdout.splitlines()[-1].startswith(
        "first bad commit: none: git bisect run stopped (exit 128;"), p.stdout
    repo.assert_as_found()


@test
def test_interrupt_resets_tree():
    """SIGINT while a step boots under git bisect run: stopped, tree reset."""
    repo = Repo()
    d = tmpdir()
    out, count = d + "/bisect", d + "/boots"
    args = tree_args(repo, repo.sha[0], "main", out)
    args[args.index(BOOT)] = third_boot(count, "sleep 60")
    proc = subprocess.Popen([GUPBENCH, "bisect"] + args, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 30
    while time.time() < deadline and not (os.path.exists(count) and
                                          open(count).read().strip() == "3"):
        time.sleep(0.05)
    assert os.path.exists(count) and open(count).read().strip() == "3", "no third boot"
    time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    try:
        stdout, stderr = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise AssertionError("bisect did not stop on SIGINT")
    assert proc.returncode == 128 + signal.SIGINT, (proc.returncode, stdout, stderr)
    log = open(out + "/bisect.log").read()
    assert log.splitlines()[-1] == "stopped by Interrupt; the tree is reset", log
    repo.assert_as_found()


def fake_images(plan):
    """Image scripts for --images: "good", "bad", "boot" (fails to boot)."""
    d = tmpdir()
    out = []
    for i, kind in enumerate(plan, 1):
        path = "%s/k%d.sh" % (d, i)
        with open(path, "w") as f:
            f.write(kernel_script(1.5 if kind == "bad" else 1.0,
                                  "fail" if kind == "boot" else "ok"))
        out.append(path)
    return out


@test
def test_images_first_bad():
    plan = ["good", "good", "good", "boot", "good", "bad", "bad", "bad"]
    imgs = fake_images(plan)
    out = tmpdir() + "/bisect"
    p = bisect("--images", *imgs, "--boot", BOOT, "-o", out, *CMP, setup()["cfg"])
    assert p.returncode == 0, p.stdout + p.stderr
    log = open(out + "/bisect.log").read()
    assert p.stdout == log
    for line in log.splitlines():
        print("#   " + line)
    steps = parse_log(log)
    # K1, K8, then the midpoint K4 (skip), its neighbour K5, then K6
    assert [(s[0], s[1], s[3]) for s in steps] == [
        ("first", "K1", "good"), ("last", "K8", "bad"), ("step 1", "K4", "skip"),
        ("step 2", "K5", "good"), ("step 3", "K6", "bad")], steps
    for role, k, spec, verdict, why in steps:
        assert spec == imgs[int(k[1:]) - 1]
        if role != "first" and verdict != "skip":
            check_numbers(verdict, why)
    assert steps[2][4].startswith("boot failed: the guest did not complete (exit 4;"), steps[2]
    assert log.splitlines()[-1] == "first bad image: K6 %s (last good: K5 %s)" % (
        imgs[5], imgs[4]), log
    assert sorted(os.listdir(out + "/runs")) == [
        "K1-k1.sh-good", "K5-k5.sh-good", "K6-k6.sh-bad", "K8-k8.sh-bad"]


@test
def test_images_undecided_and_not_bad():
    imgs = fake_images(["good", "boot", "bad"])
    out = tmpdir() + "/bisect"
    p = bisect("--images", *imgs, "--boot", BOOT, "-o", out, *CMP, setup()["cfg"])
    assert p.returncode == 125, p.stdout + p.stderr
    assert p.stdout.splitlines()[-1] == ("first bad image: undecided: one of K2..K3 (K2..K2 "
                                         "skipped; last good: K1 %s)" % imgs[0]), p.stdout
    # the last image no slower than the first: refused
    imgs = fake_images(["good", "good", "good"])
    p = bisect("--images", *imgs, "--boot", BOOT, "-o", tmpdir() + "/b", *CMP, setup()["cfg"])
    assert p.returncode == 2 and "is not bad against the first" in p.stderr, p.stderr


@test
def test_images_boots():
    """--boots 2: every try boots the first image beside the candidate, twice each.

    Each try's candidate is judged against the first image's boots of that
    try (a/ against b/), not against the baseline run; the first image's
    own pair is its A/A, said in its line. A --boot without {good} is
    refused.
    """
    plan = ["good", "good", "good", "bad", "bad"]
    imgs = fake_images(plan)
    d = tmpdir()
    out, goods = d + "/bisect", d + "/goods"
    p = bisect("--images", *imgs, "--boots", "2", "--boot", PAIRED % goods, "-o", out,
               *CMP, setup()["cfg"])
    assert p.returncode == 0, p.stdout + p.stderr
    log = open(out + "/bisect.log").read()
    for line in log.splitlines():
        print("#   " + line)
    assert "# boots:   2 of the good kernel and 2 of each candidate, interleaved" in log
    steps = parse_log(log)
    assert [(s[0], s[1], s[3]) for s in steps] == [
        ("first", "K1", "good"), ("last", "K5", "bad"), ("step 1", "K3", "good"),
        ("step 2", "K4", "bad")], steps
    assert "against itself (2 boots a side): 0 regressed" in steps[0][4], steps[0]
    for role, k, spec, verdict, why in steps[1:]:
        check_numbers(verdict, why)
    assert log.splitlines()[-1].startswith("first bad image: K4 "), log
    # the good image beside every candidate, the first image's A/A included
    assert open(goods).read().split() == [imgs[0]] * 4
    for name in ("K1-k1.sh-good", "K5-k5.sh-bad", "K3-k3.sh-good", "K4-k4.sh-bad"):
        for side in ("a", "b"):
            for i in (1, 2):
                assert os.path.exists("%s/runs/%s/%s/boot-%d/results.csv" % (out, name, side, i))
        assert os.path.exists("%s/logs/%s.compare.txt" % (out, name[:name.rindex("-")]))
    # the boots' medians differ by 2%: two runs a side, the run model
    cmp = open(out + "/logs/K4-k4.sh.compare.txt").read()
    assert "Runs: 2 base, 2 new" in " ".join(cmp.split()), cmp
    # a boot command that cannot boot the good kernel beside the candidate
    p = bisect("--images", *imgs, "--boots", "2", "--boot", BOOT, "-o", d + "/b2", *CMP,
               setup()["cfg"])
    assert p.returncode == 2 and "has no {good}" in p.stderr, p.stderr
    for bad in ("0", "x", "101", "-1"):
        p = bisect("--images", *imgs, "--boots", bad, "-o", d + "/b3", setup()["cfg"])
        assert p.returncode == 2 and "--boots" in p.stderr, (bad, p.stderr)


@test
def test_tree_boots():
    """--boots 1 in a tree: the good end's image is kept and booted at every step."""
    repo = Repo()
    d = tmpdir()
    out, goods = d + "/bisect", d + "/goods"
    args = tree_args(repo, repo.sha[0], "main", out)
    args[args.index(BOOT)] = PAIRED % goods
    p = bisect("--boots", "1", *args)
    assert p.returncode == 0, p.stdout + p.stderr
    log = open(out + "/bisect.log").read()
    for line in log.splitlines():
        print("#   " + line)
    kept = "%s/images/%s.bzImage" % (out, repo.sha[0][:len(next(iter(repo.short)))])
    assert os.path.isfile(kept), os.listdir(out)
    # the copy, not the build's output: a later build may overwrite that
    assert open(kept).read() == kernel_script(1.0, "ok")
    measured = [s for s in parse_log(log) if s[3] in ("good", "bad")]
    assert open(goods).read().split() == [kept] * len(measured), open(goods).read()
    assert log.splitlines()[-1] == "first bad commit: %s %s" % (
        repo.sha[FIRST_BAD], PLAN[FIRST_BAD][0]), log
    repo.assert_as_found()


@test
def test_usage_errors_exit_2():
    s = setup()
    cfg = s["cfg"]
    repo = Repo()
    imgs = fake_images(["good", "bad"])
    notgit = tmpdir()
    tree = ["--tree", repo.path, "--build", "sh build.sh", "--boot", BOOT]
    for args in ([], ["--bogus", cfg], [cfg],
                 ["--tree", repo.path, cfg],                        # no --good/--bad
                 tree + ["--good", repo.sha[0], "--bad", "main"],   # no config
                 ["--images", imgs[0], cfg],                        # one image
                 ["--images", imgs[0], imgs[1]],                    # no config
                 ["--images", "--tree", repo.path] + imgs + [cfg],
                 ["--threshold", "x", "--images"] + imgs + [cfg],
                 ["--images"] + imgs + [notgit + "/missing.ini"],
                 ["--images", imgs[0], notgit + "/missing/bzImage", cfg],
                 ["--tree", notgit, "--good", "HEAD", "--bad", "HEAD", cfg],
                 tree + ["--good", "no-such-rev", "--bad", "main", cfg],
                 tree + ["--good", "main", "--bad", repo.sha[0], cfg],   # swapped
                 tree + ["--good", "main", "--bad", "main", cfg]):
        out = tmpdir() + "/bisect"
        p = bisect(*args + ["-o", out])
        assert p.returncode == 2, (args, p.returncode, p.stdout, p.stderr)
        assert p.stderr.strip(), args
        assert not os.path.exists(out), args
    # an --ignore key that is none: found when the baseline is compared with itself
    p = bisect("--images", *imgs, "--boot", BOOT, "--ignore", "colour", "-o",
               tmpdir() + "/bisect", cfg)
    assert p.returncode == 2 and "not a scenario key" in p.stderr, p.stderr
    # OUT holding a bisection already
    out = tmpdir()
    write_config(out, "", "bisect.log")
    p = bisect("--images", *imgs, "--boot", BOOT, "-o", out, cfg)
    assert p.returncode == 2 and "holds a bisection already" in p.stderr, p.stderr
    p = bisect("--help")
    assert p.returncode == 0 and "--images" in p.stdout and "exit: 0 first bad" in p.stdout
    repo.assert_as_found()


main()
