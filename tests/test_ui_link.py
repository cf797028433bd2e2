"""The README's link to an experiment's training runs, rendered by a browser from a real `mlflow server`.

MLflow 3.17's UI opens experiments in its GenAI view; the README's link adds the query
parameter that selects the Model training view. Headless Chromium (Debian's `chromium`, driven by
Playwright) opens the link as a user would: the page must be the training view (its Runs and
Models pages and the model registry, not the GenAI pages) and list a run logged to the
experiment by name. The same link without the parameter shows the GenAI pages, so the check
tells the two views apart.
"""

from __future__ import annotations

import re
import shutil
from contextlib import suppress

import pytest

from tests.processes import REPO
from tests.tracking_reads import client_for

pytestmark = [pytest.mark.slow,  # a real server and a browser
              pytest.mark.xdist_group("mlflow_server")]  # the session's server starts on one worker

LINK = re.compile(r"http://127\.0\.0\.1:5000/#/experiments/(\d+)/runs\?workflowType=(\w+)")
RENDER_TIMEOUT_MS = 30_000  # each wait; a test renders twice


def chromium() -> str:
    found = shutil.which("chromium")
    assert found, "tests/test_ui_link.py needs Debian's chromium: apt-get install chromium (README, Tests)"
    return found


def rendered_text(url: str, run_name: str) -> str:
    """Open `url` headless; return the page's text once MLflow's UI has drawn a view (the GenAI
    pages, or a runs table, then `run_name` in it)."""
    from playwright.sync_api import TimeoutError as NotDrawn
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.goto(url, timeout=RENDER_TIMEOUT_MS)
            runs_table = page.get_by_text("Run Name", exact=True)
            genai_pages = page.get_by_text("Observability", exact=True)
            runs_table.or_(genai_pages).first.wait_for(timeout=RENDER_TIMEOUT_MS)
            if runs_table.count():
                with suppress(NotDrawn):  # the assertion then shows what the page holds instead
                    page.get_by_text(run_name, exact=True).first.wait_for(timeout=RENDER_TIMEOUT_MS)
            return page.inner_text("body")
        finally:
            browser.close()


def test_the_readme_link_opens_the_training_runs_in_a_browser(mlflow_server):
    [(linked_experiment, view)] = set(LINK.findall((REPO / "README.md").read_text()))  # one link
    assert linked_experiment == "0"
    client = client_for(mlflow_server)
    assert client.get_experiment("0").name == "Default"  # the experiment the link promises
    experiment_id = client.create_experiment("ui-link")  # its own, so other tests' runs stay apart
    client.create_run(experiment_id, run_name="rendered-diab-run")

    linked = f"{mlflow_server}/#/experiments/{experiment_id}/runs?workflowType={view}"
    page = rendered_text(linked, "rendered-diab-run").splitlines()
    assert "Model registry" in page and "Observability" not in page, page  # the training view's pages
    assert "Run Name" in page and "rendered-diab-run" in page, page  # the runs table, with the run

    plain = rendered_text(linked.split("?")[0], "rendered-diab-run").splitlines()
    assert "Observability" in plain and "Model registry" not in plain, plain  # MLflow's GenAI view
