"""The sweep's own parameters; the model's parameters come as `--name values` after them."""

from __future__ import annotations

from dataclasses import dataclass

from runkit.params import param

MAX_WORKERS = 64


@dataclass(frozen=True)
class SweepParams:
    """What to sweep, how many settings, in how many processes, and what to register."""

    model: str = param("diab", "entry point to sweep", choices=("diab", "mnist"))
    trials: int = param(0, "random settings to draw from ranges and lists; 0: the full grid",
                        low=0, high=10000)
    workers: str = param("auto", f"worker processes: 'auto' (one per core) or 1 to {MAX_WORKERS}")
    seed: int = param(0, "seed of the random draws (each setting keeps the model's own seed)",
                      low=0, high=2**32 - 1)
    register_as: str = param("", "register the best model under this name and move alias "
                                 "'champion' to it; empty: do not register")
