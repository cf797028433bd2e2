"""Batch scoring speed: a million diab rows from Parquet, here and on Spark `local[2]`.

    python benchmarks/predict_rows.py [--rows 1000000] [--pairs 3]

Builds the rows once (the diabetes features resampled with a little noise, written as
Parquet), registers a lab-default diab model as `diab-rf@champion` (not timed), then runs,
interleaved: what a user would write without the project (load the model with
`mlflow.pyfunc.load_model`, read, predict, write Parquet; no checks, no run logged),
`python -m mlflow_lab.predict` here, and `python -m mlflow_lab.predict --backend spark --workers 2`.
Each writes
a new output. Prints wall times, ratios to the plain script, and rows per second.
Goal: `python -m mlflow_lab.predict` under 30 s for a million rows. The lab has no batch scoring, so
the plain script stands where a lab baseline would.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import textwrap

from common import fresh_store, measure, report

PLAIN = textwrap.dedent("""
    import sys, mlflow.pyfunc, pandas as pd
    model = mlflow.pyfunc.load_model("models:/diab-rf@champion")
    rows = pd.read_parquet(sys.argv[1])
    rows.assign(prediction=model.predict(rows)).to_parquet(sys.argv[2], index=False)
""")


def write_rows(path, count: int) -> None:
    import numpy as np
    from sklearn.datasets import load_diabetes

    features = load_diabetes(as_frame=True).frame.drop(columns=["target"])
    rng = np.random.default_rng(0)
    rows = features.sample(count, replace=True, random_state=0).reset_index(drop=True)
    rows += rng.normal(0, 0.002, rows.shape)
    rows.to_parquet(path, index=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--pairs", type=int, default=3)
    args = parser.parse_args()
    folder, env = fresh_store()
    try:
        write_rows(folder / "rows.parquet", args.rows)
        (folder / "plain.py").write_text(PLAIN)
        measure([sys.executable, "-m", "diab", "--register_as", "diab-rf"], folder, env)
        predict = [sys.executable, "-m", "mlflow_lab.predict", "--model_uri", "models:/diab-rf@champion",
                   "--input", str(folder / "rows.parquet")]
        times: dict[str, list[float]] = {"plain pyfunc script": [], "predict": [], "predict spark": []}
        for pair in range(args.pairs):
            times["plain pyfunc script"].append(measure(
                [sys.executable, str(folder / "plain.py"), str(folder / "rows.parquet"),
                 str(folder / f"plain-{pair}.parquet")], folder, env).seconds)
            times["predict"].append(measure([*predict, "--output", str(folder / f"here-{pair}.parquet")],
                                            folder, env).seconds)
            times["predict spark"].append(measure(
                [*predict, "--output", str(folder / f"spark-{pair}.parquet"), "--backend", "spark",
                 "--workers", "2"], folder, env).seconds)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    report(times, "plain pyfunc script")
    for name, series in times.items():
        print(f"  {name}: {args.rows / statistics.median(series):,.0f} rows/s (wall, start-up included)")
    spark = statistics.median(times["predict spark"]) / statistics.median(times["predict"])
    print(f"  ratio predict spark / predict: {spark:.2f}")


if __name__ == "__main__":
    main()
