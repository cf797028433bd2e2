"""A local worker that dies (the OOM killer's SIGKILL) fails its own trial, and nothing hangs.

The sweep runs with tests/held_trial_site on its PYTHONPATH: the trials of the chosen
max_depth values wait inside their training, so the test knows which worker holds which trial
when it kills it. Every wait here has a deadline; a sweep still running past it fails the test.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.processes import held_env, held_pid, last_words, project_env, run
from tests.tracking_reads import all_runs, client_for

pytestmark = pytest.mark.slow
GRID = ["--model", "diab", "--n_estimators", "10", "--max_depth", "3,5,7,9", "--workers", "2"]
DEADLINE_S = 180


def start_sweep(tmp_path: Path, uri: str, held: str) -> tuple[subprocess.Popen, Path, str]:
    holds = tmp_path / "held"
    holds.mkdir()
    env = held_env(uri, holds, HELD_MAX_DEPTHS=held)
    sweep = subprocess.Popen([sys.executable, "-m", "mlflow_lab.sweep", *GRID], env=env, cwd=tmp_path,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             stdin=subprocess.DEVNULL, start_new_session=True)  # its group: killed together
    return sweep, holds, uri


def ended(sweep: subprocess.Popen) -> tuple[int, str]:
    try:
        _, stderr = sweep.communicate(timeout=DEADLINE_S)
    except subprocess.TimeoutExpired:
        os.killpg(sweep.pid, signal.SIGKILL)  # its workers too: one left alive would hold the pipes open
        pytest.fail(f"the sweep still ran {DEADLINE_S} s after its worker died: {last_words(sweep)[-2000:]}")
    return sweep.returncode, stderr


def trial_runs(uri: str) -> dict[str, list]:
    """Each trial run's status, by max_depth; and the sweep's runs under `None`."""
    by_depth: dict[str, list] = {}
    for found in all_runs(client_for(uri)):
        key = found.data.params.get("max_depth") if "mlflow.parentRunId" in found.data.tags else None
        by_depth.setdefault(key, []).append(found)
    return by_depth


def test_a_killed_worker_fails_its_trial_the_others_finish_and_resume_trains_it(tmp_path, sqlite_uri):
    sweep, holds, uri = start_sweep(tmp_path, sqlite_uri, held="7")
    os.kill(held_pid(holds, 7, sweep, DEADLINE_S), signal.SIGKILL)
    status, stderr = ended(sweep)
    assert status == 1, stderr[-3000:]
    assert "1 of 4 trials failed" in stderr
    runs = trial_runs(uri)
    [lost] = runs["7"]
    assert lost.info.status == "FAILED"
    assert "worker process" in lost.data.tags["sweep.error"] and "SIGKILL" in lost.data.tags["sweep.error"]
    others = {depth: [r.info.status for r in found] for depth, found in runs.items()
              if depth not in (None, "7")}
    assert others == {"3": ["FINISHED"], "5": ["FINISHED"], "9": ["FINISHED"]}
    [parent] = runs[None]
    assert parent.info.status == "FAILED"

    resumed = run([sys.executable, "-m", "mlflow_lab.sweep", "--resume", parent.info.run_id],
                  project_env(uri), cwd=tmp_path, timeout=DEADLINE_S)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    again = trial_runs(uri)
    assert sorted(r.info.status for r in again["7"]) == ["FAILED", "FINISHED"]
    assert not [r for found in again.values() for r in found if r.info.status == "RUNNING"]


def test_ctrl_c_ends_the_sweep_after_a_worker_died(tmp_path, sqlite_uri):
    sweep, holds, uri = start_sweep(tmp_path, sqlite_uri, held="7,9")
    os.kill(held_pid(holds, 7, sweep, DEADLINE_S), signal.SIGKILL)
    held_pid(holds, 9, sweep, DEADLINE_S)  # a trial in flight again, on the other or a replacement worker
    sweep.send_signal(signal.SIGINT)
    status, stderr = ended(sweep)
    assert status != 0, stderr[-3000:]
    assert "Traceback" not in stderr, stderr[-3000:]
    runs = trial_runs(uri)
    assert not [r for found in runs.values() for r in found if r.info.status == "RUNNING"]
    assert [r.info.status for r in runs["7"]] == ["FAILED"]
    assert [r.info.status for r in runs["9"]] == ["FAILED"]
