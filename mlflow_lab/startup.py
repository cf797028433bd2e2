"""The seconds an entry point's process spends before and after its work, cut.

Each stays because `benchmarks/startup.py` shows what it saves (medians of 5 interleaved
processes on this project's 2-core machine, 2026-11-29):

- `exit_with`: at exit CPython's collector walks every object that TensorFlow, MLflow and
  pandas created (millions); freezing them first skips that walk. A process that imported
  Keras and MLflow: 9.9 s start to gone, against 11.4 s with a plain exit (1.5 s saved).
  Exit handlers, thread joins and file flushes still run as usual.
- `import_without`: Keras imports scikit-learn (for its sklearn wrappers) and matplotlib (for
  its plot helpers) whenever they are installed; the project's environment has both (other
  models and compare use them) and a Keras model may use neither. Hiding them while Keras is
  imported: 7.1 s against 9.8 s (2.7 s saved); anything may still import them afterwards.
- `import_in_background`: a run that registers imports MLflow's evaluation code (0.9 s) in a
  thread while it trains and logs; `benchmarks/gate.py --pairs 4` (2026-11-30): the gate
  added 2.59 s to a registering run of the default model with it, 3.04 s without.
"""

from __future__ import annotations

import gc
import importlib
import importlib.abc
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import NoReturn


def exit_with(status: int) -> NoReturn:
    """Leave the process with `status`, without the collector's walk over every object."""
    gc.freeze()
    raise SystemExit(status)


def import_without(module: str, unused: tuple[str, ...]) -> ModuleType:
    """Import `module` while the packages in `unused` (not imported yet) look absent."""
    with hidden(tuple(name for name in unused if name not in sys.modules)):
        return importlib.import_module(module)


@contextmanager
def hidden(packages: tuple[str, ...]) -> Iterator[None]:
    """Inside the block, importing any of `packages` (or their submodules) fails."""
    finder = _Hide(frozenset(packages))
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)


class _Hide(importlib.abc.MetaPathFinder):
    """Finds the hidden packages as missing; leaves every other import to the next finder."""

    def __init__(self, packages: frozenset[str]):
        self.packages = packages

    def find_spec(self, fullname, path, target=None):
        if fullname.partition(".")[0] in self.packages:
            raise ModuleNotFoundError(f"{fullname} is hidden while another module imports",
                                      name=fullname)
        return None


def import_in_background(module: str) -> threading.Thread:
    """Start importing `module` in a daemon thread, to overlap with work that waits on C or I/O."""
    thread = threading.Thread(target=importlib.import_module, args=(module,), daemon=True,
                              name=f"import-{module}")
    thread.start()
    return thread
