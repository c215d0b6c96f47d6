"""Fixtures for the feed tests: a registry with services, sub-processors, clients and changes, built through the API
(and the changes service for taking effect, which the worker does in production)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from registry.feeds import services as feeds
from tests.world import World


@pytest.fixture
def world(client: FlaskClient, headers: Callable[..., dict[str, str]]) -> World:
    feeds.cache().clear()
    return World(client, headers)
