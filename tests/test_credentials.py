"""The driver's tracking credentials, as a trial on another machine receives them: resolved the
way MLflow resolves them, carried by name only in anything printed, and lent only while it runs."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from mlflow_lab.credentials import Credentials, executor_uri, lent, of_driver

SECRET = "pa55-in-the-driver-only"


def test_an_http_store_gets_the_basic_auth_pair_from_the_environment_or_the_credentials_file(
        monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    for name in ("MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD", "MLFLOW_TRACKING_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    assert of_driver("http://127.0.0.1:5000") == {}
    (tmp_path / ".mlflow").mkdir()
    (tmp_path / ".mlflow" / "credentials").write_text(
        f"[mlflow]\nmlflow_tracking_username = ana\nmlflow_tracking_password = {SECRET}\n")
    assert of_driver("http://127.0.0.1:5000") == {"MLFLOW_TRACKING_USERNAME": "ana",
                                                  "MLFLOW_TRACKING_PASSWORD": SECRET}
    monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", "bea")
    assert of_driver("https://mlflow.example")["MLFLOW_TRACKING_USERNAME"] == "bea"
    assert of_driver("sqlite:////tmp/mlflow.db") == {}


@contextmanager
def workspace_host() -> Iterator[str]:
    """A host answering the one request Databricks' client makes before it authenticates: the
    public `/.well-known/databricks-config` discovery document (empty here)."""

    class Discovery(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            body = json.dumps({}).encode() if self.path.startswith("/.well-known/") else b"{}"
            self.send_response(200 if self.path.startswith("/.well-known/") else 404)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Discovery)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


def test_a_databricks_store_gets_a_host_and_bearer_token_from_databricks_own_client(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("DATABRICKS_TOKEN", SECRET)
    with workspace_host() as host:
        monkeypatch.setenv("DATABRICKS_HOST", host)
        lent_to_executors = of_driver("databricks")
        monkeypatch.delenv("DATABRICKS_TOKEN")
        nothing = of_driver("databricks")
    assert lent_to_executors == {"DATABRICKS_HOST": host, "DATABRICKS_TOKEN": SECRET}
    assert executor_uri("databricks://work", lent_to_executors) == "databricks"
    assert nothing == {}  # nothing to lend: executors resolve their own, as before


def test_credentials_print_by_name_only_and_are_lent_only_inside_the_block(monkeypatch):
    monkeypatch.delenv("MLFLOW_TRACKING_PASSWORD", raising=False)
    monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", "executor-own")
    credentials = Credentials(MLFLOW_TRACKING_USERNAME="ana", MLFLOW_TRACKING_PASSWORD=SECRET)
    assert SECRET not in repr(credentials) and SECRET not in str(credentials)
    assert SECRET not in repr((credentials, "inside a task"))
    with lent(credentials):
        assert os.environ["MLFLOW_TRACKING_PASSWORD"] == SECRET
        assert os.environ["MLFLOW_TRACKING_USERNAME"] == "ana"
    assert "MLFLOW_TRACKING_PASSWORD" not in os.environ
    assert os.environ["MLFLOW_TRACKING_USERNAME"] == "executor-own"
