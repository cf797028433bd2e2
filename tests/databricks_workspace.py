"""A stand-in Databricks workspace on 127.0.0.1 for the tests: the REST calls MLflow makes.

It answers DBFS `get-status` and uploads, `jobs/runs/submit`, `get` and `cancel`, records
every request, and really runs each submitted task: the uploaded files live in a folder
standing for DBFS (mounted, as on a cluster, at `/dbfs`), a second folder stands for the
driver's disk (`/databricks/...`), and the `spark_python_task` or `shell_command_task`
runs in a subprocess with the environment the request gave. The job authenticates with
the workspace's own credentials, as a cluster does. MLflow's tracking API
(`/api/2.0/mlflow/...`) is served by a real `mlflow server` behind it.
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import metadata
from pathlib import Path
from typing import NamedTuple

TRACKING_PREFIXES = ("/api/2.0/mlflow/", "/api/2.0/mlflow-artifacts/", "/api/3.0/mlflow/", "/ajax-api/")
RSYNC_SHIM = """#!/usr/bin/env bash
# The driver's rsync, as MLflow's job command uses it: rsync -a -v --ignore-existing SRC DIR
src="${@: -2:1}"; dest="${@: -1}"
cp -n "$src" "$dest"/
"""


class Recorded(NamedTuple):
    method: str
    path: str
    query: dict
    body: bytes
    headers: dict


class Job:
    """One submitted run: its request, process and states."""

    def __init__(self, run_id: int, request: dict):
        self.run_id, self.request = run_id, request
        self.life_cycle, self.result, self.message = "PENDING", None, ""
        self.process: subprocess.Popen | None = None
        self.log = ""


class Workspace:
    """Start with `start()`; `url`, `requests` and `jobs` are what tests look at."""

    def __init__(self, root: Path, token: str, mlflow_url: str, bin_dir: Path):
        self.dbfs, self.driver = root / "dbfs", root / "driver"
        self.shims = root / "shims"
        for folder in (self.dbfs, self.driver, self.shims):
            folder.mkdir(parents=True, exist_ok=True)
        (self.shims / "rsync").write_text(RSYNC_SHIM)
        (self.shims / "rsync").chmod(0o755)
        self.token, self.mlflow_url, self.bin_dir = token, mlflow_url, bin_dir
        self.requests: list[Recorded] = []
        self.jobs: dict[int, Job] = {}
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> Workspace:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        for job in self.jobs.values():
            if job.process and job.process.poll() is None:
                job.process.kill()
        self.server.shutdown()

    def wait_for_jobs(self, seconds: float = 600) -> None:
        for job in list(self.jobs.values()):
            if job.process:
                job.process.wait(timeout=seconds)

    # the cluster ---------------------------------------------------------------------
    def on_driver(self, text: str, disk: Path) -> str:
        """Paths as a driver sees them: DBFS mounted at /dbfs, its own new disk at /databricks."""
        return text.replace("/dbfs/", f"{self.dbfs}/").replace("/databricks/", f"{disk}/databricks/")

    def job_environment(self, extra: dict[str, str], disk: Path) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("MLFLOW_", "DATABRICKS_")) and k != "PYTHONPATH"}
        env.update(PATH=f"{self.bin_dir}{os.pathsep}{self.shims}{os.pathsep}{env.get('PATH', '')}",
                   DATABRICKS_HOST=self.url, DATABRICKS_TOKEN=self.token, DB_HOME=str(disk))
        env.update(extra)
        return env

    def run_job(self, job: Job) -> None:
        request = job.request
        missing = [lib["pypi"]["package"] for lib in request.get("libraries", []) if "pypi" in lib
                   and not _installed(lib["pypi"]["package"])]
        if missing:
            job.life_cycle, job.result = "TERMINATED", "FAILED"
            job.message = f"Library installation failed: {', '.join(missing)}"
            return
        disk = self.driver / f"cluster-{job.run_id}"  # every job gets a new cluster
        disk.mkdir()
        if "spark_python_task" in request:
            task = request["spark_python_task"]
            source = self.dbfs / task["python_file"].removeprefix("dbfs:/")
            script = disk / "job.py"
            script.write_text(self.on_driver(source.read_text(), disk))
            command, env = [str(self.bin_dir / "python"), str(script), *task.get("parameters", [])], {}
        else:
            task = request["shell_command_task"]
            command = [self.on_driver(part, disk) for part in task["command"]]
            env = task.get("env_vars", {})
        log = disk / "job.log"
        with log.open("w") as out:
            job.life_cycle = "RUNNING"
            job.process = subprocess.Popen(command, cwd=disk, env=self.job_environment(env, disk),
                                           stdout=out, stderr=subprocess.STDOUT)
            code = job.process.wait()
        job.log = log.read_text()
        if job.life_cycle != "TERMINATED":  # not cancelled meanwhile
            job.life_cycle, job.result = "TERMINATED", "SUCCESS" if code == 0 else "FAILED"
            job.message = "" if code == 0 else f"Task exited with code {code}"

    # the REST API --------------------------------------------------------------------
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
                answer = workspace.answer(method, parsed.path, query, body)
                self.reply(*answer)

            def proxy(self, method: str, body: bytes):
                request = urllib.request.Request(workspace.mlflow_url + self.path,  # noqa: S310
                                                 data=body or None,
                                                 method=method)
                if self.headers.get("Content-Type"):
                    request.add_header("Content-Type", self.headers["Content-Type"])
                try:
                    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
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

    def answer(self, method: str, path: str, query: dict, body: bytes) -> tuple[int, dict]:
        payload = json.loads(body) if body and path.startswith("/api/") else {}
        if path == "/api/2.0/dbfs/get-status":
            target = self.dbfs / (payload.get("path") or query.get("path", "")).lstrip("/")
            if not target.exists():
                return 404, {"error_code": "RESOURCE_DOES_NOT_EXIST", "message": f"No file: {target.name}"}
            return 200, {"path": payload.get("path"), "is_dir": target.is_dir(),
                         "file_size": target.stat().st_size}
        if path.startswith("/dbfs/") and method == "POST":
            target = self.dbfs / path.removeprefix("/dbfs/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(body)
            return 200, {}
        if path == "/api/2.0/jobs/runs/submit" and method == "POST":
            problem = submit_problem(payload)
            if problem:
                return 400, {"error_code": "INVALID_PARAMETER_VALUE", "message": problem}
            job = Job(len(self.jobs) + 1, payload)
            self.jobs[job.run_id] = job
            threading.Thread(target=self.run_job, args=(job,), daemon=True).start()
            return 200, {"run_id": job.run_id}
        if path == "/api/2.0/jobs/runs/get":
            job = self.jobs.get(int(query.get("run_id", 0)))
            if job is None:
                return 400, {"error_code": "INVALID_PARAMETER_VALUE", "message": "no such run"}
            state = {"life_cycle_state": job.life_cycle, "state_message": job.message}
            if job.result:
                state["result_state"] = job.result
            return 200, {"run_id": job.run_id, "state": state,
                         "run_page_url": f"{self.url}/#job/runs/{job.run_id}"}
        if path == "/api/2.0/jobs/runs/cancel" and method == "POST":
            job = self.jobs[int(payload["run_id"])]
            job.life_cycle, job.result, job.message = "TERMINATED", "CANCELED", "Cancelled by user"
            if job.process and job.process.poll() is None:
                job.process.terminate()
            return 200, {}
        return 404, {"error_code": "ENDPOINT_NOT_FOUND", "message": f"{method} {path}"}


def submit_problem(payload: dict) -> str:
    """What a real workspace would refuse in a runs/submit body, or ''."""
    cluster = payload.get("new_cluster")
    if not isinstance(cluster, dict) or "spark_version" not in cluster:
        return "new_cluster with a spark_version is required"
    if {"new_cluster", "libraries"} & set(cluster) or any(k.isupper() for k in cluster):
        return f"unexpected keys in new_cluster: {sorted(cluster)}"
    if ("spark_python_task" in payload) == ("shell_command_task" in payload):
        return "exactly one task is required"
    return ""


def _installed(requirement: str) -> bool:
    name, _, version = requirement.partition("==")
    try:
        return not version or metadata.version(name.strip("'")) == version
    except metadata.PackageNotFoundError:
        return False
