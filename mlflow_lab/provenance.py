"""What a run was made from, recorded as tags so that `reproduce` can say why a rerun differs.

Every run the project starts (a model's run, a sweep's parent run) carries:

- `lab.entry`: the entry point that trained it;
- `lab.source.commit` and `lab.source.root`: the git commit and checkout holding the code that
  ran (the model package's own folder, which is what Python imported);
- `lab.source.tree`: `clean`, `uncommitted` (then `lab.source.changes`, a digest of the
  changes against that commit, untracked files included, and `lab.source.changed_files`), or
  `not a git checkout` (an installed wheel, a Databricks bundle);
- `lab.environment`: the installed versions of the project's pinned distributions;
- `lab.platform`: the operating system, machine and Python.

MLflow records its own `mlflow.source.*` tags too; these add what it does not: whether the
commit is all that ran.
"""

from __future__ import annotations

import hashlib
import platform
import subprocess
import sys
from pathlib import Path

TREE_CLEAN, TREE_UNCOMMITTED, TREE_NONE = "clean", "uncommitted", "not a git checkout"
CHANGED_FILES_LIMIT = 500  # characters of the changed files' names kept in their tag


def git(root: Path, *args: str) -> bytes:
    """`git args` in `root`; raises CalledProcessError (or OSError without git) on failure."""
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True,
                          timeout=60).stdout


def source_tags(code: Path) -> dict[str, str]:
    """The git state of the checkout holding the folder `code`."""
    try:
        root = Path(git(code, "rev-parse", "--show-toplevel").decode().strip())
        commit = git(root, "rev-parse", "HEAD").decode().strip()
        status = git(root, "status", "--porcelain", "-z", "--no-renames", "--untracked-files=all").decode()
    except (OSError, subprocess.SubprocessError):
        return {"lab.source.tree": TREE_NONE}
    tags = {"lab.source.commit": commit, "lab.source.root": str(root), "lab.source.tree": TREE_CLEAN}
    entries = [entry for entry in status.split("\0") if len(entry) > 3]  # "XY name"
    if entries:
        untracked = sorted(entry[3:] for entry in entries if entry.startswith("??"))
        try:
            digest = changes_digest(root, untracked)
        except (OSError, subprocess.SubprocessError) as error:
            digest = f"unreadable ({type(error).__name__})"
        changed = ", ".join(sorted(entry[3:] for entry in entries))
        tags.update({"lab.source.tree": TREE_UNCOMMITTED, "lab.source.changes": digest,
                     "lab.source.changed_files": changed[:CHANGED_FILES_LIMIT]})
    return tags


def changes_digest(root: Path, untracked: list[str]) -> str:
    """A digest of the working tree's changes against HEAD: the same changes, the same digest."""
    digest = hashlib.sha256(git(root, "diff", "HEAD", "--binary"))
    for name in untracked:  # untracked files are not in the diff; their contents are
        path = root / name
        if path.is_file():
            digest.update(name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def environment() -> str:
    """`name==version` of each of the project's pinned distributions as installed here."""
    from importlib import metadata

    from mlflow_lab.requirements import requirements

    found = []
    for requirement in requirements():
        try:
            found.append(f"{requirement.name}=={metadata.version(requirement.name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{requirement.name} not installed")
    return " ".join(found)


def platform_tag() -> str:
    """`Linux x86_64, CPython 3.11.9`: where a run trained."""
    python = f"{platform.python_implementation()} {platform.python_version()}"
    return f"{platform.system()} {platform.machine()}, {python}"


def provenance(entry_name: str, code_module: str) -> dict[str, str]:
    """Every provenance tag of a run of `entry_name` whose code is the module `code_module`."""
    code = Path(sys.modules[code_module].__file__).resolve().parent
    return {"lab.entry": entry_name, **source_tags(code), "lab.environment": environment(),
            "lab.platform": platform_tag()}
