"""The sweep's own parameters; the model's parameters come as `--name values` after them."""

from __future__ import annotations

from dataclasses import dataclass

from mlflow_lab.entries import DEFAULT, MODELS
from mlflow_lab.gate import min_improvement_field, register_as_field, require_reproduced_field
from mlflow_lab.params import param

MAX_WORKERS = 64
LOG_MODELS = ("improving", "all", "none")


@dataclass(frozen=True)
class SweepParams:
    """What to sweep, how to search, where the trials run, and what to register."""

    model: str = param(DEFAULT, "model to sweep", choices=tuple(MODELS))
    trials: int = param(0, "trials to run (random or tpe); 0: the full grid of the lists",
                        low=0, high=10000)
    sampler: str = param("auto", "how settings are chosen; auto: grid when trials is 0, else tpe",
                         choices=("auto", "grid", "random", "tpe"))
    workers: str = param("auto", "trials at once: 'auto' (one per core here, the cluster's parallelism "
                                 f"on a Spark cluster or Connect server) or 1 to {MAX_WORKERS}")
    backend: str = param("local", "where trials run: a local process pool; spark (local Spark, the "
                                  "cluster's on Databricks, or SPARK_REMOTE's Spark Connect server); "
                                  "a Spark master URL; or a Spark Connect URL",
                         choices=("local", "spark", "yarn"), prefixes=("spark://", "sc://", "k8s://"))
    prune: str = param("false", "stop hopeless trials early on their per-step held-out score "
                                "(models that train in steps)",
                       choices=("false", "true"))
    pruner: str = param("median", "which pruner decides (with prune=true)",
                        choices=("median", "hyperband"))
    sampler_seed: int = param(0, "seed of the sampler (random, tpe); a model's own seed is a model "
                                 "parameter like any other (-P seed=1,2,3 sweeps it)",
                              low=0, high=2**32 - 1)
    log_models: str = param("improving", "which trials log their model: improving (one at least as good as "
                                         "the best when it started, so the best always has its model), "
                                         "all, or none",
                            choices=LOG_MODELS)
    resume: str = param("", "run id of a sweep to carry on; its space, sampler and trials are kept")
    register_as: str = register_as_field("the best trial's model")
    min_improvement: float = min_improvement_field()
    require_reproduced: str = require_reproduced_field()
