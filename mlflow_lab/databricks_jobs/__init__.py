"""Run an entry point on Databricks as a Jobs API 2.2 one-time run from git: `-b databricks-jobs`.

    mlflow run . -b databricks-jobs --backend-config jobs/cpu.json -e MODEL -P name=value \\
        --experiment-name /Users/me@example.com/EXPERIMENT

MLflow loads this backend from the `mlflow.project_backend` entry-point group (the project
is installed with `pip install`, editable or not). Nothing is uploaded: the job checks out the exact
commit being run from its git remote (`git_source`), installs the project's pins, and runs
`jobs/entry.py`, which resumes the MLflow run created here. The backend follows the
job to its end, as a local run does, and ends the MLflow run FINISHED, FAILED or KILLED.

Modules: spec (the backend config), source (which commit, from which remote), request
(the runs/submit body, built from databricks-sdk's dataclasses), follow (polling, the
run's final status, Ctrl-C), backend (MLflow's plugin),
cli (`python -m mlflow_lab.databricks_jobs follow`). What the job itself runs is `jobs/entry.py`.
"""
