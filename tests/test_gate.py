"""The promotion gate end to end: `champion` moves only to a model that beats it on its own data.

Sweeps and runs go through the real `mlflow run`; what the gate decides is checked against
scores computed here, in process, on the same held-out rows.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import mean_squared_error

from diab import DiabParams, fit_and_evaluate
from diab.train import holdout
from tests.processes import REPO, dash_p, mlflow_run, project_env, run
from tests.tracking_reads import all_runs, client_for

pytestmark = pytest.mark.slow  # real mlflow run, sweeps and registry

POOR = {"max_depth": "1", "n_estimators": "3"}
FAIR = {"max_depth": "3", "n_estimators": "5,10"}
GOOD = {"max_depth": "5", "n_estimators": "60"}


def sweep(folder, uri, grid: dict, launched: bool = False, **extra):
    """A diab sweep registering as diab-rf: through `mlflow run`, or `python -m mlflow_lab.sweep`."""
    values = {"model": "diab", "workers": "2", "register_as": "diab-rf", **grid, **extra}
    if launched:
        return mlflow_run(str(REPO), "-e", "sweep", *dash_p(values), env=project_env(uri), cwd=folder)
    flags = [arg for key, value in values.items() for arg in (f"--{key}", value)]
    return run(["python", "-m", "mlflow_lab.sweep", *flags], project_env(uri), cwd=folder)


def best_mse(grid: dict) -> float:
    """The best test MSE of a grid, trained here exactly as the sweep trains it."""
    settings = [DiabParams(max_depth=int(d), n_estimators=int(n))
                for d in grid["max_depth"].split(",") for n in grid["n_estimators"].split(",")]
    return min(fit_and_evaluate(p).metrics["mse"] for p in settings)


def decision_line(done) -> str:
    [line] = [line for line in done.stderr.splitlines() if line.startswith("diab-rf version")]
    return line


def test_champion_moves_only_to_a_better_sweep_and_promote_force_moves_it(tmp_path, sqlite_uri):
    assert best_mse(POOR) > best_mse(FAIR) > best_mse(GOOD)  # the grids rank as their names say
    uri = sqlite_uri
    client = client_for(uri)

    first = sweep(tmp_path, uri, FAIR, launched=True)
    assert first.returncode == 0, first.stderr[-3000:]
    assert decision_line(first).startswith("diab-rf version 1 (mse ") and "is champion; there was none" \
        in decision_line(first)
    assert client.get_model_version_by_alias("diab-rf", "champion").version in ("1", 1)

    worse = sweep(tmp_path, uri, POOR, min_improvement="0.01")
    assert worse.returncode == 0, worse.stderr[-3000:]
    assert "diab-rf version 2 stays challenger: mse " in decision_line(worse)
    assert str(client.get_model_version_by_alias("diab-rf", "champion").version) == "1"
    challenger = client.get_model_version_by_alias("diab-rf", "challenger")
    assert str(challenger.version) == "2" and challenger.tags["gate.decision"] == "challenger"
    assert float(challenger.tags["gate.score"]) == pytest.approx(best_mse(POOR))
    assert float(challenger.tags["gate.champion_score"]) == pytest.approx(best_mse(FAIR))
    [worse_parent] = [r for r in all_runs(client) if r.data.tags.get("gate.model") == "diab-rf/2"]
    assert worse_parent.data.tags["gate.decision"] == "challenger"  # the sweep's own run says so
    assert worse_parent.data.metrics["candidate_mean_squared_error"] == pytest.approx(best_mse(POOR))
    assert worse_parent.data.metrics["champion_mean_squared_error"] == pytest.approx(best_mse(FAIR))

    better = sweep(tmp_path, uri, GOOD)
    assert better.returncode == 0, better.stderr[-3000:]
    assert "diab-rf version 3 (mse " in decision_line(better)
    assert decision_line(better).endswith(f"is champion; was version 1 (mse {best_mse(FAIR):.6g})")
    assert str(client.get_model_version_by_alias("diab-rf", "champion").version) == "3"

    forced = mlflow_run(str(REPO), "-e", "promote",
                        *dash_p({"model_name": "diab-rf", "version": "2", "force": "true"}),
                        env=project_env(uri), cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr[-3000:]
    assert "diab-rf version 2 is champion (forced); was version 3" in forced.stdout
    assert str(client.get_model_version_by_alias("diab-rf", "champion").version) == "2"
    assert client.get_model_version("diab-rf", "2").tags["gate.decision"] == "forced"
    [promotion] = [r for r in all_runs(client) if r.data.tags.get("gate.decision") == "forced"]
    assert promotion.info.status == "FINISHED"

    gated = run(["python", "-m", "mlflow_lab.promote", "--model_name", "diab-rf", "--version", "3"],
                project_env(uri), cwd=tmp_path)  # 3 beats the forced 2 on 3's own rows
    assert gated.returncode == 0, gated.stderr[-3000:]
    assert "diab-rf version 3 (mse " in gated.stdout and "is champion; was version 2" in gated.stdout
    assert str(client.get_model_version_by_alias("diab-rf", "champion").version) == "3"
    assert len(client.search_model_versions("name = 'diab-rf'")) == 3  # promote registers nothing new


def test_a_candidate_with_another_split_is_compared_on_its_own_rows(tmp_path, sqlite_uri):
    champion = DiabParams(n_estimators=10, max_depth=3)
    candidate = DiabParams(n_estimators=10, max_depth=3, test_size=0.3)
    trained = fit_and_evaluate(champion)
    x_test, y_test = holdout(candidate)
    on_its_rows = mean_squared_error(y_test, trained.model.predict(x_test))
    logged = fit_and_evaluate(candidate).metrics["mse"]
    # By logged metrics alone the candidate wins; on its own rows the champion does.
    assert logged < trained.metrics["mse"] and on_its_rows < logged

    uri = sqlite_uri
    env = project_env(uri)
    first = run(["python", "-m", "diab", "--n_estimators", "10", "--max_depth", "3",
                 "--register_as", "diab-rf"], env, cwd=tmp_path)
    assert first.returncode == 0, first.stderr[-3000:]
    flags = dash_p({"n_estimators": 10, "max_depth": 3, "test_size": 0.3, "register_as": "diab-rf"})
    second = mlflow_run(str(REPO), "-e", "diab", *flags, env=env, cwd=tmp_path)
    assert second.returncode == 0, second.stderr[-3000:]
    assert decision_line(second) == (f"diab-rf version 2 stays challenger: mse {logged:.6g} does not beat "
                                     f"{on_its_rows:.6g} of champion version 1")
    client = client_for(uri)
    assert str(client.get_model_version_by_alias("diab-rf", "champion").version) == "1"
    version = client.get_model_version("diab-rf", "2")
    assert float(version.tags["gate.champion_score"]) == pytest.approx(on_its_rows)

    # The champion's own run, promoted by run id: registered again, and a tie keeps the champion.
    first_run = client.get_model_version("diab-rf", "1").run_id
    tie = run(["python", "-m", "mlflow_lab.promote", "--model_name", "diab-rf", "--run_id", first_run], env,
              cwd=tmp_path)
    assert tie.returncode == 0, tie.stderr[-3000:]
    mse = trained.metrics["mse"]
    assert tie.stdout.strip().splitlines()[-1] == (f"diab-rf version 3 stays challenger: mse {mse:.6g} "
                                                   f"does not beat {mse:.6g} of champion version 1")
    assert client.get_model_version("diab-rf", "3").run_id == first_run
    assert str(client.get_model_version_by_alias("diab-rf", "challenger").version) == "3"


def test_a_champion_the_gate_cannot_score_is_refused_and_nothing_moves(tmp_path, sqlite_uri):
    """A `diab-rf` champion trained on three columns cannot score diab's rows: one line, exit 1."""
    import mlflow
    from mlflow.models import infer_signature
    from sklearn.linear_model import LinearRegression

    uri = sqlite_uri
    client = client_for(uri)
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    rows = fit_and_evaluate(DiabParams()).data.x_train[["age", "sex", "bmi"]]
    other = LinearRegression().fit(rows, np.arange(len(rows), dtype=float))
    with mlflow.start_run():
        mlflow.sklearn.log_model(other, name="model", registered_model_name="diab-rf",
                                 signature=infer_signature(rows, other.predict(rows)),
                                 serialization_format="cloudpickle")
    client.set_registered_model_alias("diab-rf", "champion", "1")

    done = run(["python", "-m", "diab", "--n_estimators", "5", "--register_as", "diab-rf"],
               project_env(uri), cwd=tmp_path)
    assert done.returncode == 1
    errors = [line for line in done.stderr.splitlines() if line.startswith("diab: error:")]
    assert len(errors) == 1 and "diab-rf version 1 (@champion) takes other inputs" in errors[0], done.stderr
    assert "Traceback" not in done.stderr
    assert len(client.search_model_versions("name = 'diab-rf'")) == 1
    assert str(client.get_model_version_by_alias("diab-rf", "champion").version) == "1"
    [trained] = [r for r in all_runs(client) if r.data.params.get("n_estimators") == "5"]
    assert trained.info.status == "FAILED"
