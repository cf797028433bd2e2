"""The lab's comparison charts, drawn with matplotlib: metric vs each parameter, epoch
curves, and a parallel-coordinates view. `label` names an axis (the model's entry gives
each parameter and metric its unit)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402


def metric_vs_params(frame: pd.DataFrame, metric: str, params: list[str], path: Path,
                     label=str) -> Path:
    """One scatter panel per varying parameter: the metric of each run against it."""
    fig, axes = plt.subplots(1, len(params), figsize=(4.5 * len(params), 4), squeeze=False)
    best = frame.iloc[0]
    for axis, name in zip(axes[0], params, strict=True):
        axis.scatter(frame[name], frame[metric], color="tab:blue", alpha=0.75, label="run")
        axis.scatter([best[name]], [best[metric]], color="tab:red", s=80, marker="*", label="best run")
        axis.set_xlabel(label(name))
        axis.set_ylabel(label(metric))
        axis.grid(alpha=0.3)
        axis.legend(loc="best", fontsize=8)
    fig.suptitle(f"{metric} against each parameter ({len(frame)} runs)")
    return _save(fig, path)


def epoch_curves(histories: dict[str, list[float]], names: dict[str, str], path: Path,
                 metric: str, label=str) -> Path:
    """A per-epoch metric, one line per run."""
    fig, axis = plt.subplots(figsize=(7, 4.5))
    for run_id, values in histories.items():
        axis.plot(np.arange(1, len(values) + 1), values, marker="o", markersize=3, label=names[run_id])
    axis.set_xlabel("epoch")
    axis.xaxis.set_major_locator(MaxNLocator(integer=True))
    axis.set_ylabel(label(metric))
    axis.set_title(f"{metric} per epoch across {len(histories)} runs")
    axis.grid(alpha=0.3)
    axis.legend(fontsize=7, loc="lower right", ncol=1 + len(histories) // 12)
    return _save(fig, path)


def parallel_coordinates(frame: pd.DataFrame, metric: str, params: list[str], path: Path,
                         label=str) -> Path:
    """Each run as a line across its parameters and the metric, each axis scaled to its range."""
    columns = [*params, metric]
    values = frame[columns].astype(float)
    low, high = values.min(), values.max()
    scaled = (values - low) / (high - low).replace(0, 1)
    colours = plt.get_cmap("viridis")(scaled[metric].to_numpy())
    fig, axis = plt.subplots(figsize=(1.8 * len(columns) + 2, 4.5))
    for row, colour in zip(scaled.to_numpy(), colours, strict=True):
        axis.plot(range(len(columns)), row, color=colour, alpha=0.8)
    axis.set_xticks(range(len(columns)), [f"{label(c)}\n[{low[c]:.4g} to {high[c]:.4g}]" for c in columns],
                    fontsize=7)
    axis.set_ylabel("position within each axis's range (0 = lowest, 1 = highest)")
    axis.set_title(f"parallel coordinates: parameters and {metric}")
    mappable = plt.cm.ScalarMappable(cmap="viridis", norm=plt.Normalize(low[metric], high[metric]))
    fig.colorbar(mappable, ax=axis, label=label(metric))
    return _save(fig, path)


def _save(fig, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
