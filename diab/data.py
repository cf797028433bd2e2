"""The diabetes data set (442 rows, 10 features; it ships with scikit-learn) and its split."""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd

TARGET = "target"


class Split(NamedTuple):
    """Features and target of the training and test rows."""

    x_train: pd.DataFrame
    x_test: pd.DataFrame
    y_train: pd.Series
    y_test: pd.Series


def load_data() -> pd.DataFrame:
    """The diabetes data as one DataFrame: ten feature columns, then `target`."""
    from sklearn.datasets import load_diabetes

    return load_diabetes(as_frame=True).frame


def split(frame: pd.DataFrame, test_size: float, seed: int) -> Split:
    """A seeded train/test split of the rows of `frame`."""
    from sklearn.model_selection import train_test_split

    features = frame.drop(columns=[TARGET])
    return Split(*train_test_split(features, frame[TARGET], test_size=test_size, random_state=seed))
