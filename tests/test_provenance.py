"""What a run records of its source: a git checkout's commit and whether its tree was clean."""

from __future__ import annotations

import subprocess
from pathlib import Path

from mlflow_lab.provenance import TREE_CLEAN, TREE_NONE, TREE_UNCOMMITTED, source_tags

GIT = ["git", "-c", "user.name=me", "-c", "user.email=me@example.com"]


def checkout(folder: Path) -> Path:
    (folder / "pkg").mkdir(parents=True)
    (folder / "pkg" / "train.py").write_text("SEED = 1\n")
    for args in (["init", "--quiet"], ["add", "-A"], ["commit", "--quiet", "-m", "one"]):
        subprocess.run([*GIT, "-C", str(folder), *args], check=True)
    return folder


def test_a_clean_checkout_records_its_commit_and_says_clean(tmp_path):
    root = checkout(tmp_path / "repo")
    tags = source_tags(root / "pkg")
    head = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True,
                          check=True).stdout.strip()
    assert tags == {"lab.source.commit": head, "lab.source.root": str(root), "lab.source.tree": TREE_CLEAN}


def test_uncommitted_changes_get_a_digest_that_follows_their_content(tmp_path):
    root = checkout(tmp_path / "repo")
    (root / "pkg" / "train.py").write_text("SEED = 2\n")
    (root / "pkg" / "new file.py").write_text("X = 1\n")
    first = source_tags(root / "pkg")
    assert first["lab.source.tree"] == TREE_UNCOMMITTED
    assert first["lab.source.changed_files"] == "pkg/new file.py, pkg/train.py"
    assert source_tags(root / "pkg")["lab.source.changes"] == first["lab.source.changes"]
    (root / "pkg" / "new file.py").write_text("X = 2\n")  # an untracked file's content counts too
    assert source_tags(root / "pkg")["lab.source.changes"] != first["lab.source.changes"]


def test_an_untracked_file_that_cannot_be_read_is_named_not_fatal(tmp_path, monkeypatch):
    root = checkout(tmp_path / "repo")
    (root / "pkg" / "secret.py").write_text("KEY = 1\n")
    (root / "pkg" / "gone.py").symlink_to(root / "pkg" / "loop.py")  # a link loop: not a file, skipped
    (root / "pkg" / "loop.py").symlink_to(root / "pkg" / "gone.py")
    assert len(source_tags(root / "pkg")["lab.source.changes"]) == 16
    read = Path.read_bytes

    def refused(path: Path) -> bytes:  # as a file of another user's, mode 600, would be (tests run as root)
        if path.name == "secret.py":
            raise PermissionError(13, "Permission denied", str(path))
        return read(path)

    monkeypatch.setattr(Path, "read_bytes", refused)
    tags = source_tags(root / "pkg")
    assert tags["lab.source.tree"] == TREE_UNCOMMITTED
    assert tags["lab.source.changes"] == "unreadable (PermissionError)"
    assert "pkg/secret.py" in tags["lab.source.changed_files"]


def test_a_folder_outside_git_says_so(tmp_path):
    (tmp_path / "pkg").mkdir()
    assert source_tags(tmp_path / "pkg") == {"lab.source.tree": TREE_NONE}
