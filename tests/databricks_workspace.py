"""A stand-in Databricks workspace on 127.0.0.1: the Jobs API 2.2 calls a submission makes.

It answers `jobs/runs/submit`, `runs/get` and `runs/cancel` as Databricks documents them,
refusing any body that does not round-trip through databricks-sdk's own dataclasses
(`from_dict` drops unknown keys and enum values, so `as_dict()` must give the input back).
A submitted run really runs: its git commit is checked out from the `git_source` URL (a
`git daemon` on 127.0.0.1 in the tests), every library or environment dependency must be
a pin that this Python satisfies (the "cluster" installs nothing), then the
`spark_python_task` runs with its parameters and the workspace's credentials, as a job
does. MLflow's tracking API (`/api/2.0/mlflow/...`) is served by a real `mlflow server`.

Its model registry is not stood in for: a real workspace's is Unity Catalog (`databricks-uc`,
its own API), and MLflow refuses aliases on the legacy workspace registry. Jobs here are told
`MLFLOW_REGISTRY_URI=<that mlflow server>`, a plain MLflow registry taking the same client
calls (aliases, versions, tags) that the project makes of Unity Catalog.
"""

from __future__ import annotations

import inspect
import itertools
import json
import os
import subprocess
import threading
import typing
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import is_dataclass
from enum import Enum
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import metadata
from pathlib import Path
from typing import NamedTuple

from databricks.sdk.service.jobs import JobsAPI
from packaging.requirements import Requirement

TOKEN = "dapi-test-0123456789abcdef"  # noqa: S105 (the stand-in's own)
DIAB_EXPERIMENT = "/Users/me@example.com/sklearn-diab"
JOB_SPECS = Path(__file__).resolve().parents[1] / "jobs"
TRACKING_PREFIXES = ("/api/2.0/mlflow/", "/api/2.0/mlflow-artifacts/", "/api/3.0/mlflow/", "/ajax-api/")
# The Connect server that pyspark starts for SPARK_API_MODE=connect listens on 15002, where its
# client looks (a free port is for Spark's own tests only): the tests that start one hold the
# `connect_port` fixture, so no two run at once.
CONNECT_PORT = 15002
FAILURE_TYPES = {"SUCCESS": "SUCCESS", "CANCELED": "SUCCESS"}  # every other code here is the client's


class Recorded(NamedTuple):
    method: str
    path: str
    query: dict
    body: bytes
    headers: dict


class Job:
    """One submitted run: its request, process, state and termination."""

    def __init__(self, run_id: int, request: dict):
        self.run_id, self.request = run_id, request
        self.state, self.code, self.message = "PENDING", "", ""
        self.process: subprocess.Popen | None = None
        self.log = ""

    def end(self, code: str, message: str = "") -> None:
        if self.state != "TERMINATED":
            self.state, self.code, self.message = "TERMINATED", code, message

    def as_run(self, url: str) -> dict:
        status = {"state": self.state}
        legacy = {"life_cycle_state": self.state, "state_message": self.message}
        if self.state == "TERMINATED":
            kind = FAILURE_TYPES.get(self.code, "CLIENT_ERROR")
            status["termination_details"] = {"code": self.code, "type": kind, "message": self.message}
            legacy["result_state"] = {"SUCCESS": "SUCCESS", "CANCELED": "CANCELED"}.get(self.code, "FAILED")
        tasks = [{"task_key": task["task_key"], "run_id": self.run_id * 100 + index, "status": status}
                 for index, task in enumerate(self.request["tasks"])]
        return {"run_id": self.run_id, "run_name": self.request.get("run_name", ""), "status": status,
                "state": legacy, "tasks": tasks, "run_page_url": f"{url}/#job/runs/{self.run_id}"}


