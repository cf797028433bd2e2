"""`python -m mlflow_lab.reproduce (--run_id ID | --model_uri models:/NAME@alias) [--rtol R]`.

Reads the original run's record, trains its entry point again from its commit into a new run
(tagged `reproduce.of`, a child of this command's own run), prints one line per comparison and
a verdict, and exits 0 only when every metric is the same. This command's run (in the
experiment `reproductions` unless the launcher or MLFLOW_EXPERIMENT_* says otherwise; the new
training run goes with it) keeps the report as `reproduce.txt` and the tags `reproduce.of`,
`reproduce.run_id`, `reproduce.result`.
Given a model URI, the version is tagged `reproduced` (true or false) and `reproduced_by`.

Bad input (neither or both of run_id and model_uri, a run or version that does not exist, a run
with no source commit, a model with no run behind it, a run that did not finish or logged no
metrics) is one line and exit 2, before anything is trained, tagged or logged. A reproduction
that cannot be made (the commit is in none of the recorded sources, or its training fails) is
one line and exit 3: that is not a DIFFERS, nothing was compared.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from mlflow_lab.params import parse
from mlflow_lab.reproduce.params import ReproduceParams

EXPERIMENT = "reproductions"
EXIT_DIFFERS = 1
EXIT_NOT_TRAINED = 3


def main(argv: Sequence[str] | None = None) -> int:
    """Parse, resolve the original, train it again, compare; return the exit status."""
    params = parse(ReproduceParams, argv, prog="reproduce",
                   description="Train a run, or a registered version's run, again and compare it.")
    if bool(params.run_id.strip()) == bool(params.model_uri.strip()):
        print("reproduce: error: arguments --run_id and --model_uri: give exactly one of them",
              file=sys.stderr)
        return 2
    from mlflow_lab.faults import Refusal, one_line_errors
    from mlflow_lab.tracking import absolute_uri, active_run, relative_store_problem, tracking_defaults

    problem = relative_store_problem()  # before the URI is made absolute (in the project's folder)
    if problem:
        print(f"reproduce: error: {problem}", file=sys.stderr)
        return 2
    tracking_defaults()
    import mlflow

    from mlflow_lab.patience import reach
    from mlflow_lab.reproduce.record import original

    with one_line_errors("reproduce"):
        reach(mlflow.get_tracking_uri())  # a wrong or dead server: one line in seconds, not a patience
        mlflow.set_tracking_uri(absolute_uri(mlflow.get_tracking_uri()))  # the training runs elsewhere
        client = mlflow.MlflowClient()
        try:
            record = original(client, params.run_id.strip(), params.model_uri.strip())
        except Refusal as refusal:
            print(f"reproduce: error: {refusal}", file=sys.stderr)
            return 2
        with active_run(EXPERIMENT, f"reproduce {record.run.info.run_name}"):
            try:
                lines = reproduce(client, record, params)
            except Refusal as refusal:  # the run ends FAILED: nothing could be compared
                print(f"reproduce: error: run {record.run.info.run_id} could not be trained again: {refusal}",
                      file=sys.stderr)
                raise SystemExit(EXIT_NOT_TRAINED) from None
            if not all(line.same for line in lines if line.decides):
                raise SystemExit(EXIT_DIFFERS)  # the run ends FAILED: the reproduction did not match
    return 0


def reproduce(client, record, params: ReproduceParams):
    """Train `record` again inside the active run; print and record the comparison; its lines."""
    import mlflow

    from mlflow_lab.reproduce.compare import (
        dataset_lines,
        environment_lines,
        likely_causes,
        metric_lines,
        source_line,
        uncommitted_warning,
    )
    from mlflow_lab.reproduce.source import checked_out, trained_again

    own = mlflow.active_run().info
    original_id = record.run.info.run_id
    mlflow.set_tags({"reproduce.of": original_id, "reproduce.commit": record.commit,
                     **({"reproduce.model_uri": params.model_uri} if params.model_uri else {})})
    warning = uncommitted_warning(original_id, record.provenance, record.commit)
    if warning:  # the report's first line, before the training's own output
        print(warning, flush=True)
    with tempfile.TemporaryDirectory(prefix="reproduce-") as folder:
        source = checked_out(record.commit, record.sources, Path(folder))
        print(f"reproduce: training {record.entry} of run {original_id} again from {source} at "
              f"{record.commit}", file=sys.stderr)
        new_id = trained_again(Path(folder) / "project", record, own.experiment_id,
                               tags={"reproduce.of": original_id, "mlflow.parentRunId": own.run_id})
    again = client.get_run(new_id)
    lines = [source_line(record.provenance, record.commit),
             *metric_lines(record.metrics, again.data.metrics, params.rtol),
             *dataset_lines(record.datasets, again),
             *environment_lines(record.provenance, again.data.tags)]
    differing = [line.what for line in lines if line.decides and not line.same]
    verdict = (f"reproduce: SAME: run {new_id} reproduces run {original_id}"
               + (f" within rtol {params.rtol}" if params.rtol else " to the last digit") if not differing
               else f"reproduce: DIFFERS: {', '.join(differing)} of run {original_id} "
                    f"not reproduced by run {new_id}; likely cause: "
                    f"{', '.join(likely_causes(lines)) or 'none recorded (nondeterministic training?)'}")
    report = [*([warning] if warning else []), *(line.text() for line in lines), verdict]
    print("\n".join(report[1:] if warning else report))
    mlflow.log_text("\n".join(report) + "\n", "reproduce.txt")
    result = "DIFFERS" if differing else "SAME"
    mlflow.set_tags({"reproduce.run_id": new_id, "reproduce.result": result})
    if record.version is not None:
        version = record.version
        for key, value in {"reproduced": str(not differing).lower(), "reproduced_by": new_id}.items():
            client.set_model_version_tag(version.name, version.version, key, value)
    return lines
