"""Child processes for DPA work (bulk generation, time-limited trial renders)."""

from __future__ import annotations

import multiprocessing
from multiprocessing.context import ForkServerContext


def process_context() -> ForkServerContext:
    """Children fork from a clean server process that imported the app once: no inherited database connections (as
    with spawn), without paying the imports in every child."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["registry"])
    return context
