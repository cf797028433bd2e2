"""`python -m mlflow_lab.doctor [--volume_path /Volumes/...] [--executor false]`: the preflight, as one run.

Prints one line per check and logs them as one run in the experiment `doctor`: a tag
`doctor.<check>` holding OK, WARN or FAIL for each, and the whole report as `doctor.txt`. Any
FAIL ends the run FAILED and the command with exit 1, after the report is logged.
"""

from __future__ import annotations

from collections.abc import Sequence

from mlflow_lab.doctor.params import DoctorParams
from mlflow_lab.faults import Refusal
from mlflow_lab.params import parse

EXPERIMENT = "doctor"


def main(argv: Sequence[str] | None = None) -> int:
    """Parse, check, log the report; return the exit status."""
    params = parse(DoctorParams, argv, prog="doctor",
                   description="Check the compute this runs on: runtime, pins, TensorFlow, logging, Volume.")
    import mlflow

    from mlflow_lab.faults import one_line_errors
    from mlflow_lab.tracking import active_run

    with one_line_errors("doctor"), active_run(EXPERIMENT, "doctor") as run:
        report = examine(params, run.info.run_id)
        for check in report:
            print(check.line(), flush=True)
        mlflow.set_tags({f"doctor.{check.name.replace('+', '-')}": check.status for check in report})
        mlflow.log_text("\n".join(check.line() for check in report) + "\n", "doctor.txt")
        failed = [check.name for check in report if check.status == "FAIL"]
        if failed:
            raise Refusal(f"{len(failed)} of {len(report)} checks failed: {', '.join(failed)}")
    return 0


def examine(params: DoctorParams, run_id: str) -> list:
    """Every check, in the order the report prints them."""
    from mlflow_lab.doctor import checks

    report = [*checks.runtime(), *checks.packages(), *checks.tensorflow_with_keras(),
              *checks.driver_logging(run_id)]
    if params.executor == "true":
        report += checks.executor_logging(run_id)
    return report + checks.volume(params.volume_path)
