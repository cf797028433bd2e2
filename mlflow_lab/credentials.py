"""The driver's tracking credentials, handed to code that logs from another machine (an executor).

MLflow resolves a client's credentials in the client's own process, at each request: for an
`http(s)` tracking URI, `MLFLOW_TRACKING_USERNAME`/`_PASSWORD` (from the environment or
`~/.mlflow/credentials`) or `MLFLOW_TRACKING_TOKEN`; for a `databricks` URI, Databricks' own
config chain (environment, a `~/.databrickscfg` profile, a notebook's context, and on classic
compute's executors the Spark task context). An executor started without any of these cannot
log. So the driver resolves them once (`of_driver`), the trial's task carries them, and the
trial holds them in its process's environment only while it runs (`lent`).

The task travels as the data of a one-row DataFrame: Spark's plans, UI and event log show a
local relation's schema, not its rows (Spark Connect's statement text cuts the bytes to a few),
and `Credentials` never prints its values. Nothing here logs, tags or raises with a value.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager


class Credentials(dict):
    """Environment variables a tracking client needs; shown by name only, never by value."""

    def __repr__(self) -> str:
        return f"Credentials({', '.join(sorted(self)) or 'none'})"

    __str__ = __repr__


def of_driver(tracking_uri: str) -> Credentials:
    """What this process's MLflow client would send to `tracking_uri`, as environment variables."""
    if tracking_uri.startswith(("http://", "https://")):
        return Credentials(_mlflow_credentials())
    if tracking_uri == "databricks" or tracking_uri.startswith("databricks://"):
        return Credentials(_databricks_credentials(tracking_uri))
    return Credentials()  # a file or database store: nothing to authenticate


CREDENTIALS_FILE = "~/.mlflow/credentials"  # MLflow's documented file, section [mlflow]


def _mlflow_credentials() -> dict[str, str]:
    """The basic-auth pair and token MLflow's client sends: each from the environment, else the file."""
    import configparser

    parser = configparser.ConfigParser()
    parser.read(os.path.expanduser(CREDENTIALS_FILE))
    in_file = parser["mlflow"] if parser.has_section("mlflow") else {}
    values = {name: os.environ.get(name) or in_file.get(name.lower())
              for name in ("MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD")}
    values["MLFLOW_TRACKING_TOKEN"] = os.environ.get("MLFLOW_TRACKING_TOKEN")
    return {name: value for name, value in values.items() if value}


def _databricks_credentials(tracking_uri: str) -> dict[str, str]:
    """A host and a bearer token from Databricks' own client (a PAT, an OAuth token, a notebook's).

    Empty when the driver cannot authenticate: the executors then resolve their own, as before.
    An OAuth token lent this way lasts as long as Databricks issued it for (about an hour).
    """
    try:
        from databricks.sdk.core import Config

        profile = tracking_uri.removeprefix("databricks").removeprefix("://").split(":", 1)[0] or None
        config = Config(profile=profile, retry_timeout_seconds=60)  # not the default 5 minutes
        bearer = config.authenticate().get("Authorization", "")
    except Exception:  # noqa: BLE001 (its message may quote a credential; the executors try their own)
        return {}
    if not bearer.startswith("Bearer ") or not config.host:
        return {}
    return {"DATABRICKS_HOST": config.host, "DATABRICKS_TOKEN": bearer.removeprefix("Bearer ")}


def executor_uri(tracking_uri: str, credentials: Credentials) -> str:
    """The URI an executor logs to: a profile's name means nothing where its file is absent."""
    if "DATABRICKS_TOKEN" in credentials and tracking_uri.startswith("databricks://"):
        return "databricks"
    return tracking_uri


@contextmanager
def lent(credentials: dict[str, str]) -> Iterator[None]:
    """This process's environment holds `credentials` inside the block, and what it held before after."""
    before = {name: os.environ.get(name) for name in credentials}
    os.environ.update(credentials)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
