"""What one line a process ends with when MLflow refuses something: not every refusal is an outage."""

from __future__ import annotations

import pytest
from mlflow.exceptions import RestException

from mlflow_lab.faults import one_line_errors


def ended_with(error: Exception, capsys) -> str:
    with pytest.raises(SystemExit) as ended, one_line_errors("diab"):
        raise error
    assert ended.value.code == 1
    [line] = capsys.readouterr().err.splitlines()
    return line


@pytest.mark.parametrize("code, says", [("PERMISSION_DENIED", "was refused"),
                                        ("UNAUTHENTICATED", "was refused"),
                                        ("INVALID_PARAMETER_VALUE", "rejected"),
                                        ("RESOURCE_DOES_NOT_EXIST", "rejected")])
def test_a_refusal_of_the_store_is_not_reported_as_lost_results(code, says, capsys):
    answer = {"error_code": code, "message": "User me has no MANAGE on model diab-rf"}  # as a server says it
    line = ended_with(RestException(answer), capsys)
    assert line.startswith("diab: error: ") and says in line and "lost" not in line
    assert "User me has no MANAGE on model diab-rf" in line


@pytest.mark.parametrize("code", ["INTERNAL_ERROR", "TEMPORARILY_UNAVAILABLE"])
def test_a_store_that_failed_is_reported_as_results_lost(code, capsys):
    line = ended_with(RestException({"error_code": code, "message": "the store is down"}), capsys)
    assert "failed, this run's results are lost" in line


@pytest.mark.parametrize("entry, argv", [
    ("sweep", ["--model", "diab", "--max_depth", "3,4", "--workers", "2"]),  # before its workers open it
    ("reproduce", ["--run_id", "0123456789abcdef0123456789abcdef"]),  # before it makes the URI absolute
])
def test_a_relative_sqlite_uri_under_a_launcher_is_one_line_and_makes_no_store(entry, argv, tmp_path,
                                                                              monkeypatch, capsys):
    """Under `mlflow run` (its MLFLOW_RUN_ID set) the entry starts in the project's folder, where a
    relative sqlite path is another file than the launcher's (the launcher's side, for diab:
    tests/test_diab_e2e.py)."""
    from importlib import import_module

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MLFLOW_RUN_ID", "f" * 32)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "sqlite:///mlflow.db")
    assert import_module(f"mlflow_lab.{entry}.cli").main(argv) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith(f"{entry}: error: MLFLOW_TRACKING_URI=sqlite:///mlflow.db is a relative path, "
                           f"which `mlflow run` resolves in the project's folder ({tmp_path})")
    assert list(tmp_path.iterdir()) == []  # no stray store
