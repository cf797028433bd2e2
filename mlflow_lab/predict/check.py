"""The rows against the model's signature, before anything is scored or written.

Every missing or mistyped column is named in one `Refusal` line; rows that pass come back in
the signature's order and types.
"""

from __future__ import annotations

from mlflow_lab.faults import Refusal

NUMERIC = {"double": "float64", "float": "float32", "long": "int64", "integer": "int32"}


def columns(schema) -> list[tuple[str, str]]:
    """(name, type) of each input column a table signature declares; refuses a tensor signature."""
    if schema.is_tensor_spec():
        raise Refusal("input: this model takes a tensor, not table rows; give a file its model "
                      "reads (an .npz, for a model whose entry declares a reader)")
    return list(zip(schema.input_names(), [kind.name for kind in schema.input_types()], strict=True))


def problem_line(missing: list[str], mistyped: list[str], has: list[str]) -> str:
    parts = []
    if missing:
        parts.append(f"missing column{'s' * (len(missing) > 1)} {', '.join(missing)}")
    parts += mistyped
    return f"input: {'; '.join(parts)} (the file has {', '.join(has)})"


def checked_frame(frame, schema):
    """`frame`'s signature columns, in order and typed; a refusal naming every problem."""
    import pandas as pd
    from pandas.api.types import is_bool_dtype, is_numeric_dtype

    if schema is None:
        return frame
    wanted = columns(schema)
    missing = [name for name, _ in wanted if name not in frame.columns]
    mistyped = []
    for name, kind in wanted:
        if name not in frame.columns or kind not in NUMERIC:
            continue
        column = frame[name]
        if is_numeric_dtype(column) and not is_bool_dtype(column):
            continue
        text = pd.to_numeric(column, errors="coerce").isna() & column.notna()
        row = int(text.to_numpy().argmax()) if text.any() else 0
        mistyped.append(f"column {name} holds text ({column.iloc[row]!r} in row {row + 1}) where the "
                        f"model needs {kind}")
    if missing or mistyped:
        raise Refusal(problem_line(missing, mistyped, [str(c) for c in frame.columns]))
    return frame[[name for name, _ in wanted]].astype({name: NUMERIC[kind] for name, kind in wanted
                                                       if kind in NUMERIC})


def checked_spark_columns(frame, schema) -> list:
    """The Spark columns to hand the model, cast to the signature's types; refuses as above."""
    from pyspark.sql import functions
    from pyspark.sql.types import NumericType

    wanted = columns(schema)
    types = {field.name: field.dataType for field in frame.schema.fields}
    missing = [name for name, _ in wanted if name not in types]
    mistyped = []
    for name, kind in wanted:
        if name in types and kind in NUMERIC and not isinstance(types[name], NumericType):
            bad = frame.filter(functions.col(name).isNotNull()
                               & functions.col(name).cast("double").isNull()).select(name).first()
            sample = f" ({bad[0]!r})" if bad is not None else ""
            mistyped.append(f"column {name} holds text{sample} where the model needs {kind}")
    if missing or mistyped:
        raise Refusal(problem_line(missing, mistyped, list(types)))
    return [functions.col(name).cast(kind) if kind in NUMERIC else functions.col(name)
            for name, kind in wanted]
