"""Faults injected into the real processes: no server, interrupts, hostile parameter values.

Each ends one of two ways: refused or failed with one clear line, and no run left RUNNING
and no model registered.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.mnist_fixtures import write_npz
from tests.processes import BIN, REPO, free_port, mlflow_run, project_env, start_mlflow_server
from tests.tracking_reads import all_runs, client_for

pytestmark = pytest.mark.slow  # end to end: real processes, servers and training


@pytest.mark.parametrize("command", [["diab", "--n_estimators", "5"],
                                     ["mlflow_lab.reproduce", "--run_id", "0123456789abcdef"]])
def test_unreachable_tracking_server_fails_fast_naming_the_uri_without_its_password(tmp_path, command):
    uri = f"http://alice:s3cret-pw@127.0.0.1:{free_port()}"
    start = time.monotonic()
    done = subprocess.run(["python", "-m", *command], env=project_env(uri),
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    elapsed = time.monotonic() - start
    assert done.returncode == 1
    assert elapsed < 30, elapsed
    last = done.stderr.strip().splitlines()[-1]
    port = uri.rsplit(":", 1)[1]
    prog = command[0].rpartition(".")[2]
    assert last.startswith(f"{prog}: error: tracking at http://alice:***@127.0.0.1:{port} failed")
    assert "s3cret-pw" not in done.stderr + done.stdout
    assert "Traceback" not in done.stderr


def start_training(command: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen:
    """Start a long training in its own process group; return once its first epoch ended.

    Its output goes to a file (read here, never blocking), its errors to a pipe."""
    output = cwd / "training.out"
    with output.open("w") as out:
        process = subprocess.Popen(command, env=env, cwd=cwd, stdout=out, stderr=subprocess.PIPE,
                                   text=True, start_new_session=True)
    deadline = time.monotonic() + 180
    while "\nEpoch 2/" not in "\n" + output.read_text():
        if process.poll() is not None:
            raise AssertionError(f"training ended early: {process.returncode} "
                                 f"{process.stderr.read()[-2000:]}")
        if time.monotonic() > deadline:
            os.killpg(process.pid, signal.SIGKILL)
            raise AssertionError("the training's first epoch did not end within 180 s")
        time.sleep(0.2)
    return process


LONG_TRAINING = ["--epochs", "1000", "--batch_size", "16", "--num_hidden_units", "16",
                 "--register_as", "never"]


def test_sigterm_during_a_direct_run_ends_it_killed(tmp_path, sqlite_uri):
    data = write_npz(tmp_path / "tiny.npz")
    process = start_training(["python", "-m", "mnist", "--data_path", str(data), *LONG_TRAINING],
                             project_env(sqlite_uri), tmp_path)
    start = time.monotonic()
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err[-3000:]  # once seen -6 (SIGABRT) under load: keep its stderr
    assert time.monotonic() - start < 30
    assert err.strip().splitlines()[-1] == \
        "mnist: interrupted; the run was ended KILLED and nothing was registered"
    client = client_for(sqlite_uri)
    assert [r.info.status for r in all_runs(client)] == ["KILLED"]
    assert client.search_registered_models() == []


def test_ctrl_c_under_mlflow_run_leaves_no_run_running(tmp_path, sqlite_uri):
    data = write_npz(tmp_path / "tiny.npz")
    args = [f"-P{flag[2:]}={value}" for flag, value in zip(LONG_TRAINING[::2], LONG_TRAINING[1::2],
                                                          strict=True)]
    command = [str(BIN / "mlflow"), "run", str(REPO), "-e", "mnist", "--env-manager", "local",
               f"-Pdata_path={data}", *args]
    process = start_training(command, project_env(sqlite_uri), tmp_path)
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    _, err = process.communicate(timeout=60)
    # The launcher and the entry both get it: the entry ends its run KILLED and exits; the launcher
    # cancels it (SIGTERM), waits, and exits as click does on Ctrl-C (1, "Aborted!").
    assert process.returncode == 1 and err.rstrip().endswith("Aborted!"), err[-2000:]
    # The entry ended its run KILLED; the launcher, once the entry exited, marks it FAILED: MLflow
    # 3.17's `_maybe_set_run_terminated` reads the status as a string and checks it against
    # integer codes, so it overwrites any ending. Nothing is left RUNNING.
    client = client_for(sqlite_uri)
    assert [r.info.status for r in all_runs(client)] == ["FAILED"]
    assert "mnist: interrupted; the run was ended KILLED" in err
    assert client.search_registered_models() == []


def test_shell_metacharacters_in_a_parameter_stay_data(tmp_path, sqlite_uri):
    marker = tmp_path / "pwned"
    hostile = f"$(touch {marker}); touch {marker} `touch {marker}`"
    refusal = [f"mnist: error: data_path: {hostile} does not exist (give a .npz file or a folder of IDX "
               "files)"]
    done = mlflow_run(str(REPO), "-e", "mnist", "-P", f"data_path={hostile}",
                      env=project_env(sqlite_uri), cwd=tmp_path)
    assert done.returncode == 1  # the launcher's status for any run that failed
    assert not marker.exists()
    assert [line for line in done.stderr.splitlines() if line.startswith("mnist: error:")] == refusal
    [run] = all_runs(client_for(sqlite_uri))
    assert run.info.status == "FAILED"
    direct = subprocess.run(["python", "-m", "mnist", "--data_path", hostile], env=project_env(sqlite_uri),
                            cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert direct.returncode == 2  # bad input, said by the entry point itself
    assert not marker.exists() and "Traceback" not in direct.stderr
    assert [line for line in direct.stderr.splitlines() if line.startswith("mnist: error:")] == refusal


def test_tracking_server_dying_mid_run_exits_and_registers_nothing(tmp_path):
    root = tmp_path / "server"
    root.mkdir()
    server, url = start_mlflow_server(root)
    port = url.rsplit(":", 1)[1]
    try:
        data = write_npz(tmp_path / "tiny.npz")
        command = ["python", "-m", "mnist", "--data_path", str(data), "--epochs", "20",
                   "--batch_size", "16", "--num_hidden_units", "16", "--register_as", "never"]
        process = start_training(command, project_env(url, MLFLOW_LAB_TRACKING_PATIENCE="5"), tmp_path)
    finally:
        os.killpg(server.pid, signal.SIGKILL)  # dies at once: a graceful stop would still answer
        server.wait()
    killed_at = time.monotonic()
    _, err = process.communicate(timeout=180)
    assert process.returncode == 1
    assert time.monotonic() - killed_at < 120
    assert "results are lost" in err.strip().splitlines()[-1]
    assert f"tracking at http://127.0.0.1:{port} failed" in err
    assert client_for(f"sqlite:///{root}/mlflow.db").search_registered_models() == []


def test_parallel_runs_of_every_entry_point_into_one_sqlite_store(tmp_path, new_sqlite_uri):
    sqlite_uri = new_sqlite_uri  # four processes race to create it
    data = write_npz(tmp_path / "tiny.npz")
    commands = [["python", "-m", "diab", "--n_estimators", "10", "--seed", str(seed)] for seed in (1, 2)]
    commands += [["python", "-m", "mnist", "--epochs", "1", "--num_hidden_units", "16",
                  "--data_path", str(data), "--seed", str(seed)] for seed in (1, 2)]
    processes = [subprocess.Popen(c, env=project_env(sqlite_uri), cwd=tmp_path, text=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE) for c in commands]
    outputs = [p.communicate(timeout=300) for p in processes]
    for process, (_, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err[-2000:]
        assert "database is locked" not in err
    runs = all_runs(client_for(sqlite_uri))
    assert len(runs) == 4 and {r.info.status for r in runs} == {"FINISHED"}
