"""The Databricks bundle (databricks.yml) against Databricks' published job schema and the MLproject.

The Databricks CLI cannot be installed here, so each job is checked the way the Jobs API
reads it: through databricks-sdk's `JobSettings` dataclass, whose `from_dict` silently drops
unknown keys and enum values (so `as_dict()` must give the job back unchanged). Its
parameters must mirror the MLproject's, and with their defaults filled in, the task's
arguments must be accepted by the entry point's own parser.
"""

from __future__ import annotations

import re
import shlex

import pytest
import yaml
from databricks.sdk.service.jobs import JobSettings

from mlflow_lab.entries import MODELS
from mlflow_lab.entries.snippets import as_yaml, bundle_job
from mlflow_lab.requirements import classic_pins
from tests.processes import REPO

BUNDLE_KEYS = {"bundle", "variables", "targets", "resources", "workspace", "include", "artifacts", "sync"}
BUNDLE_ONLY = {"sweep": {"space"}}  # a sweep's model parameters, which MLproject cannot declare
DEFAULT_OVERRIDES = {"sweep": {"backend": "spark"},  # the sweep job runs on a multi-worker cluster
                     "predict": {"backend": "spark"}}  # a job scores with the cluster's Spark
TOOLS = ("sweep", "promote", "predict", "doctor", "reproduce")


@pytest.fixture(scope="module")
def bundle() -> dict:
    return yaml.safe_load((REPO / "databricks.yml").read_text())


@pytest.fixture(scope="module")
def mlproject() -> dict:
    return yaml.safe_load((REPO / "MLproject").read_text())["entry_points"]


def test_bundle_has_dev_and_prod_and_declares_every_variable_it_uses(bundle):
    assert set(bundle) <= BUNDLE_KEYS
    assert bundle["bundle"]["name"] == "mlflow-lab"
    assert set(bundle["targets"]) == {"dev", "prod"}
    assert bundle["targets"]["dev"]["default"] is True
    used = set(re.findall(r"\$\{var\.(\w+)\}", (REPO / "databricks.yml").read_text()))
    assert used == set(bundle["variables"])
    assert {"experiment_dir", "cpu_node_type", "gpu_node_type"} <= used


def test_one_job_per_model_and_per_tool(bundle):
    assert set(bundle["resources"]["jobs"]) == {*MODELS, *TOOLS}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_each_models_job_is_what_its_declarations_write(bundle, name):
    expected = bundle_job(MODELS[name])
    found = bundle["resources"]["jobs"].get(name)
    assert found == expected, f"databricks.yml's job {name} should be:\n{as_yaml(name, expected, 4)}"


@pytest.mark.parametrize("name", [*sorted(MODELS), *TOOLS])
def test_job_round_trips_through_the_jobs_api_schema(bundle, name):
    job = bundle["resources"]["jobs"][name]
    assert JobSettings.from_dict(job).as_dict() == job


@pytest.mark.parametrize("name", [*sorted(MODELS), *TOOLS])
def test_job_parameters_mirror_the_mlproject(bundle, mlproject, name):
    job = bundle["resources"]["jobs"][name]
    in_bundle = {p["name"]: p["default"] for p in job["parameters"]}
    declared = {key: str(value["default"]) for key, value in mlproject[name]["parameters"].items()}
    expected = {**declared, **DEFAULT_OVERRIDES.get(name, {})}
    assert {k: v for k, v in in_bundle.items() if k not in BUNDLE_ONLY.get(name, set())} == expected


@pytest.mark.parametrize("name", [*sorted(MODELS), *TOOLS])
def test_task_passes_every_parameter_and_the_entry_point_accepts_the_defaults(bundle, name):
    job = bundle["resources"]["jobs"][name]
    [task] = job["tasks"]
    assert task["job_cluster_key"] in {c["job_cluster_key"] for c in job["job_clusters"]}
    python = task["spark_python_task"]
    assert (REPO / python["python_file"]).is_file()
    arguments = python["parameters"]
    assert arguments[0] == name and name in {*MODELS, *TOOLS}
    flags = arguments[arguments.index("--") + 1:]
    passed = dict(zip(flags[::2], flags[1::2], strict=True))
    assert passed == {f"--{p['name']}": f"{{{{job.parameters.{p['name']}}}}}" for p in job["parameters"]
                      if p["name"] not in BUNDLE_ONLY.get(name, set())}
    defaults = {p["name"]: p["default"] for p in job["parameters"]}
    argv = [re.sub(r"\{\{job\.parameters\.(\w+)\}\}", lambda m: defaults[m[1]], flag) for flag in flags]
    if name == "sweep":
        from mlflow_lab.sweep.plan import parse_args

        plan = parse_args([*argv, *shlex.split(defaults["space"])], here=False)
        assert plan.params.backend == "spark" and plan.sampler == "grid"
    else:
        from mlflow_lab.doctor.params import DoctorParams
        from mlflow_lab.params import parse
        from mlflow_lab.predict.params import PredictParams
        from mlflow_lab.promote.params import PromoteParams
        from mlflow_lab.reproduce.params import ReproduceParams

        declared_by = {"promote": PromoteParams, "predict": PredictParams, "doctor": DoctorParams,
                       "reproduce": ReproduceParams}
        parse(MODELS[name].params if name in MODELS else declared_by[name], argv, prog=name)


