"""Start-up and exit shortcuts: hidden optional imports come back, exits keep their status."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from tests.processes import REPO, run


def run_python(code: str, folder: Path) -> subprocess.CompletedProcess:
    """Run `code` in a fresh interpreter that imports the project and modules in `folder`."""
    return run([sys.executable, "-c", textwrap.dedent(code)], {"PYTHONPATH": f"{REPO}:{folder}"},
               cwd=folder, timeout=60)


def test_a_hidden_optional_package_is_skipped_by_the_importer_and_importable_afterwards(tmp_path):
    (tmp_path / "optional_extra").mkdir()
    (tmp_path / "optional_extra" / "__init__.py").write_text("VALUE = 7\n")
    (tmp_path / "library.py").write_text(
        "try:\n    import optional_extra\nexcept ImportError:\n    optional_extra = None\n")
    finished = run_python("""
        import sys
        from mlflow_lab.startup import import_without
        finders = list(sys.meta_path)
        library = import_without("library", unused=("optional_extra",))
        print("library saw", library.optional_extra, "finders restored", sys.meta_path == finders)
        import optional_extra
        print("afterwards", optional_extra.VALUE)
    """, tmp_path)
    assert finished.returncode == 0, finished.stderr
    assert "library saw None finders restored True" in finished.stdout
    assert "afterwards 7" in finished.stdout


def test_a_package_already_imported_is_never_hidden(tmp_path):
    (tmp_path / "optional_extra").mkdir()
    (tmp_path / "optional_extra" / "__init__.py").write_text("")
    (tmp_path / "optional_extra" / "part.py").write_text("VALUE = 3\n")
    (tmp_path / "library.py").write_text("from optional_extra.part import VALUE\n")
    finished = run_python("""
        import optional_extra
        from mlflow_lab.startup import import_without
        print("library saw", import_without("library", unused=("optional_extra",)).VALUE)
    """, tmp_path)
    assert finished.returncode == 0, finished.stderr
    assert "library saw 3" in finished.stdout


def test_exit_with_keeps_the_status_and_runs_exit_handlers(tmp_path):
    finished = run_python("""
        import atexit
        from mlflow_lab.startup import exit_with
        atexit.register(lambda: print("exit handler ran", flush=True))
        exit_with(3)
    """, tmp_path)
    assert finished.returncode == 3
    assert finished.stdout == "exit handler ran\n"
