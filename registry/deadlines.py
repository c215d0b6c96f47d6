"""A client's answer deadline, counted as Romanian law counts terms.

The rule (Romanian Civil Code, art. 2553-2554): a term set in days is counted without its first day, the day of the
event that starts it (here: the day the notice reached the client, i.e. its first accepted SMTP delivery or 2xx
webhook response, not the transaction that announced the change); the term ends at the end (24:00) of its last day;
and a term whose last day is a non-working day (a Saturday, a Sunday or a Romanian public holiday) ends at the end of
the next working day. A notice that arrives on a non-working day is taken as received on the next working day (it
cannot be read at the office before then), which never shortens a term. Days are calendar days in Europe/Bucharest,
whatever the zone of the instant of delivery.

So a notice delivered on Tue 1 Dec 2026 (National Day, a public holiday) with 30 days to answer: it counts as received
on Wed 2 Dec, the term runs from Thu 3 Dec, its 30th day is Fri 1 Jan 2027 (a holiday), then Sat 2 Jan (a holiday)
and Sun 3 Jan: the client may answer until Mon 4 Jan 2027 24:00 Bucharest time.

Kernel module: it imports only the standard library, `holidays`, `babel` and `registry.i18n`.
"""

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from babel.dates import format_time

from registry.i18n import language_of, long_date

ZONE = ZoneInfo("Europe/Bucharest")
"""Where the days of a term are counted."""

_SATURDAY = 5

_TEXT = {  # a deadline in words: its last minute, with the zone
    "en": "{date}, {time} (Bucharest time)",
    "ro": "{date}, ora {time} (ora României)",
}


@lru_cache(maxsize=64)
def _public_holidays(year: int) -> frozenset[date]:
    """Romania's public holidays (non-working days by law, Labour Code art. 139) in one year."""
    return frozenset(holidays.country_holidays("RO", years=year))


def is_working_day(day: date) -> bool:
    """Whether the day is a working day in Romania: Monday to Friday and not a public holiday."""
    return day.weekday() < _SATURDAY and day not in _public_holidays(day.year)


def next_working_day(day: date) -> date:
    """The day itself if it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def answer_deadline(delivered_at: datetime, days: int) -> date:
    """The last day (Bucharest calendar date) on which a client may answer a notice delivered at `delivered_at`.

    A notice delivered on a non-working day counts as received on the next working day; the day it is received does
    not count: the last day is the `days`-th day after it, moved to the next working day if it is not one. The client
    may answer until the end of that day (see `deadline_end`).
    """
    if delivered_at.tzinfo is None or delivered_at.utcoffset() is None:
        raise ValueError("delivered_at must be timezone-aware")
    if days < 1:
        raise ValueError(f"a term has at least one day, not {days}")
    received = next_working_day(delivered_at.astimezone(ZONE).date())
    return next_working_day(received + timedelta(days=days))


def earliest_effective(delivered_at: datetime, days: int) -> date:
    """The first day a change may take effect for a client with `days` of notice told at `delivered_at`: the day
    after its deadline, so that every answer given in time counts when the change takes effect."""
    return answer_deadline(delivered_at, days) + timedelta(days=1)


def deadline_end(deadline: date) -> datetime:
    """The instant a deadline ends: the start of the next day in Bucharest, as an aware UTC datetime.

    Open while `now < deadline_end(deadline)`. Midnight exists every day in Bucharest (clocks change at 03:00 and
    04:00 local), so the instant is never ambiguous.
    """
    next_day = deadline + timedelta(days=1)
    return datetime.combine(next_day, time(0), tzinfo=ZONE).astimezone(UTC)


def is_open(deadline: date, now: datetime) -> bool:
    """Whether a client may still answer at `now` (timezone-aware): before the end of the deadline's day."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    return now < deadline_end(deadline)


END_OF_DAY = "24:00"
"""How the law words a term's end (Civil Code art. 2554: "la ora 24:00 a ultimei zile"), as the DPA's definition of
Days does; no clock time is formatted for it."""


def deadline_text(deadline: date, language: str) -> str:
    """The deadline in the reader's language, with time and zone: "4 January 2027, 24:00 (Bucharest time)"."""
    lang = language_of(language)
    return _TEXT[lang].format(date=long_date(deadline, lang), time=END_OF_DAY)


def moment_text(at: datetime, language: str) -> str:
    """An instant in the reader's language, in Bucharest time as deadlines are: "4 January 2027, 14:05 (Bucharest
    time)"."""
    lang = language_of(language)
    local = at.astimezone(ZONE)
    return _TEXT[lang].format(date=long_date(local.date(), lang), time=format_time(local.time(), "HH:mm", locale=lang))
