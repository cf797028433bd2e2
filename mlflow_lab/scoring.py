"""What a loaded MLflow model says about a batch: one prediction per row, and its probability.

Shared by the promotion gate and batch scoring. A model whose output is one score per class
(a Keras softmax, say) gives the winning class as the prediction and its score as the
probability; any other model gives its output as the prediction and no probability.
"""

from __future__ import annotations

import numpy as np


def predictions(model, inputs) -> tuple[np.ndarray, np.ndarray | None]:
    """(prediction per row, probability per row or None) of pyfunc `model` on `inputs`."""
    output = model.predict(inputs)
    array = np.asarray(output.to_numpy() if hasattr(output, "to_numpy") else output)
    if array.ndim == 2 and array.shape[1] > 1:
        return array.argmax(axis=1), array.max(axis=1)
    return array.reshape(len(array)), None


def same_interface(one, other) -> bool:
    """True when two models' signatures take the same inputs and give the same kind of output."""
    first, second = one.metadata.get_input_schema(), other.metadata.get_input_schema()
    outputs = one.metadata.get_output_schema(), other.metadata.get_output_schema()
    as_dicts = [schema.to_dict() if schema is not None else None for schema in (first, second, *outputs)]
    return as_dicts[0] == as_dicts[1] and as_dicts[2] == as_dicts[3]