@pytest.mark.parametrize("name", [*sorted(MODELS), *TOOLS])
def test_job_installs_the_pins_and_runs_on_current_ml_runtimes(bundle, name):
    job = bundle["resources"]["jobs"][name]
    [task] = job["tasks"]
    assert [library["pypi"]["package"] for library in task["libraries"]] == classic_pins()
    [cluster] = job["job_clusters"]
    spec = cluster["new_cluster"]
    assert spec["spark_version"].startswith("17.3.") and spec["use_ml_runtime"] is True
    assert spec["kind"] == "CLASSIC_PREVIEW"
    assert spec["is_single_node"] is (name != "sweep")
    if name == "mnist":
        assert spec["node_type_id"] == "${var.gpu_node_type}"


SMALL_GRIDS = {"diab": "--max_depth 3,4 --n_estimators 10",
               "mnist": "--epochs 1 --num_hidden_units 16 --batch_size 64,128 --data_path {data}"}


@pytest.mark.slow
@pytest.mark.parametrize("model", sorted(SMALL_GRIDS))
def test_a_bundle_sweep_logs_into_the_swept_models_experiment(tmp_path, sqlite_uri, bundle, model):
    """The sweep job's task, with its default parameters but `model`, logs under `experiment_dir`
    into that model's own experiment (it once logged every model's sweep into the default's)."""
    from tests.mnist_fixtures import write_npz
    from tests.processes import project_env, run
    from tests.tracking_reads import client_for

    argv = job_argv(bundle["resources"]["jobs"]["sweep"], model=model,
                    backend="local",  # Spark's own path is tested in test_sweep_study
                    space=SMALL_GRIDS[model].format(data=write_npz(tmp_path / "mnist.npz")))
    env = project_env(sqlite_uri)
    env.pop("PYTHONPATH")  # the launcher finds the project's packages itself, as in a checkout
    done = run(["python", str(REPO / "jobs" / "entry.py"), *argv], env, cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    client = client_for(sqlite_uri)
    [experiment] = [e for e in client.search_experiments() if e.name.startswith("/Users/")]
    assert experiment.name == f"/Users/me@example.com/{MODELS[model].experiment}"
    runs = client.search_runs([experiment.experiment_id])
    assert len(runs) == 3 and {r.info.status for r in runs} == {"FINISHED"}
    assert sum(MODELS[model].metric in r.data.metrics for r in runs) == 2


def job_argv(job: dict, **values: str) -> list[str]:
    """The job task's arguments with its parameters' defaults, `values` replacing some."""
    defaults = {p["name"]: p["default"] for p in job["parameters"]} | values
    arguments = job["tasks"][0]["spark_python_task"]["parameters"]
    return [re.sub(r"\{\{job\.parameters\.(\w+)\}\}", lambda m: defaults[m[1]], arg)
            .replace("${var.experiment_dir}", "/Users/me@example.com") for arg in arguments]


@pytest.mark.slow
def test_the_promote_and_predict_jobs_gate_and_score_into_their_experiments(tmp_path, sqlite_uri, bundle):
    """The bundle's promote job forces a challenger to champion; its predict job scores a table
    with it; each logs under `experiment_dir` into its own experiment."""
    from sklearn.datasets import load_diabetes

    from tests.processes import project_env, run
    from tests.tracking_reads import client_for

    env = project_env(sqlite_uri)
    for depth in ("4", "1"):  # version 1 the champion; version 2, shallower, its challenger
        done = run(["python", "-m", "diab", "--n_estimators", "10", "--max_depth", depth,
                    "--register_as", "diab-rf"], env, cwd=tmp_path)
        assert done.returncode == 0, done.stderr[-3000:]
    env.pop("PYTHONPATH")  # the launcher finds the project's packages itself, as in a checkout
    launcher = ["python", str(REPO / "jobs" / "entry.py")]
    jobs = bundle["resources"]["jobs"]
    promoted = run([*launcher, *job_argv(jobs["promote"], model_name="diab-rf", version="2", force="true")],
                   env, cwd=tmp_path)
    assert promoted.returncode == 0, promoted.stderr[-3000:]
    assert "diab-rf version 2 is champion (forced); was version 1" in promoted.stdout

    load_diabetes(as_frame=True).frame.drop(columns=["target"]).head(12).to_csv(tmp_path / "new.csv",
                                                                                  index=False)
    scored = run([*launcher, *job_argv(jobs["predict"], model_uri="models:/diab-rf@champion", backend="local",
                                       input=str(tmp_path / "new.csv"), output=str(tmp_path / "out.csv"))],
                 env, cwd=tmp_path)
    assert scored.returncode == 0, scored.stderr[-3000:]
    assert "scored 12 rows with diab-rf version 2" in scored.stdout
    client = client_for(sqlite_uri)
    for experiment, tag in (("model-promotions", "gate.decision"), ("batch-scoring", "predict.model_name")):
        found = client.get_experiment_by_name(f"/Users/me@example.com/{experiment}")
        [logged] = client.search_runs([found.experiment_id])
        assert logged.info.status == "FINISHED" and tag in logged.data.tags
