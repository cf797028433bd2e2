"""`python -m mlflow_lab.sweep --model NAME --max_depth 2:16 --trials 40 [--sampler ... --backend spark ...]`.

An Optuna study kept in MLflow: the parent run is the study and each trial a nested child
run logging exactly what a single run logs. When done, the parent carries `best_run_id`
and `best_<metric>`; with `register_as` the best model is registered and the alias
`champion` moved to it. Every argument is checked (`sweep.plan`) before any training starts.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from mlflow_lab.sweep.plan import parse_args


def main(argv: Sequence[str] | None = None) -> int:
    """Parse, run the study's trials, record the best; return the exit status."""
    plan = parse_args(argv)
    from mlflow_lab.tracking import relative_store_problem

    problem = relative_store_problem()  # before the workers open the store
    if problem:
        print(f"sweep: error: {problem}", file=sys.stderr)
        return 2
    from mlflow_lab.sweep.backends import discard, start_early

    starting = start_early(plan)
    try:
        import mlflow

        from mlflow_lab.faults import one_line_errors
        from mlflow_lab.sweep.session import run_session
        from mlflow_lab.tracking import active_run

        started: dict[str, str] = {}
        with one_line_errors("sweep", resumable=started), active_run(plan.target.experiment) as session:
            started["run_id"] = session.info.run_id
            best = run_session(plan, session, mlflow.MlflowClient(), starting)
    finally:
        discard(starting)
    print(f"best_run_id {best.info.run_id}")
    print(f"best_{plan.target.metric} {best.data.metrics[plan.target.metric]}")
    return 0
