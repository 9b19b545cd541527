# SPDX-License-Identifier: GPL-2.0
"""NUMA placement end to end, on whatever nodes this machine has.

Memory asked for a node lands there (read back per page with move_pages);
placements the machine cannot give (remote on one node, a node that does
not exist) are skip rows with the reason, never silently unbound runs.
The two-node cases run for real in a guest with several nodes.
"""
import glob

from tap import main, need_root, rows, run, test, tmpdir, write_config


def nodes_with_memory():
    out = []
    for d in sorted(glob.glob("/sys/devices/system/node/node[0-9]*")):
        n = int(d.rsplit("node", 1)[1])
        for line in open(d + "/meminfo"):
            if "MemTotal" in line and int(line.split()[-2]) > 0:
                out.append(n)
    return out or [0]


def run_cfg(text):
    d = tmpdir()
    cfg = write_config(d, text)
    p = run(["run", "-q", "--no-plot", "-o", d + "/run", cfg])
    assert p.returncode == 0, p.stderr
    return rows(d + "/run/results.csv")


@test
def test_local_and_bound_memory_lands_on_its_node():
    need_root()
    for node in nodes_with_memory():
        rs = run_cfg("[n]\nmethod = iouring\nsize = 8M\norder = 0, pmd\ncpu_node = %d\n"
                     "mem_node = local, %d\nrepeat = 2\n" % (node, node))
        measured = [r for r in rs if r["status"] in ("ok", "warmup")]
        assert measured, rs
        for r in measured:
            assert r["node_got"] == str(node), (node, r["node_got"], r["node_hist"])
            assert r["node_hist"] == "n%d=%s" % (node, r["pages"]), r["node_hist"]


@test
def test_remote_needs_a_second_node():
    need_root()
    nodes = nodes_with_memory()
    rs = run_cfg("[n]\nmethod = iouring\nsize = 8M\ncpu_node = %d\nmem_node = remote\nrepeat = 2\n"
                 % nodes[0])
    if len(nodes) == 1:
        assert rs and all(r["status"] == "skip" for r in rs), rs
        assert all("second NUMA node" in r["reason"] for r in rs), rs[0]["reason"]
        assert all(r["node_got"] == "" for r in rs)
    else:
        for r in rs:
            if r["status"] in ("ok", "warmup"):
                assert r["node_got"] != str(nodes[0]), r


@test
def test_missing_node_is_a_skip_with_reason():
    need_root()
    rs = run_cfg("[n]\nmethod = pvm-read\nsize = 8M\nmem_node = 63\nrepeat = 2\n")
    assert rs and all(r["status"] == "skip" for r in rs), rs
    assert "mem_node 63" in rs[0]["reason"], rs[0]["reason"]
    rs = run_cfg("[n]\nmethod = pvm-read\nsize = 8M\ncpu_node = 63\nrepeat = 2\n")
    assert rs and all(r["status"] == "skip" for r in rs), rs
    assert "cpu_node 63" in rs[0]["reason"], rs[0]["reason"]


@test
def test_relative_placement_needs_cpu_node():
    d = tmpdir()
    cfg = write_config(d, "[n]\nmethod = iouring\nsize = 8M\nmem_node = local\n")
    p = run(["run", "-o", d + "/run", cfg])
    assert p.returncode == 2
    assert cfg + ":4: mem_node: local is relative to cpu_node" in p.stderr, p.stderr


main()
