"""Frozen copies of cxexcel/ to measure: a commit's (git archive) or the working tree's, so that edits made
while a benchmark runs never mix two versions in one measurement."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
DATA_DIR = BENCH_DIR / ".data"
WORKTREE = "worktree"


def short_commit(rev: str) -> str:
    done = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", f"{rev}^{{commit}}"], capture_output=True,
                          text=True)
    if done.returncode != 0:
        raise SystemExit(f"not a commit here: {rev!r} ({done.stderr.strip()})")
    return done.stdout.strip()


def commit_snapshot(rev: str) -> tuple[str, Path]:
    """(short commit, the folder holding its cxexcel/), extracted once into benchmarks/.data/code-<commit>/."""
    commit = short_commit(rev)
    folder = DATA_DIR / f"code-{commit}"
    if not (folder / "cxexcel").is_dir():
        partial = folder.with_name(f".code-{commit}.partial")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        archive = subprocess.run(["git", "-C", str(REPO), "archive", commit, "cxexcel"], capture_output=True,
                                 check=True).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(partial, filter="data")
        partial.rename(folder)
    return commit, folder


def worktree_snapshot(parent: Path) -> Path:
    """A copy of the working tree's cxexcel/ as it is now, inside `parent` (a run's temporary folder)."""
    folder = parent / f"worktree-{time.strftime('%H%M%S')}"
    shutil.copytree(REPO / "cxexcel", folder / "cxexcel", ignore=shutil.ignore_patterns("__pycache__"))
    return folder


def snapshot(rev: str, parent: Path) -> tuple[str, Path]:
    """(label, folder) of a commit, or of the working tree for "worktree"."""
    if rev == WORKTREE:
        return WORKTREE, worktree_snapshot(parent)
    return commit_snapshot(rev)


# `python -m` puts the current folder first on sys.path: started from the repository's root, it would import
# the working tree's cxexcel/ whatever PYTHONPATH says (it did, until 27.11.2026). -P (Python 3.11+) leaves
# it out, so the snapshot on PYTHONPATH is what runs, in the process and in its workers.
PYTHON_M_CXEXCEL = (sys.executable, "-P", "-m", "cxexcel")


def environment_for(folder: Path) -> dict[str, str]:
    """The environment under which `python -m cxexcel` (and its workers) run the code in `folder`: first on
    PYTHONPATH, before the editable install."""
    paths = [str(folder), *([os.environ["PYTHONPATH"]] if os.environ.get("PYTHONPATH") else [])]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
