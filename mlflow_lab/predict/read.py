"""Reading the rows to score and writing the scored ones: CSV or Parquet, a file or a folder.

Every problem is a `Refusal` naming `input` or `output`, raised before anything is written.
"""

from __future__ import annotations

import re
from pathlib import Path

from mlflow_lab.faults import Refusal

TABLES = (".csv", ".parquet")
STORAGE_URI = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:/")  # dbfs:/, s3://, abfss://, gs://, file://


def is_storage_uri(path: str) -> bool:
    """A path that only Spark's readers and writers resolve: `dbfs:/...`, `s3://...`, `file://...`.

    A Unity Catalog volume (`/Volumes/...`) is a plain path on Databricks' driver, not a URI.
    """
    return bool(STORAGE_URI.match(path))


def uri_format(path: str, side: str) -> str:
    """'csv' or 'parquet' of a storage URI, from its suffix (a table folder's too, as Spark names them)."""
    suffix = Path(path.rstrip("/")).suffix
    if suffix not in TABLES:
        raise Refusal(f"{side}: {path} must end in .csv or .parquet (a file, or a folder of that format)")
    return suffix[1:]


def local_only(path: str, side: str) -> None:
    """Refuse a storage URI where this process reads or writes the rows itself."""
    if is_storage_uri(path):
        raise Refusal(f"{side}: {path} is a storage URI, which only Spark reads and writes: give "
                      "backend=spark, or a local path (a /Volumes path is one on Databricks)")


def table_files(path: str) -> list[Path]:
    """The .csv or .parquet files at `path` (the file itself, or a folder's, sorted; one format)."""
    where = Path(path).expanduser()
    if not where.exists():
        raise Refusal(f"input: {path} does not exist (give a .csv or .parquet file, or a folder of them)")
    files = sorted(p for p in where.iterdir() if p.suffix in TABLES) if where.is_dir() else [where]
    formats = {p.suffix for p in files}
    if not files or not formats <= set(TABLES):
        raise Refusal(f"input: {path} is not a .csv or .parquet file, nor a folder holding any")
    if len(formats) > 1:
        raise Refusal(f"input: {path} mixes .csv and .parquet files; keep one format per folder")
    return files


def read_table(path: str):
    """The rows at `path` as one pandas DataFrame, files concatenated in name order."""
    import pandas as pd

    frames = []
    for file in table_files(path):
        try:
            frames.append(pd.read_csv(file) if file.suffix == ".csv" else pd.read_parquet(file))
        except (ValueError, OSError, pd.errors.ParserError) as error:
            detail = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise Refusal(f"input: {file} cannot be read as {file.suffix[1:]} ({detail})") from None
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


def output_format(path: str) -> str:
    """'csv' or 'parquet', from the output's suffix; refuses an existing path or a missing folder."""
    where = Path(path).expanduser()
    if where.suffix not in TABLES:
        raise Refusal(f"output: {path} must end in .csv or .parquet")
    if where.exists():
        raise Refusal(f"output: {path} exists already; give a new path (scored rows are never overwritten)")
    if not where.parent.is_dir():
        raise Refusal(f"output: the folder {where.parent} does not exist")
    return where.suffix[1:]


def write_table(frame, path: str) -> None:
    """Write `frame` to `path` whole or not at all (a temporary file renamed into place)."""
    where = Path(path).expanduser()
    partial = where.with_name(f".{where.name}.partial")
    if where.suffix == ".csv":
        frame.to_csv(partial, index=False)
    else:
        frame.to_parquet(partial, index=False)
    partial.rename(where)
