"""How the project's processes end when something outside them fails.

- `redact` takes passwords and tokens out of URIs before they reach a message.
- `signals_as_interrupts` turns SIGTERM into KeyboardInterrupt, so that a terminated run
  is ended KILLED like a Ctrl-C'd one instead of being left RUNNING.
- `interrupts_at_safe_points` holds such an interrupt back inside native training code (an
  exception raised between two calls into TensorFlow once crashed the process): the block
  polls whether one arrived, stops, and the interrupt is raised when the block ends.
- `one_line_errors` turns a tracking failure (server unreachable or gone) into one line
  naming the (redacted) URI, and exit status 1; a `Refusal` (the gate would not decide,
  an input that does not fit the model) into its own line, and exit status 1.
"""

from __future__ import annotations

import os
import re
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

SECRET_IN_URI = re.compile(r"(?P<scheme>[a-z][a-z0-9+.\-]*://)(?P<user>[^:/@\s]*):(?P<secret>[^@/\s]*)@",
                           re.IGNORECASE)
EXIT_INTERRUPTED = 130


def redact(text: str) -> str:
    """`https://me:secret@host` becomes `https://me:***@host`; any DATABRICKS_TOKEN becomes ***."""
    text = SECRET_IN_URI.sub(lambda m: f"{m['scheme']}{m['user']}:***@", text)
    token = os.environ.get("DATABRICKS_TOKEN")
    return text.replace(token, "***") if token else text


def tracking_uri() -> str:
    """The tracking URI this process logs to (MLflow's default included), redacted."""
    import mlflow

    return redact(mlflow.get_tracking_uri())


MISSING = ("RESOURCE_DOES_NOT_EXIST", "NOT_FOUND", "INVALID_PARAMETER_VALUE")  # MLflow's "no such thing"


def one_line(error: BaseException) -> str:
    """`Type: the first line of the message` (at most 200 characters of it), for a one-line report."""
    text = str(error).strip()
    return f"{type(error).__name__}: {text.splitlines()[0][:200]}" if text else type(error).__name__


class Refusal(Exception):
    """The project refuses to go on; the message is one line saying why and what to change."""


def found(get: Callable, message: str):
    """`get()`, or a `Refusal(message)` when the store or registry has no such thing."""
    from mlflow.exceptions import MlflowException

    try:
        return get()
    except MlflowException as error:
        if error.error_code in MISSING:
            raise Refusal(message) from None
        raise


def interrupt(signum, frame):
    """A signal handler: raise KeyboardInterrupt naming the signal."""
    raise KeyboardInterrupt(signal.Signals(signum).name)


INTERRUPTING = (signal.default_int_handler, interrupt)  # the handlers that raise KeyboardInterrupt


@contextmanager
def signals_as_interrupts() -> Iterator[None]:
    """Within the block, SIGTERM raises KeyboardInterrupt like SIGINT does."""
    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def interrupts_at_safe_points() -> Iterator[Callable[[], bool]]:
    """Within the block, a signal that would raise KeyboardInterrupt is only noted.

    The block polls the function it is given (True once one arrived) and stops at a safe
    point; KeyboardInterrupt is then raised as the block ends. A signal the process ignores,
    or one handled some other way, is left as it is; outside the main thread nothing changes.
    """
    arrived: list[str] = []
    if threading.current_thread() is not threading.main_thread():
        yield lambda: False
        return

    def note(signum, frame):
        arrived.append(signal.Signals(signum).name)

    previous = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    held = {number: handler for number, handler in previous.items() if handler in INTERRUPTING}
    for number in held:
        signal.signal(number, note)
    try:
        yield lambda: bool(arrived)
    finally:
        for number, handler in held.items():
            signal.signal(number, handler)
        if arrived:  # before any other error from the block: the user asked to stop
            raise KeyboardInterrupt(arrived[0])


@contextmanager
def one_line_errors(prog: str, resumable: dict | None = None) -> Iterator[None]:
    """Report tracking failures and interrupts in one line and exit; let real bugs show.

    `resumable`: where a sweep puts its run id once it has one, so that a store lost past the
    patience says how to carry on.
    """
    import requests
    from mlflow.exceptions import MlflowException

    from mlflow_lab.patience import notice_outages

    notice_outages(prog, tracking_uri)
    try:
        yield
    except KeyboardInterrupt:
        print(f"{prog}: interrupted; the run was ended KILLED and nothing was registered",
              file=sys.stderr)
        raise SystemExit(EXIT_INTERRUPTED) from None
    except Refusal as refusal:
        print(f"{prog}: error: {refusal}", file=sys.stderr)
        raise SystemExit(1) from None
    except (MlflowException, requests.exceptions.RequestException) as error:
        detail = redact(str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__)
        line = store_failure(error, detail[:300])
        if results_lost(error) and resumable and resumable.get("run_id"):
            line += (f"; once it answers again, resume={resumable['run_id']} marks the lost trials FAILED "
                     "and trains their cells again")
        print(f"{prog}: error: {line}", file=sys.stderr)
        raise SystemExit(1) from None


DENIED = ("PERMISSION_DENIED", "UNAUTHENTICATED")  # MLflow's error codes for 403 and 401
REJECTED = ("INVALID_PARAMETER_VALUE", "RESOURCE_DOES_NOT_EXIST", "RESOURCE_ALREADY_EXISTS", "BAD_REQUEST",
            "INVALID_STATE", "NOT_FOUND", "ALREADY_EXISTS")  # the store answered, and said no


def results_lost(error: BaseException) -> bool:
    """Whether the store failed (so the run's results are lost), rather than refused or rejected it."""
    return getattr(error, "error_code", "") not in (*DENIED, *REJECTED)


def store_failure(error: BaseException, detail: str) -> str:
    """What failed, by MLflow's error code: a refusal (credentials, grants), a request the store
    rejected (a bad value, a missing object), or the store itself failing (results lost)."""
    code = getattr(error, "error_code", "")
    if code in DENIED:
        return (f"tracking at {tracking_uri()} was refused this ({code}): {detail}; check the credentials "
                "and the grants of the identity that ran it")
    if code in REJECTED:
        return f"tracking at {tracking_uri()} rejected a request ({code}): {detail}"
    return f"tracking at {tracking_uri()} failed, this run's results are lost: {detail}"
