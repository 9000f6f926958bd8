"""Every shell block of the README has a check in scripts/check_readme.py (`make check-readme`
runs them as written), so no command the README adds escapes it."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import check_readme  # noqa: E402

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_shell_block_of_the_readme_has_a_check():
    blocks = check_readme.shell_blocks(README)
    assert len(blocks) >= 10
    assert check_readme.unknown_blocks(README) == []


def test_a_new_or_changed_block_is_unknown():
    added = README + "\n```bash\nmake something-new\n```\n"
    changed = README.replace("make predict IN=articles.jsonl", "make predict IN=news.jsonl")
    assert check_readme.unknown_blocks(added) == ["make something-new"]
    assert check_readme.unknown_blocks(changed) == ["make predict IN=news.jsonl OUT=predictions.jsonl"]
    # Other languages are not shell: SQL and Python blocks are run by tests/test_readme_queries.py.
    assert check_readme.unknown_blocks(README + "\n```sql\nselect 1;\n```\n") == []


def test_the_checker_lists_the_readme_blocks_and_fails_on_an_unknown_one(tmp_path, monkeypatch):
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "check_readme.py"), "--list"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "production" in done.stdout and "two_commands" in done.stdout
    readme = tmp_path / "README.md"
    readme.write_text(README + "\n```sh\nrm -rf /tmp/nothing-here\n```\n", encoding="utf-8")
    monkeypatch.setattr(check_readme, "README", readme)
    monkeypatch.setattr(sys, "argv", ["check_readme.py", "--list"])
    assert check_readme.main() == 1


def test_a_block_that_fails_is_reported_with_its_output(tmp_path):
    scratch = check_readme.Scratch(tmp_path)
    assert scratch.sh("echo fine").returncode == 0
    try:
        scratch.must("echo broken; exit 3")
    except check_readme.CheckFailed as failed:
        assert "exited 3" in str(failed) and "broken" in str(failed)
    else:
        raise AssertionError("a failing block passed")
    timed_out = scratch.sh("sleep 30 & wait", timeout=1)
    assert timed_out.returncode == 124
