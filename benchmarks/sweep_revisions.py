"""The same sweep at another git revision and in this working tree, side by side.

    python benchmarks/sweep_revisions.py --base REV [--against REV2] [--server] [--pairs 3] [--workers 2]
        [--flags "--log_models all"]

Checks that a change keeps a sweep's speed: the 24-setting diab grid (benchmarks/sweep_vs_lab.py's)
run with `python -m <the sweep's package>` from a checkout of REV and from this tree, each into a
fresh sqlite store, interleaved, and the median of each with their ratio (`--against REV2`: a
second revision instead of this tree, to time one commit; `--flags`: sweep flags the second side
alone gets, such as a setting the base did not have). Each checkout is a temporary
`git worktree`, removed at the end; both run in this environment. `--server`: both log to one
local `mlflow server` (a new experiment per sweep) instead of sqlite files.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from sweep_overhead import start_server
from sweep_vs_lab import GRID

from common import REPO, fresh_store, report, timed


def sweep_command(tree: Path, workers: int) -> list[str]:
    """`python -m ...sweep` on the grid, with the package the tree names it by."""
    module = "mlflow_lab.sweep" if (tree / "mlflow_lab" / "sweep").is_dir() else "sweep"
    space = [arg for name, values in GRID.items() for arg in (f"--{name}", ",".join(map(str, values)))]
    return [sys.executable, "-m", module, "--model", "diab", "--workers", str(workers), *space]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="the git revision to compare this tree with")
    parser.add_argument("--against", default="", help="a revision to time instead of this tree")
    parser.add_argument("--server", action="store_true", help="log to a local mlflow server")
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--flags", default="", help="sweep flags for the second side only")
    args = parser.parse_args()
    checkouts = Path(tempfile.mkdtemp(prefix="bench-revisions-"))
    trees = {f"base {args.base}": checkouts / "base"}
    if args.against:
        trees[f"revision {args.against}"] = checkouts / "against"
    for tree, revision in zip(trees.values(), (args.base, args.against), strict=False):
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", "--quiet", str(tree),
                        revision], check=True)
    if not args.against:
        trees["this tree"] = REPO
    seconds: dict[str, list[float]] = {name: [] for name in trees}
    server, url = start_server(checkouts) if args.server else (None, "")
    try:
        for pair in range(args.pairs):
            for index, (name, tree) in enumerate(trees.items()):
                folder, env = fresh_store()
                env["PYTHONPATH"] = str(tree)
                if server:
                    env.update(MLFLOW_TRACKING_URI=url, MLFLOW_EXPERIMENT_NAME=f"bench-{pair}-{index}")
                extra = args.flags.split() if index == 1 else []
                seconds[name].append(timed([*sweep_command(tree, args.workers), *extra], folder, env))
                shutil.rmtree(folder, ignore_errors=True)
    finally:
        if server:
            os.killpg(server.pid, 15)
        for tree in trees.values():
            if tree != REPO:
                subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)],
                               check=False)
        shutil.rmtree(checkouts, ignore_errors=True)
    report(seconds, theirs=f"base {args.base}")
    print(f"  ({os.cpu_count()} cores, {args.workers} workers, {args.pairs} pairs)")


if __name__ == "__main__":
    main()
