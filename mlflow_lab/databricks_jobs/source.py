"""Which commit a Databricks job checks out, from which remote: nothing is uploaded.

For a local folder the commit is HEAD (or `-v`), and it must be clean and already on the
remote (some remote-tracking branch contains it); otherwise the user is told, in one line,
what to commit or push. For a git URL the commit is `-v` (a full sha, or a branch or tag
resolved with `git ls-remote`).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlparse

PROVIDERS = {"github.com": "gitHub", "gitlab.com": "gitLab", "bitbucket.org": "bitbucketCloud",
             "dev.azure.com": "azureDevOpsServices", "ssh.dev.azure.com": "azureDevOpsServices"}
FULL_SHA = re.compile(r"[0-9a-f]{40}")


class SourceError(ValueError):
    """The commit cannot be run from git; the message is one line saying what to do."""


class GitSource(NamedTuple):
    url: str
    provider: str
    commit: str


def resolve(project_uri: str, version: str | None, provider: str | None = None) -> GitSource:
    """The remote URL, its provider and the full commit sha the job runs."""
    folder = Path(project_uri).expanduser()
    if folder.is_dir():
        url, commit = local_commit(folder, version)
    else:
        url, commit = project_uri, remote_commit(project_uri, version)
    return GitSource(url, provider or provider_of(url), commit)


def git(folder: Path | None, *args: str) -> str:
    where = ["-C", str(folder)] if folder else []
    done = subprocess.run(["git", *where, *args], capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        last = done.stderr.strip().splitlines() or ["no message"]
        raise SourceError(f"git {' '.join(args)} failed: {last[-1]}")
    return done.stdout.strip()


def local_commit(folder: Path, version: str | None) -> tuple[str, str]:
    """The folder's remote and commit, refused when the job could not check out the same code."""
    try:
        git(folder, "rev-parse", "--is-inside-work-tree")
    except SourceError:
        raise SourceError(f"{folder} is not a git checkout; Databricks runs a commit from its "
                          "git remote") from None
    changed = git(folder, "status", "--porcelain", "--untracked-files=normal").splitlines()
    if changed:
        names = ", ".join(line.split(maxsplit=1)[-1] for line in changed[:3])
        names += " ..." if len(changed) > 3 else ""
        raise SourceError(f"{folder} has uncommitted changes ({names}): commit and push them, then run "
                          "again; the job checks out the commit from the remote")
    commit = git(folder, "rev-parse", f"{version or 'HEAD'}^{{commit}}")
    remote = git(folder, "remote").splitlines()
    if not remote:
        raise SourceError(f"{folder} has no git remote: add one and push {commit[:12]} to it")
    url = https(git(folder, "remote", "get-url", "origin" if "origin" in remote else remote[0]))
    if not git(folder, "branch", "--remotes", "--contains", commit):
        raise SourceError(f"commit {commit[:12]} is not on the remote yet: push it (git push), then run "
                          "again")
    return url, commit


def remote_commit(url: str, version: str | None) -> str:
    """A full sha as given, or the sha a branch or tag (default: HEAD) points at on the remote."""
    if version and FULL_SHA.fullmatch(version):
        return version
    wanted = version or "HEAD"
    found = git(None, "ls-remote", url, wanted, f"refs/heads/{wanted}", f"refs/tags/{wanted}")
    for line in found.splitlines():
        return line.split()[0]
    raise SourceError(f"-v {wanted}: no such branch or tag on {url} (give a full 40-character sha, a "
                      "branch or a tag)")


def https(url: str) -> str:
    """`git@github.com:owner/repo.git` as the https URL Databricks clones from; others unchanged."""
    scp = re.fullmatch(r"[\w.-]+@([\w.-]+):(?!//)(.+)", url)
    return f"https://{scp[1]}/{scp[2]}" if scp else url


def provider_of(url: str) -> str:
    """Databricks' name for the git host; other hosts need `git_provider` in the spec."""
    host = urlparse(url).hostname if "://" in url else url.split("@")[-1].split(":")[0]
    if host in PROVIDERS:
        return PROVIDERS[host]
    raise SourceError(f"cannot tell the git provider of {url}: add \"git_provider\" to the backend config "
                      "(gitHubEnterprise, gitLabEnterpriseEdition, bitbucketServer, ...)")
