"""A client's answer deadline as Romanian law counts terms (Civil Code art. 2553-2554): a notice arriving on a
non-working day counts as received on the next working day, the day of receipt does not count, the term ends at the
end of its last day in Bucharest, and a last day that is a Saturday, a Sunday or a public holiday moves to the next
working day.

The expected dates below were worked out by hand, not taken from the `holidays` library: Romania's public holidays
(Labour Code art. 139) are 1-2 Jan, 6-7 Jan (since 2024), 24 Jan, Orthodox Good Friday, Easter Sunday and Monday,
1 May, 1 June, Orthodox Pentecost Sunday and Monday, 15 Aug, 30 Nov, 1 Dec, 25-26 Dec. Orthodox Easter: 12 Apr 2026,
2 May 2027, 16 Apr 2028; Pentecost 49 days later: 31 May 2026, 20 Jun 2027, 4 Jun 2028.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from registry.deadlines import (
    ZONE,
    answer_deadline,
    deadline_end,
    deadline_text,
    is_open,
    is_working_day,
    next_working_day,
)


def local(year: int, month: int, day: int, hour: int, minute: int, second: int = 0, *, fold: int = 0) -> datetime:
    """An instant given as a Bucharest wall-clock time."""
    return datetime(year, month, day, hour, minute, second, tzinfo=ZONE, fold=fold)


def utc(year: int, month: int, day: int, hour: int, minute: int, second: int = 0, microsecond: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, microsecond, tzinfo=UTC)


CASES = [
    # (delivered at, days, last day to answer): why
    # The issue's example: Tue 1 Dec 2026 is National Day, so the notice counts as received on Wed 2 Dec; the term
    # runs 3 Dec..1 Jan; Fri 1 Jan 2027 and Sat 2 Jan are holidays, Sun 3 Jan: Mon 4 Jan, whatever the hour on 1 Dec.
    (local(2026, 12, 1, 0, 0), 30, date(2027, 1, 4)),  # first instant of 1 Dec
    (local(2026, 12, 1, 9, 15), 30, date(2027, 1, 4)),  # mid-morning
    (local(2026, 12, 1, 23, 59, 59), 30, date(2027, 1, 4)),  # last second of 1 Dec
    (local(2026, 11, 27, 10, 0), 30, date(2026, 12, 28)),  # a working Friday: day 30 is Sun 27 Dec: Mon 28 Dec
    # One day later, the 30th day is Fri 1 Jan 2027 (holiday), then Sat 2 Jan (holiday), Sun 3 Jan: Mon 4 Jan.
    (local(2026, 12, 2, 10, 0), 30, date(2027, 1, 4)),
    # Month ends and leap years
    (local(2027, 1, 29, 10, 0), 30, date(2027, 3, 1)),  # Fri 29 Jan, 28-day Feb 2027: day 30 is Sun 28 Feb: Mon 1 Mar
    (local(2027, 1, 31, 10, 0), 1, date(2027, 2, 2)),  # Sun 31 Jan: received Mon 1 Feb, + 1 = Tue 2 Feb
    (local(2026, 4, 30, 10, 0), 30, date(2026, 6, 2)),  # Sat 30 May, Pentecost Sun 31 May, Mon 1 Jun (Children's Day
    # and Whit Monday): Tue 2 Jun
    (local(2028, 1, 28, 10, 0), 32, date(2028, 2, 29)),  # Fri 28 Jan + 32: the leap day itself (a Tuesday)
    (local(2028, 1, 30, 10, 0), 30, date(2028, 3, 1)),  # Sun 30 Jan: received Mon 31 Jan, day 30 is Wed 1 Mar
    (local(2028, 2, 15, 10, 0), 30, date(2028, 3, 16)),  # 29 Feb inside the term: Thu 16 Mar (17 Mar without it)
    # Weekends
    (local(2027, 3, 5, 10, 0), 1, date(2027, 3, 8)),  # Sat 6 Mar -> Mon 8 Mar
    (local(2027, 3, 5, 10, 0), 2, date(2027, 3, 8)),  # Sun 7 Mar -> Mon 8 Mar
    (local(2027, 3, 1, 10, 0), 10, date(2027, 3, 11)),  # a plain Thursday stays
    # New Year and Epiphany
    (local(2024, 12, 2, 10, 0), 30, date(2025, 1, 3)),  # Wed 1 Jan 2025 holiday, Thu 2 Jan holiday: Fri 3 Jan
    (local(2024, 12, 3, 10, 0), 30, date(2025, 1, 3)),  # Thu 2 Jan 2025 holiday: Fri 3 Jan
    (local(2025, 12, 2, 10, 0), 30, date(2026, 1, 5)),  # Thu 1 Jan 2026, Fri 2 Jan, weekend: Mon 5 Jan
    (local(2025, 12, 27, 10, 0), 10, date(2026, 1, 8)),  # Tue 6 Jan 2026 Epiphany, Wed 7 Jan St John: Thu 8 Jan
    (local(2026, 12, 28, 10, 0), 10, date(2027, 1, 8)),  # Thu 7 Jan 2027 St John: Fri 8 Jan
    # Unification Day, Labour Day, Children's Day, Dormition
    (local(2028, 1, 14, 10, 0), 10, date(2028, 1, 25)),  # Mon 24 Jan 2028: Tue 25 Jan
    (local(2028, 3, 31, 10, 0), 31, date(2028, 5, 2)),  # Fri 31 Mar + 31: Mon 1 May 2028: Tue 2 May
    (local(2028, 4, 1, 10, 0), 30, date(2028, 5, 3)),  # Sat 1 Apr: received Mon 3 Apr, + 30 = Wed 3 May
    (local(2026, 4, 1, 10, 0), 30, date(2026, 5, 4)),  # Fri 1 May 2026 then a weekend: Mon 4 May
    (local(2027, 5, 4, 10, 0), 28, date(2027, 6, 2)),  # Tue 4 May + 28: Tue 1 Jun 2027 Children's Day: Wed 2 Jun
    (local(2027, 5, 2, 10, 0), 30, date(2027, 6, 3)),  # on Easter Sunday: received Tue 4 May, + 30 = Thu 3 Jun
    (local(2028, 7, 16, 10, 0), 30, date(2028, 8, 16)),  # Tue 15 Aug 2028: Wed 16 Aug
    # St Andrew, National Day, Christmas
    (local(2026, 10, 31, 10, 0), 30, date(2026, 12, 2)),  # Mon 30 Nov 2026, Tue 1 Dec: Wed 2 Dec
    (local(2028, 11, 1, 10, 0), 30, date(2028, 12, 4)),  # Fri 1 Dec 2028 then a weekend: Mon 4 Dec
    (local(2028, 11, 25, 10, 0), 30, date(2028, 12, 27)),  # Mon 25 Dec 2028, Tue 26 Dec: Wed 27 Dec
    (local(2026, 11, 25, 10, 0), 30, date(2026, 12, 28)),  # Fri 25 Dec 2026, Sat 26 Dec, Sun: Mon 28 Dec
    (local(2026, 12, 25, 10, 0), 3, date(2026, 12, 31)),  # delivered on Christmas: received Mon 28 Dec, + 3 = Thu 31
    # Orthodox Easter and Pentecost
    (local(2027, 4, 20, 10, 0), 10, date(2027, 5, 4)),  # Good Fri 30 Apr 2027, Sat 1 May, Easter 2 May, Mon 3 May
    (local(2027, 4, 30, 10, 0), 1, date(2027, 5, 5)),  # on Good Friday 2027: received Tue 4 May, + 1 = Wed 5 May
    (local(2027, 4, 23, 10, 0), 10, date(2027, 5, 4)),  # Easter Monday 3 May 2027: Tue 4 May
    (local(2028, 3, 15, 10, 0), 30, date(2028, 4, 18)),  # Good Fri 14 Apr 2028, Sat, Easter 16 Apr, Mon 17 Apr
    (local(2028, 4, 7, 10, 0), 10, date(2028, 4, 18)),  # Easter Monday 17 Apr 2028: Tue 18 Apr
    (local(2027, 6, 11, 10, 0), 10, date(2027, 6, 22)),  # Whit Monday 21 Jun 2027: Tue 22 Jun
    (local(2028, 5, 26, 10, 0), 10, date(2028, 6, 6)),  # Whit Monday 5 Jun 2028: Tue 6 Jun
    (local(2028, 5, 25, 10, 0), 10, date(2028, 6, 6)),  # Pentecost Sunday 4 Jun 2028, Whit Monday: Tue 6 Jun
    # The calendar day is Bucharest's, not UTC's
    (utc(2026, 12, 30, 22, 30), 5, date(2027, 1, 5)),  # = Thu 31 Dec 00:30 EET, + 5 = Tue 5 Jan (from the UTC day,
    # Wed 30 Dec, it would be Mon 4 Jan)
    (utc(2026, 12, 31, 22, 30), 5, date(2027, 1, 11)),  # = 1 Jan 2027 00:30 EET, a holiday: received Mon 4 Jan, + 5 =
    # Sat 9 Jan: Mon 11 Jan (from the UTC day, a working 31 Dec, it would be Tue 5 Jan)
    (utc(2027, 3, 1, 21, 59, 59), 1, date(2027, 3, 2)),  # = 1 Mar 23:59:59 EET: Tue 2 Mar
    (utc(2027, 3, 1, 22, 0), 1, date(2027, 3, 3)),  # = 2 Mar 00:00 EET: Wed 3 Mar
    (datetime(2027, 3, 2, 8, 0, tzinfo=timezone(timedelta(hours=-5))), 1, date(2027, 3, 3)),  # 15:00 EET, 2 Mar
    # DST: the last Sundays of March and October 2027 (28 Mar, 31 Oct)
    (local(2027, 3, 28, 0, 30), 2, date(2027, 3, 31)),  # Sun 00:30 EET = 27 Mar 22:30 UTC: received Mon 29, Wed 31
    (local(2027, 3, 28, 23, 30), 2, date(2027, 3, 31)),  # 23:30 EEST, after the change: still Sun 28 Mar
    (local(2027, 3, 26, 23, 30), 2, date(2027, 3, 29)),  # Fri 23:30 EET = 21:30 UTC: + 2 = Sun 28: Mon 29 Mar
    (local(2027, 10, 31, 0, 30), 30, date(2027, 12, 2)),  # 00:30 EEST = 30 Oct 21:30 UTC; Tue 30 Nov, Wed 1 Dec: Thu
    # 2 Dec (UTC day 30 Oct would give Mon 29 Nov)
    (local(2027, 10, 31, 3, 30, fold=1), 30, date(2027, 12, 2)),  # the repeated hour, second time (EET)
    # Long terms
    (local(2027, 1, 4, 10, 0), 90, date(2027, 4, 5)),  # Sun 4 Apr 2027 -> Mon 5 Apr (Easter 2027 is in May)
    (local(2026, 12, 1, 10, 0), 180, date(2027, 5, 31)),  # received Wed 2 Dec, + 180 = Mon 31 May 2027
    (local(2027, 11, 30, 10, 0), 180, date(2028, 5, 30)),  # on St Andrew (Tue) 2027, then Wed 1 Dec (National Day):
    # received Thu 2 Dec; through 29 Feb 2028, + 180 = Tue 30 May 2028
]


@pytest.mark.parametrize(("delivered_at", "days", "expected"), CASES)
def test_answer_deadline(delivered_at: datetime, days: int, expected: date) -> None:
    assert answer_deadline(delivered_at, days) == expected


def test_the_table_is_large_and_every_answer_is_a_working_day() -> None:
    assert len(CASES) >= 30
    assert all(expected.weekday() < 5 for _, _, expected in CASES)


def test_the_issues_example_a_notice_on_national_day() -> None:
    """Tue 1 Dec 2026 is a public holiday: the notice counts from Wed 2 Dec; day 30 is Fri 1 Jan 2027 (a holiday),
    then Sat 2 Jan (a holiday) and Sun 3 Jan: the lawful deadline is Mon 4 Jan 2027, not the 31 Dec the product gave."""
    assert not is_working_day(date(2026, 12, 1))
    assert answer_deadline(local(2026, 12, 1, 12, 0), 30) == date(2027, 1, 4)
    assert answer_deadline(local(2026, 12, 2, 12, 0), 30) == date(2027, 1, 4)  # received on 2 Dec either way


@pytest.mark.parametrize("delivered_at", [datetime(2026, 12, 1, 10, 0), datetime(2026, 12, 1)])
def test_a_naive_delivery_time_is_refused(delivered_at: datetime) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        answer_deadline(delivered_at, 30)


@pytest.mark.parametrize("days", [0, -1, -30])
def test_a_term_has_at_least_one_day(days: int) -> None:
    with pytest.raises(ValueError, match="at least one day"):
        answer_deadline(local(2026, 12, 1, 10, 0), days)


@pytest.mark.parametrize(
    ("deadline", "end"),
    [
        (date(2027, 3, 27), utc(2027, 3, 27, 22, 0)),  # Sat: ends Sun 28 Mar 00:00 EET (+02:00)
        (date(2027, 3, 28), utc(2027, 3, 28, 21, 0)),  # DST starts 28 Mar 03:00: ends 29 Mar 00:00 EEST (+03:00)
        (date(2027, 7, 15), utc(2027, 7, 15, 21, 0)),  # summer: +03:00
        (date(2027, 10, 30), utc(2027, 10, 30, 21, 0)),  # ends 31 Oct 00:00 EEST, before the change at 04:00
        (date(2027, 10, 31), utc(2027, 10, 31, 22, 0)),  # DST ended on 31 Oct: ends 1 Nov 00:00 EET (+02:00)
        (date(2026, 12, 31), utc(2026, 12, 31, 22, 0)),  # year end: 1 Jan 2027 00:00 EET
        (date(2028, 2, 29), utc(2028, 2, 29, 22, 0)),  # leap day: 1 Mar 00:00 EET
    ],
)
def test_deadline_end_is_the_next_bucharest_midnight_in_utc(deadline: date, end: datetime) -> None:
    result = deadline_end(deadline)
    assert result == end
    assert result.utcoffset() == timedelta(0)
    assert result.astimezone(ZONE).replace(tzinfo=None) == datetime.combine(
        deadline + timedelta(days=1), datetime.min.time()
    )


@pytest.mark.parametrize(
    ("deadline", "now", "expected"),
    [
        (date(2026, 12, 31), utc(2026, 12, 31, 21, 59, 59), True),  # 23:59:59 EET, the last second
        (date(2026, 12, 31), utc(2026, 12, 31, 21, 59, 59, 999999), True),
        (date(2026, 12, 31), utc(2026, 12, 31, 22, 0, 0), False),  # 00:00:00 EET on 1 Jan: closed
        (date(2026, 12, 31), utc(2026, 12, 31, 22, 0, 1), False),  # the first second after
        (date(2026, 12, 31), local(2026, 12, 31, 23, 59, 59), True),  # the same, as Bucharest times
        (date(2026, 12, 31), local(2027, 1, 1, 0, 0, 0), False),
        (date(2026, 12, 31), utc(2026, 12, 31, 23, 0), False),  # still 31 Dec in UTC, already 1 Jan in Bucharest
        (date(2027, 3, 28), utc(2027, 3, 28, 20, 59, 59), True),  # DST day: 23:59:59 EEST
        (date(2027, 3, 28), utc(2027, 3, 28, 21, 0, 0), False),
        (date(2027, 10, 31), utc(2027, 10, 31, 21, 59, 59), True),  # 23:59:59 EET
        (date(2027, 10, 31), utc(2027, 10, 31, 22, 0, 0), False),
        (date(2026, 12, 31), utc(2026, 12, 1, 9, 0), True),  # long before
    ],
)
def test_is_open(deadline: date, now: datetime, expected: bool) -> None:
    assert is_open(deadline, now) is expected


def test_is_open_refuses_a_naive_now() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        is_open(date(2026, 12, 31), datetime(2026, 12, 31, 12, 0))


HOLIDAYS_2026_2028 = [
    date(2026, 1, 1),  # New Year
    date(2026, 1, 2),
    date(2026, 1, 6),  # Epiphany (Tue)
    date(2026, 1, 7),  # St John the Baptist (Wed)
    date(2026, 4, 10),  # Orthodox Good Friday
    date(2026, 4, 13),  # Orthodox Easter Monday
    date(2026, 5, 1),  # Labour Day (Fri)
    date(2026, 6, 1),  # Children's Day and Whit Monday
    date(2026, 11, 30),  # St Andrew (Mon)
    date(2026, 12, 1),  # National Day (Tue)
    date(2026, 12, 25),  # Christmas (Fri)
    date(2027, 1, 1),  # Fri
    date(2027, 1, 6),  # Wed
    date(2027, 1, 7),  # Thu
    date(2027, 4, 30),  # Orthodox Good Friday
    date(2027, 5, 3),  # Orthodox Easter Monday
    date(2027, 6, 1),  # Children's Day (Tue)
    date(2027, 6, 21),  # Whit Monday
    date(2027, 11, 30),  # Tue
    date(2027, 12, 1),  # Wed
    date(2028, 1, 24),  # Unification Day (Mon)
    date(2028, 4, 14),  # Orthodox Good Friday
    date(2028, 4, 17),  # Orthodox Easter Monday
    date(2028, 5, 1),  # Mon
    date(2028, 6, 5),  # Whit Monday
    date(2028, 8, 15),  # Dormition (Tue)
    date(2028, 12, 26),  # second day of Christmas (Tue)
]
WEEKENDS = [date(2027, 3, 6), date(2027, 3, 7), date(2026, 12, 26), date(2027, 5, 2), date(2028, 6, 4)]
WORKING_DAYS = [
    date(2026, 12, 31),  # New Year's Eve is not a public holiday
    date(2025, 1, 3),
    date(2026, 1, 5),
    date(2027, 1, 8),
    date(2027, 3, 8),  # Women's Day is not a public holiday
    date(2026, 4, 3),  # Western Good Friday 2026: an ordinary day
    date(2026, 4, 6),  # Western Easter Monday 2026
    date(2027, 3, 29),  # Western Easter Monday 2027
    date(2027, 5, 4),
    date(2028, 2, 29),
]


@pytest.mark.parametrize("day", HOLIDAYS_2026_2028 + WEEKENDS)
def test_holidays_and_weekends_are_not_working_days(day: date) -> None:
    assert not is_working_day(day)


@pytest.mark.parametrize("day", WORKING_DAYS)
def test_working_days(day: date) -> None:
    assert is_working_day(day)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 12, 31), date(2026, 12, 31)),  # a working day is its own next working day
        (date(2027, 1, 1), date(2027, 1, 4)),  # Fri holiday, Sat holiday, Sun
        (date(2027, 4, 30), date(2027, 5, 4)),  # Good Friday .. Easter Monday
        (date(2026, 12, 25), date(2026, 12, 28)),
        (date(2026, 5, 30), date(2026, 6, 2)),  # Sat, Pentecost Sun, Mon 1 Jun
        (date(2028, 12, 30), date(2029, 1, 3)),  # Sat, Sun, then 1-2 Jan 2029 (Mon, Tue): across the year end
    ],
)
def test_next_working_day(day: date, expected: date) -> None:
    assert next_working_day(day) == expected


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "4 January 2027, 24:00 (Bucharest time)"),
        ("ro", "4 ianuarie 2027, ora 24:00 (ora României)"),
        ("ro-RO", "4 ianuarie 2027, ora 24:00 (ora României)"),
        ("EN_gb", "4 January 2027, 24:00 (Bucharest time)"),
        ("de", "4 January 2027, 24:00 (Bucharest time)"),  # unknown: English
        ("", "4 January 2027, 24:00 (Bucharest time)"),
    ],
)
def test_deadline_text(language: str, text: str) -> None:
    assert deadline_text(date(2027, 1, 4), language) == text


def test_deadline_text_of_the_issues_example() -> None:
    deadline = answer_deadline(local(2026, 12, 1, 12, 0), 30)
    assert deadline_text(deadline, "ro") == "4 ianuarie 2027, ora 24:00 (ora României)"
    assert deadline_text(deadline, "en") == "4 January 2027, 24:00 (Bucharest time)"
