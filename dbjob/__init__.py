"""Submit diab or mnist to a Databricks job cluster as a "Databricks Spark job" project.

Databricks runs classic MLflow Projects only on runtimes before 13.0 ML; from 13.0 on, the
replacement is the Spark-job project format, which cannot share an MLproject with
`conda_env` and uploads only its own folder. `dbjob` builds that folder at submission time
from this repository's own packages (no second copy lives in the repo) and submits it:

    python -m dbjob diab --backend-config databricks/cpu.json -P max_depth=8
"""