class Workspace:
    """Start with `start()`; `url`, `requests` and `jobs` are what tests look at."""

    def __init__(self, root: Path, token: str, mlflow_url: str, bin_dir: Path):
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.token, self.mlflow_url, self.bin_dir = token, mlflow_url, bin_dir
        self.requests: list[Recorded] = []
        self.jobs: dict[int, Job] = {}
        self.run_ids = itertools.count(1)  # job run 1, 2... in each test (`reset`)
        self.resets = 0  # each test's job runs check out under a folder of their own
        self.store = ""  # the tracking server's store, for `reset` and for tests to read
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> Workspace:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.stop_jobs()
        self.server.shutdown()

    def reset(self) -> Workspace:
        """As new for the next test: no jobs, no requests, no experiments, runs or registered models.

        A deleted experiment keeps its name in MLflow's store, so each is renamed first and the
        next test can create one of the same name.
        """
        import uuid

        import mlflow

        self.stop_jobs()
        self.jobs.clear()
        self.requests.clear()
        self.run_ids = itertools.count(1)
        self.resets += 1
        client = mlflow.MlflowClient(tracking_uri=self.store, registry_uri=self.store)
        for model in client.search_registered_models():
            client.delete_registered_model(model.name)
        for experiment in client.search_experiments():
            if experiment.experiment_id == "0":
                for logged in client.search_runs(["0"]):
                    client.delete_run(logged.info.run_id)
                continue
            client.rename_experiment(experiment.experiment_id, f"deleted-{uuid.uuid4().hex}")
            client.delete_experiment(experiment.experiment_id)
        return self

    def stop_jobs(self) -> None:
        for job in self.jobs.values():
            if job.process and job.process.poll() is None:
                job.process.kill()
                job.process.wait()

    def job_calls(self) -> list[Recorded]:
        return [r for r in self.requests if "/jobs/" in r.path]

    # the compute ----------------------------------------------------------------------
    def run_job(self, job: Job) -> None:
        request = job.request
        folder = self.root / f"test-{self.resets}"
        folder.mkdir(exist_ok=True)
        checkout = folder / f"run-{job.run_id}"
        source = request["git_source"]
        for command in (["git", "clone", "--quiet", source["git_url"], str(checkout)],
                        ["git", "-C", str(checkout), "checkout", "--quiet", source["git_commit"]]):
            done = subprocess.run(command, capture_output=True, text=True)
            if done.returncode != 0:
                return job.end("REPOSITORY_CHECKOUT_FAILED", f"Failed to checkout Git repository: "
                               f"{done.stderr.strip().splitlines()[-1]}")
        for task in request["tasks"]:
            missing = [pin for pin in self.dependencies(request, task) if not satisfied(pin)]
            if missing:
                return job.end("LIBRARY_INSTALLATION_ERROR", "Library installation failed for library "
                               f"due to user error: {', '.join(missing)}")
            python = task["spark_python_task"]
            command = [str(self.bin_dir / "python"), str(checkout / python["python_file"]),
                       *python.get("parameters", [])]
            log = folder / f"run-{job.run_id}-{task['task_key']}.log"
            with log.open("w") as out:
                job.state = "RUNNING"
                job.process = subprocess.Popen(command, cwd=checkout, env=self.cluster_environment(task),
                                               stdout=out, stderr=subprocess.STDOUT)
                code = job.process.wait()
            job.log += log.read_text()
            if code != 0:
                last = (job.log.strip().splitlines() or ["no output"])[-1]
                return job.end("RUN_EXECUTION_ERROR", f"Task {task['task_key']} failed with message: {last}")
        job.end("SUCCESS")

    def dependencies(self, request: dict, task: dict) -> list[str]:
        if "environment_key" in task:
            [environment] = [e for e in request["environments"]
                             if e["environment_key"] == task["environment_key"]]
            return environment["spec"].get("dependencies", [])
        return [library["pypi"]["package"] for library in task.get("libraries", [])]

    def cluster_environment(self, task: dict) -> dict[str, str]:
        """A job's environment: the workspace's credentials, none of the submitter's settings.

        Like the runtime's, it points Spark's Python workers at the cluster's interpreter (the
        runtime's PYSPARK_PYTHON is /databricks/python3/bin/python3), not at a `python3` on PATH,
        and puts that interpreter's scripts (`mlflow`, `pip`) first on PATH.
        Serverless and standard-access compute give a job's `SparkSession.builder.getOrCreate()`
        a Spark Connect session, and say so in no variable (no SPARK_REMOTE): here Spark's own
        SPARK_API_MODE=connect makes pyspark do the same, with a Connect server of its own.
        """
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("MLFLOW_", "DATABRICKS_", "DBJOBS_", "SPARK_REMOTE", "SPARK_API_MODE"))
               and k != "PYTHONPATH"}
        env.update(DATABRICKS_HOST=self.url, DATABRICKS_TOKEN=self.token, PYTHONUNBUFFERED="1",
                   DATABRICKS_RUNTIME_VERSION="17.3", MLFLOW_REGISTRY_URI=self.mlflow_url,
                   PYSPARK_PYTHON=str(self.bin_dir / "python"), SPARK_LOCAL_IP="127.0.0.1",
                   PATH=os.pathsep.join([str(self.bin_dir), env.get("PATH", "")]))
        if speaks_only_connect(task):
            env["SPARK_API_MODE"] = "connect"  # the test holds the `connect_port` fixture
        return env

    # the REST API ---------------------------------------------------------------------
    def answer(self, method: str, path: str, query: dict, body: bytes) -> tuple[int, dict]:
        payload = json.loads(body) if body else {}
        if path == "/api/2.2/jobs/runs/submit" and method == "POST":
            problem = submit_problem(payload)
            if problem:
                return 400, {"error_code": "INVALID_PARAMETER_VALUE", "message": problem}
            job = Job(next(self.run_ids), payload)
            self.jobs[job.run_id] = job
            threading.Thread(target=self.run_job, args=(job,), daemon=True).start()
            return 200, {"run_id": job.run_id}
        if path == "/api/2.2/jobs/runs/get" and method == "GET":
            job = self.jobs.get(int(query.get("run_id", 0)))
            if job is None:
                return 400, {"error_code": "INVALID_PARAMETER_VALUE", "message": "Run does not exist"}
            return 200, job.as_run(self.url)
        if path == "/api/2.2/jobs/runs/cancel" and method == "POST":
            job = self.jobs.get(int(payload.get("run_id", 0)))
            if job is None:
                return 400, {"error_code": "INVALID_PARAMETER_VALUE", "message": "Run does not exist"}
            job.end("CANCELED", "Run cancelled by user")
            if job.process and job.process.poll() is None:
                job.process.terminate()
            return 200, {}
        return 404, {"error_code": "ENDPOINT_NOT_FOUND", "message": f"No API found for '{method} {path}'"}

    def _handler(self):
        workspace = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                self.handle_any("GET")

            def do_POST(self):
                self.handle_any("POST")

            def do_PATCH(self):
                self.handle_any("PATCH")

            def do_DELETE(self):
                self.handle_any("DELETE")

            def handle_any(self, method: str):
                parsed = urllib.parse.urlparse(self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                query = dict(urllib.parse.parse_qsl(parsed.query))
                workspace.requests.append(Recorded(method, parsed.path, query, body, dict(self.headers)))
                if parsed.path.startswith("/.well-known/"):  # public; nothing to add to the config
                    return self.reply(200, {})
                if self.headers.get("Authorization") != f"Bearer {workspace.token}":
                    return self.reply(401, {"error_code": "UNAUTHENTICATED", "message": "bad token"})
                if parsed.path.startswith(TRACKING_PREFIXES):
                    return self.proxy(method, body)
                self.reply(*workspace.answer(method, parsed.path, query, body))

            def proxy(self, method: str, body: bytes):
                request = urllib.request.Request(workspace.mlflow_url + self.path,
                                                 data=body or None, method=method)
                if self.headers.get("Content-Type"):
                    request.add_header("Content-Type", self.headers["Content-Type"])
                try:
                    with urllib.request.urlopen(request, timeout=60) as response:
                        status, payload, kind = response.status, response.read(), response.headers
                except urllib.error.HTTPError as error:
                    status, payload, kind = error.code, error.read(), error.headers
                self.send_response(status)
                self.send_header("Content-Type", kind.get("Content-Type", "application/json"))
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def reply(self, status: int, payload: dict):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler


def conforms(annotation, value) -> bool:
    """`value` is what databricks-sdk reads and writes back unchanged as `annotation`."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Union:
        return any(conforms(arg, value) for arg in args if arg is not type(None))
    if origin is list:
        return isinstance(value, list) and all(conforms(args[0], item) for item in value)
    if is_dataclass(annotation):
        return isinstance(value, dict) and annotation.from_dict(value).as_dict() == value
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return value in {member.value for member in annotation}
    return isinstance(value, annotation)


def submit_problem(payload: dict) -> str:
    """What Databricks would refuse in a runs/submit body, or ''."""
    fields = typing.get_type_hints(JobsAPI.submit)
    accepted = set(inspect.signature(JobsAPI.submit).parameters) - {"self"}
    unknown = sorted(set(payload) - accepted)
    if unknown:
        return f"Unknown fields: {', '.join(unknown)}"
    for key, value in payload.items():
        if not conforms(fields[key], value):
            return f"Invalid value for {key}: {json.dumps(value)[:300]}"
    tasks = payload.get("tasks") or []
    if not tasks:
        return "At least one task is required"
    environments = {e["environment_key"] for e in payload.get("environments", [])}
    for task in tasks:
        compute = [key for key in ("new_cluster", "existing_cluster_id", "environment_key") if key in task]
        if len(compute) != 1:
            return (f"Task {task['task_key']} needs exactly one of new_cluster, existing_cluster_id, "
                    "environment_key")
        if "environment_key" in task and task["environment_key"] not in environments:
            return f"Task {task['task_key']} names environment {task['environment_key']}, not defined"
        python = task.get("spark_python_task")
        if python is None:
            return "This workspace runs spark_python_task tasks only"
        if python.get("source") == "GIT" and "git_source" not in payload:
            return "A GIT task source needs git_source"
        if python["python_file"].startswith(("/", "dbfs:")):
            return "python_file of a GIT task is relative to the repository root"
    refs = [key for key in ("git_branch", "git_tag", "git_commit") if key in payload.get("git_source", {})]
    if "git_source" in payload and len(refs) != 1:
        return "git_source needs exactly one of git_branch, git_tag, git_commit"
    return ""


CONNECT_ONLY_ACCESS = {"DATA_SECURITY_MODE_STANDARD", "USER_ISOLATION"}  # standard access, by both names


def speaks_only_connect(task: dict) -> bool:
    """Serverless (an environment, no cluster) and standard access mode: no SparkContext there."""
    access = task.get("new_cluster", {}).get("data_security_mode")
    return "environment_key" in task or access in CONNECT_ONLY_ACCESS


def satisfied(requirement: str) -> bool:
    """A `name==version` pin that this Python has installed (markers evaluated here)."""
    parsed = Requirement(requirement)
    if parsed.marker is not None and not parsed.marker.evaluate():
        return True
    pinned = [spec for spec in parsed.specifier if spec.operator == "=="]
    try:
        return len(pinned) == 1 and metadata.version(parsed.name) == pinned[0].version
    except metadata.PackageNotFoundError:
        return False


def spec(folder: Path, name: str, **extra) -> Path:
    """A shipped job spec (jobs/NAME.json) written under `folder`; the stand-in's git host is
    self-hosted, so it names its provider."""
    content = json.loads((JOB_SPECS / f"{name}.json").read_text())
    path = folder / f"{name}-spec.json"
    path.write_text(json.dumps({**content, "git_provider": "gitHubEnterprise", **extra}))
    return path
