# SPDX-License-Identifier: GPL-2.0
"""The README's reference tables against what gupbench itself prints.

`gupbench keys` and `gupbench schema` come from the one option table and
the one column table; the README's tables are written by hand. These
tests fail when the two part: a key or a column added, dropped or
renamed on one side only, or a key's default changed in the code and not
in the README. No root, nothing pinned.
"""
import os
import re

from tap import main, run, test

README = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "README.md")


def readme_table(header):
    """The rows of the README table whose header line starts with header."""
    lines = open(README).read().splitlines()
    for i, line in enumerate(lines):
        if line.startswith(header):
            rows = []
            for row in lines[i + 2:]:
                if not row.startswith("|"):
                    break
                rows.append([c.strip() for c in row.strip("|").split("|")])
            return rows
    raise AssertionError("README has no table starting %r" % header)


def unquote(cell):
    return cell.strip("`")


@test
def test_readme_keys_are_the_option_table():
    p = run(["keys"])
    assert p.returncode == 0, p.stderr
    code = {}
    for line in p.stdout.splitlines()[1:]:
        m = re.match(r"^  (\S+)\s+(.*?)(?: \[default (.*)\])?$", line)
        assert m, line
        code[m.group(1)] = m.group(3)
    doc = {unquote(r[0]): r[1] for r in readme_table("| key | default | meaning |")}
    assert set(doc) == set(code), "only in README: %s; only in gupbench keys: %s" % (
        sorted(set(doc) - set(code)), sorted(set(code) - set(doc)))
    for key, default in code.items():
        want = "(required)" if default is None else "`%s`" % default
        assert doc[key] == want, "%s: README says %s, gupbench keys %s" % (key, doc[key], want)


@test
def test_readme_columns_are_the_schema():
    p = run(["schema"])
    assert p.returncode == 0, p.stderr
    code = [line.split()[0] for line in p.stdout.splitlines()[1:] if line.startswith("  ")]
    doc = [unquote(r[0]) for r in readme_table("| column | meaning |")]
    assert doc == code, "README columns %s, gupbench schema %s" % (doc, code)


main()
