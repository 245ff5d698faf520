"""The cron schedule parser: robfig/cron's errors, names, steps, descriptors and firing times."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from localnlb.cluster.schema import cron

pytestmark = pytest.mark.timeout(10)


def at(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "empty spec string"),
        ("* * * *", "expected exactly 5 fields, found 4: [* * * *]"),
        ("x * * * *", 'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax'),
        ("* 24 * * *", "end of range (24) above maximum (23): 24"),
        ("* * 0 * *", "beginning of range (0) below minimum (1): 0"),
        ("*/0 * * * *", "step of range should be a positive number: */0"),
        ("1-2-3 * * * *", "too many hyphens: 1-2-3"),
        ("@every-day", "unrecognized descriptor: @every-day"),
    ],
)
def test_parse_errors_carry_robfigs_words(spec: str, message: str) -> None:
    with pytest.raises(cron.ScheduleError) as raised:
        cron.parse(spec)
    assert str(raised.value) == message


def test_every_minute_fires_at_the_next_minute_boundary() -> None:
    schedule = cron.parse("*/1 * * * *")
    assert schedule.next_after(at("2026-01-01T10:00:30")) == at("2026-01-01T10:01:00")
    assert schedule.next_after(at("2026-01-01T10:01:00")) == at("2026-01-01T10:02:00")


def test_names_ranges_steps_and_descriptors() -> None:
    weekdays = cron.parse("30 2 * * MON-fri")  # 2026-01-03 is a Saturday
    assert weekdays.next_after(at("2026-01-03T00:00:00")) == at("2026-01-05T02:30:00")
    quarterly = cron.parse("0 0 1 jan/3 *")
    assert quarterly.next_after(at("2026-02-01T00:00:00")) == at("2026-04-01T00:00:00")
    assert cron.parse("@hourly").next_after(at("2026-01-01T10:59:59")) == at("2026-01-01T11:00:00")


def test_both_day_fields_restricted_match_either() -> None:
    schedule = cron.parse("0 0 13 * 5")  # the 13th, or any Friday
    assert schedule.next_after(at("2026-01-01T01:00:00")) == at("2026-01-02T00:00:00")


def test_a_time_zone_shifts_firing_times_and_missed_times_are_listed() -> None:
    schedule = cron.parse("0 9 * * *")
    tokyo = ZoneInfo("Asia/Tokyo")
    assert schedule.next_after(at("2026-01-01T00:00:00"), tokyo) == at("2026-01-02T00:00:00")
    missed = cron.parse("*/10 * * * *").times_between(
        at("2026-01-01T00:00:00"), at("2026-01-01T00:35:00")
    )
    assert missed == [at(f"2026-01-01T00:{m}:00") for m in ("10", "20", "30")]
    assert cron.parse("0 0 30 2 *").next_after(at("2026-01-01T00:00:00")) is None
