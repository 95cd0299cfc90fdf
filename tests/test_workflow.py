"""The GitHub Actions workflow that publishes cv.pdf: valid for actionlint and the schema."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "cv.yml"


def _tool(name: str) -> str:
    """A command of the test extras: on PATH, or beside this Python in its environment."""
    beside = Path(sys.executable).parent / name
    found = shutil.which(name) or (str(beside) if beside.is_file() else None)
    if found is None:
        pytest.fail(f"{name} is missing: install the test extras (pip install '.[test]')")
    return found


def test_actionlint_passes() -> None:
    run = subprocess.run([_tool("actionlint"), str(WORKFLOW)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_matches_github_workflow_schema() -> None:
    command = [_tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows",
               str(WORKFLOW)]
    run = subprocess.run(command, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_builds_on_push_to_main_and_uploads_the_pdf() -> None:
    flow = yaml.safe_load(WORKFLOW.read_text("utf-8"))
    triggers = flow[True] if True in flow else flow["on"]  # YAML 1.1 reads `on` as true
    assert "main" in triggers["push"]["branches"]
    steps = [s for job in flow["jobs"].values() for s in job["steps"]]
    assert any(s.get("run", "").strip() == "make pdf" for s in steps)
    upload = [s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@")]
    assert upload and upload[0]["with"]["path"] == "cv.pdf"
