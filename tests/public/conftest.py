"""Fixtures for the public pages; their registry data comes from the `world` fixture and their email goes to `smtp`
(tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask

from registry.notices.worker import Worker


@pytest.fixture
def deliver(app: Flask) -> Callable[[], None]:
    """Run the worker once, as `flask worker --once` does."""

    def run() -> None:
        Worker(app).run(once=True)

    return run
