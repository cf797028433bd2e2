"""The sweep's progress on stderr, drawn by tqdm: trials done, pruned and failed, best so far,
time elapsed and left. Off a terminal (a log file, CI) it prints one line per finished trial."""

from __future__ import annotations

import sys
import time

from mlflow_lab.entry import Entry
from mlflow_lab.sweep.trial import Outcome


class Progress:
    """A tqdm bar over this session's trials."""

    def __init__(self, target: Entry, total: int, best: float | None = None):
        from tqdm import tqdm

        self.target, self.best = target, best
        self.counts = {"PRUNED": 0, "FAIL": 0}
        self.total, self.done, self.start = total, 0, time.monotonic()
        self.bar = tqdm(total=total, desc="sweep", unit="trial", file=sys.stderr, dynamic_ncols=True,
                        disable=not sys.stderr.isatty())
        self.bar.set_postfix_str(self.summary(), refresh=False)

    def update(self, outcome: Outcome) -> None:
        if outcome.state in self.counts:
            self.counts[outcome.state] += 1
        if outcome.state == "COMPLETE" and self.target.better(outcome.value, self.best):
            self.best = outcome.value
        self.done += 1
        self.bar.set_postfix_str(self.summary(), refresh=False)
        self.bar.update(1)
        if outcome.error:
            self.bar.write(f"sweep: trial {outcome.task.number} FAILED: {outcome.error}", file=sys.stderr)
        if self.bar.disable:
            elapsed = time.monotonic() - self.start
            left = elapsed / self.done * (self.total - self.done)
            print(f"sweep {self.done}/{self.total} | {self.summary()} | {elapsed:.0f} s elapsed, "
                  f"~{left:.0f} s left", file=sys.stderr, flush=True)

    def summary(self) -> str:
        best = "-" if self.best is None else f"{self.best:.6g}"
        return (f"pruned {self.counts['PRUNED']}, failed {self.counts['FAIL']}, "
                f"best {self.target.metric} {best}")

    def close(self) -> None:
        self.bar.close()
