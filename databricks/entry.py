"""What a Databricks job runs: `python databricks/entry.py diab --mlflow_run_id ID -- FLAGS`.

Submitted by `mlflow run -b databricks-jobs` (a git checkout of the exact commit) or
deployed by the bundle (`databricks.yml`); see `dbjobs/task.py`.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the checkout's root: the packages

if __name__ == "__main__":  # a sweep's worker processes import this file again: they must not run it
    from dbjobs.task import main
    from runkit.startup import exit_with

    exit_with(main())
