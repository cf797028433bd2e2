"""The README's link to an experiment's training runs, checked against a real `mlflow server`.

MLflow 3.17's UI opens experiments in its GenAI view; the README's link adds the query
parameter that selects the Model training view. This checks that the UI the server sends
reads that parameter and names that view, and that experiment 0 is the one the link promises.
(Rendering the page takes a browser: done by hand with headless Chromium, see the README.)
"""

from __future__ import annotations

import re
import urllib.request

import pytest

from tests.processes import REPO
from tests.tracking_reads import client_for

pytestmark = pytest.mark.slow  # a real server

LINK = re.compile(r"http://127\.0\.0\.1:5000/#/experiments/(\d+)/runs\?workflowType=(\w+)")


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read().decode()


def test_the_readme_link_selects_a_view_that_the_served_ui_reads(mlflow_server):
    links = set(LINK.findall((REPO / "README.md").read_text()))
    assert links == {("0", "machine_learning")}
    page = fetch(f"{mlflow_server}/")
    [script_path] = re.findall(r'src="(static-files/static/js/main\.[0-9a-f]+\.js)"', page)
    script = fetch(f"{mlflow_server}/{script_path}")
    assert 'MACHINE_LEARNING="machine_learning"' in script  # the training-runs view's URL value
    assert '.set("workflowType",' in script and '.get("workflowType")' in script
    assert client_for(mlflow_server).get_experiment("0").name == "Default"
