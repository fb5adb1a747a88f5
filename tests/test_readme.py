"""The README's examples run as written: its Python blocks, and its command-line block."""

import re
import shlex
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"^```(\w+)\n(.*?)^```", README, flags=re.S | re.M)
GOVREPORTS = Path(sys.executable).with_name("govreports")  # the command pip installed beside Python


def test_the_python_blocks_run():
    python = [code for language, code in BLOCKS if language == "python"]
    assert python
    for code in python:
        exec(compile(code, "README.md", "exec"), {})  # noqa: S102 - the README's own examples


def test_the_command_line_block_runs(tmp_path):
    (block,) = [code for language, code in BLOCKS if language == "bash" and "govreports check" in code]
    for line in block.splitlines():
        words = shlex.split(line, comments=True)
        # Written where the test may write: the dataset and the Stata file go to a temporary folder.
        words = [w.replace("data/processed", str(tmp_path / "processed")) for w in words]
        words = [str(tmp_path / w) if w.endswith(".dta") else w for w in words]
        assert words[0] == "govreports"
        done = subprocess.run([str(GOVREPORTS), *words[1:]], cwd=ROOT, capture_output=True, text=True)
        assert done.returncode == 0, f"{line}\n{done.stderr}"
    assert (tmp_path / "gr.dta").stat().st_size > 0
