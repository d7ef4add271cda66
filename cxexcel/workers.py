"""Worker processes of the checking pool: how they are started, and a fork server started ahead of need."""

from __future__ import annotations

import contextlib
import multiprocessing
import sys
from typing import Any

# What every worker imports before its first file. With a fork server it is imported once, by the server,
# and each worker is a fork of a process that has it all, instead of importing it again (about 0.2 s).
WORKER_MODULES = ("cxexcel.consolidate.collect",)


def pool_context() -> Any:
    """The start method of worker processes: never a plain fork of this process, which may hold threads
    (the caller's, a test runner's); a fork server where there is one, spawn on Windows."""
    if sys.platform == "win32":
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    # heeded only when the server starts; one already running keeps its own (its workers then import alone)
    context.set_forkserver_preload(list(WORKER_MODULES))
    return context


def start_early() -> None:
    """Start the fork server now, so that it imports the checking code while this process imports its own
    and scans the inbox: the first pool then starts at once (a re-run after one region resubmits: 0.76 ->
    0.60 s on the pilot inbox). Without a fork server (Windows) there is nothing to start ahead."""
    if sys.platform == "win32":
        return
    pool_context()
    from multiprocessing import forkserver  # the server's own module: only where there is one

    # only a head start: a server that cannot start here (no temporary folder for its socket) is the pool's
    # to report, if a pool is needed at all
    with contextlib.suppress(Exception):
        forkserver.ensure_running()
