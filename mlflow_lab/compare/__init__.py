"""The `compare` entry point: the lab's run comparison as files: tables and plots.

    mlflow run . -e compare -P model=NAME -P experiment_name=EXPERIMENT
    python -m mlflow_lab.compare --model NAME --output_dir plots
"""
