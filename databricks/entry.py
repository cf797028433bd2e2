"""What a Databricks job runs: `python databricks/entry.py diab --mlflow_run_id ID -- FLAGS`.

Submitted by `mlflow run -b databricks-jobs` (a git checkout of the exact commit) or
deployed by the bundle (`databricks.yml`); see `dbjobs/task.py`.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the checkout's root: the packages

from dbjobs.task import main  # noqa: E402
from runkit.startup import exit_with  # noqa: E402

exit_with(main())
