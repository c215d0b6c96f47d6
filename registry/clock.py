"""The registry's clock. Days are UTC days: a change effective on D applies from D 00:00 UTC, and "as of D" means the
state at the end of D (UTC). Services take `today`/`now` as parameters; only views, commands and the worker read it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from registry.db import utcnow

LAST_DAY = date.max - timedelta(days=1)
"""The last day whose end can be represented; later dates read as "the end of time"."""


def today() -> date:
    return utcnow().date()


def end_of(day: date) -> datetime:
    """The first instant after `day` (exclusive bound): states valid then are the states "as of" that day."""
    return datetime.combine(min(day, LAST_DAY) + timedelta(days=1), time.min, tzinfo=UTC)
