"""The `promote` entry point: send a registered version, or a run's model, through the promotion gate.

`mlflow run . -e promote -P model_name=NAME -P version=7` scores version 7 and the current
`@champion` on version 7's own held-out rows and moves `champion` only if 7 wins by
`min_improvement`; `force=true` moves it anyway, tagged as forced (`mlflow_lab.gate`).
"""
