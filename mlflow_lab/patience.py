"""How long the project's processes wait for a tracking server that went away, and fail fast before.

A team's shared `mlflow server` is restarted now and then (a deploy, a crash, a network blink).
Once a run or a sweep has started its work, every request to the server is retried with
backoff for up to a patience: MLFLOW_LAB_TRACKING_PATIENCE seconds (default 600), as MLflow's
own retry settings (`MLFLOW_HTTP_REQUEST_MAX_RETRIES` and `_BACKOFF_FACTOR`; a user's own values
of those win). The first retry of an outage says once on stderr that the server is unreachable
and since when; the work carries on when it is back, and nothing is dropped, since the request
itself waits. Before any work, `reach` asks the server once with no retry and a short timeout,
so a wrong or dead URI is one line in seconds. Past the patience a request fails as before,
and the process then stops waiting (`give_up`): ending its runs FAILED is one try each.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable

PATIENCE_VARIABLE = "MLFLOW_LAB_TRACKING_PATIENCE"
DEFAULT_PATIENCE_S = 600
REACH_TIMEOUT_S = 5
MOST_RETRIES = 10  # MLflow refuses more retries than this by default
LONGEST_WAIT_S = 120  # urllib3 caps each backoff at this
QUIET_AFTER_S = LONGEST_WAIT_S + 60  # retries further apart than the longest backoff: two outages


def patience() -> float:
    """Seconds a request waits for an unreachable server, from MLFLOW_LAB_TRACKING_PATIENCE."""
    text = os.environ.get(PATIENCE_VARIABLE, "")
    try:
        return max(float(text), 0.0) if text else float(DEFAULT_PATIENCE_S)
    except ValueError:
        print(f"mlflow-lab: {PATIENCE_VARIABLE}={text!r} is not a number of seconds; using "
              f"{DEFAULT_PATIENCE_S}", file=sys.stderr)
        return float(DEFAULT_PATIENCE_S)


def waited(retries: int, factor: int) -> float:
    """Seconds urllib3 sleeps over `retries` retries with `factor` (none before the first retry)."""
    return sum(min(factor * 2 ** (attempt - 1), LONGEST_WAIT_S) for attempt in range(2, retries + 1))


def retry_settings(seconds: float) -> tuple[int, int]:
    """The smallest backoff factor (MLflow takes whole numbers), and the fewest retries with it,
    whose waits add up to `seconds`; at most MLflow's limits."""
    for factor in (1, 2, 4, 8, 16, 32, 64, 120):
        for retries in range(MOST_RETRIES + 1):
            if waited(retries, factor) >= seconds:
                return retries, factor
    return MOST_RETRIES, LONGEST_WAIT_S


def retry_defaults() -> dict[str, str]:
    """MLflow's HTTP retry settings that wait out `patience()` seconds."""
    retries, factor = retry_settings(patience())
    return {"MLFLOW_HTTP_REQUEST_MAX_RETRIES": str(retries),
            "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": str(factor)}


ONE_TRY = {"MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0", "MLFLOW_HTTP_REQUEST_TIMEOUT": str(REACH_TIMEOUT_S)}


def give_up() -> None:
    """From now on this process tries each request once: the store already failed past the patience."""
    os.environ.update(ONE_TRY)


def store_lost(error: BaseException | None) -> bool:
    """Whether `error` is the store out of reach: a `requests` failure, or MLflow's exception raised
    while handling one (its "API request ... failed" wrapper keeps it as the context)."""
    import requests

    while error is not None:
        if isinstance(error, requests.exceptions.RequestException):
            return True
        if getattr(error, "error_code", "") == "TEMPORARILY_UNAVAILABLE":
            return True
        error = error.__cause__ or error.__context__
    return False


def give_up_after(error: BaseException) -> None:
    """Stop waiting when the store is what failed, or on Ctrl-C: ending runs and trials is then
    one try each, not one patience each."""
    if isinstance(error, KeyboardInterrupt) or store_lost(error):
        give_up()


def reach(uri: str) -> None:
    """Ask an http(s) tracking server once, with no retry and a short timeout; raise if it fails."""
    if not uri.startswith(("http://", "https://")):
        return
    import mlflow

    from mlflow_lab.credentials import lent

    with lent(ONE_TRY):  # this request only: the retries that wait out an outage stay for the work
        mlflow.MlflowClient(tracking_uri=uri).search_experiments(max_results=1)


class OutageNotice(logging.Filter):
    """Turns urllib3's warning per retry into one line per outage on stderr, saying since when."""

    def __init__(self, prog: str, where: Callable[[], str]):
        super().__init__()
        self.prog, self.where, self.last = prog, where, 0.0

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.getMessage().startswith("Retrying"):
            return True
        now = time.monotonic()
        if now - self.last > QUIET_AFTER_S:
            print(f"{self.prog}: tracking at {self.where()} is unreachable since "
                  f"{time.strftime('%H:%M:%S')}; retrying for up to {patience():.0f} s "
                  f"({PATIENCE_VARIABLE})", file=sys.stderr, flush=True)
        self.last = now
        return False


def notice_outages(prog: str, where: Callable[[], str]) -> None:
    """Install the one-line outage notice on urllib3's retry warnings (once per process);
    `where` gives the tracking URI as it may be printed (redacted)."""
    logger = logging.getLogger("urllib3.connectionpool")
    if not any(isinstance(existing, OutageNotice) for existing in logger.filters):
        logger.addFilter(OutageNotice(prog, where))
