"""The original run and its reproduction side by side: one `Line` per thing compared.

Metrics decide the verdict (each the original logged, its last value, exactly unless `rtol`
says how close is close enough). The data sets' digests, the environment's pins, the platform
and the source are compared as well: where a metric differs, those are the causes to look at.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from mlflow_lab.provenance import TREE_UNCOMMITTED

NOT_RECORDED = "not recorded"


class Line(NamedTuple):
    """One comparison: what, both values, and whether they are the same."""

    what: str  # "metric mse", "data set diabetes", "environment", "platform", "source"
    original: str
    reproduced: str
    same: bool
    decides: bool = False  # a metric: the verdict rests on it

    def text(self) -> str:
        word = "SAME" if self.same else "DIFFERS"
        return f"{word} {self.what}: {self.original} (original), {self.reproduced} (reproduced)"

    @property
    def recorded(self) -> bool:
        """Whether the original recorded it (one that predates the record cannot name a cause)."""
        return self.original != NOT_RECORDED


def metric_lines(original: dict[str, float], reproduced: dict[str, float], rtol: float) -> list[Line]:
    """Each of the original's metrics against the reproduction's, exactly (`rtol` 0) or within rtol."""
    lines = []
    for name, value in sorted(original.items()):
        again = reproduced.get(name)
        same = again is not None and equal(value, again, rtol)
        lines.append(Line(f"metric {name}", repr(value), "not logged" if again is None else repr(again),
                          same, decides=True))
    return lines


def equal(value: float, again: float, rtol: float) -> bool:
    """The same to the last digit (`rtol` 0) or within `rtol`; NaN on both sides is the same."""
    if math.isnan(value) or math.isnan(again):
        return math.isnan(value) and math.isnan(again)
    return value == again if rtol == 0 else math.isclose(value, again, rel_tol=rtol, abs_tol=0)


def dataset_lines(before: dict[str, str], reproduced_run) -> list[Line]:
    """Each data set's digest in the original (`before`, by name) against the reproduction's."""
    after = {item.dataset.name: item.dataset.digest for item in reproduced_run.inputs.dataset_inputs}
    return [Line(f"data set {name}", f"digest {digest}",
                 f"digest {after[name]}" if name in after else "not logged", after.get(name) == digest)
            for name, digest in sorted(before.items())]


def environment_lines(original: dict[str, str], reproduced: dict[str, str]) -> list[Line]:
    """The pins and the platform each run recorded when it trained (`lab.*` tags)."""
    return [pins_line(original.get("lab.environment", ""), reproduced.get("lab.environment", "")),
            recorded_line("platform", original.get("lab.platform", ""), reproduced.get("lab.platform", ""))]


def pins_line(original: str, reproduced: str) -> Line:
    """The environment's pins; when they differ, only the distributions that differ are shown."""
    if not original:
        return Line("environment", NOT_RECORDED, reproduced, False)
    before, after = set(original.split(" ")), set(reproduced.split(" "))
    if before == after:
        return Line("environment", original, reproduced, True)
    return Line("environment", " ".join(sorted(before - after)) or "-",
                " ".join(sorted(after - before)) or "-", False)


def recorded_line(what: str, original: str, reproduced: str) -> Line:
    """A recorded value against the reproduction's (the platform)."""
    return Line(what, original or NOT_RECORDED, reproduced, bool(original) and original == reproduced)


def source_line(provenance: dict[str, str], commit: str) -> Line:
    """The commit, and whether the original ran it with uncommitted changes (the reproduction cannot)."""
    if provenance.get("lab.source.tree") == TREE_UNCOMMITTED:
        return Line("source", f"commit {commit} with uncommitted changes {provenance['lab.source.changes']}",
                    f"commit {commit} as committed", False)
    state = "as committed" if provenance.get("lab.source.tree") else "(working tree not recorded)"
    return Line("source", f"commit {commit} {state}", f"commit {commit} as committed", True)


def uncommitted_warning(run_id: str, provenance: dict[str, str], commit: str) -> str:
    """The first line of a report on a run made from uncommitted changes; '' when it was not."""
    if provenance.get("lab.source.tree") != TREE_UNCOMMITTED:
        return ""
    return (f"reproduce: run {run_id} was trained with uncommitted changes to "
            f"{provenance.get('lab.source.changed_files', '?')} (digest {provenance['lab.source.changes']}) "
            f"on top of commit {commit}; this reproduction trains the commit without them")


def likely_causes(lines: list[Line]) -> list[str]:
    """What differs besides the metrics, the likeliest cause first."""
    order = ("source", "data set", "environment", "platform")
    differing = [line.what for line in lines if not line.same and not line.decides and line.recorded]
    return [what for prefix in order for what in differing if what.startswith(prefix)]
