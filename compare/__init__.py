"""The `compare` entry point: the lab's run comparison as files: tables and plots.

    mlflow run . -e compare -P experiment_name=sklearn-diab
    python -m compare --model mnist --output_dir plots
"""
