"""CronJob schedules: the standard five-field cron format as kube-apiserver and
kube-controller-manager read it (robfig/cron v3's ``ParseStandard``), and the times it fires.

Parse errors carry robfig's own words, because kube-apiserver puts them verbatim into
``spec.schedule: Invalid value: "...": <error>``. Fields are minute, hour, day of month, month
(1-12 or jan-dec), day of week (0-6 or sun-sat); each a list of ``*``, ``N``, ``N-M``, with an
optional ``/step``; descriptors ``@yearly`` … ``@hourly``. As in cron, when both day fields are
restricted a day matches either of them. Pure: times are passed in, never read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
# (minimum, maximum, names) of minute, hour, day of month, month, day of week.
_BOUNDS: tuple[tuple[int, int, dict[str, int]], ...] = (
    (0, 59, {}),
    (0, 23, {}),
    (1, 31, {}),
    (1, 12, {name: index + 1 for index, name in enumerate(_MONTHS)}),
    (0, 6, {name: index for index, name in enumerate(_DAYS)}),
)
_DESCRIPTORS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
_INTEGER = re.compile(r"[+-]?[0-9]+")  # what Go's strconv.Atoi takes
# robfig gives up after five years without a match (e.g. "0 0 30 2 *").
_SEARCH_DAYS = 366 * 5


class ScheduleError(ValueError):
    """An unparseable schedule; ``str()`` is robfig/cron's message."""


@dataclass(frozen=True, slots=True)
class Schedule:
    minutes: frozenset[int]
    hours: frozenset[int]
    days_of_month: frozenset[int]
    months: frozenset[int]
    days_of_week: frozenset[int]
    any_day_of_month: bool  # the field was "*" (or "?"): only the other day field restricts
    any_day_of_week: bool

    def _day_matches(self, day: datetime) -> bool:
        dom = day.day in self.days_of_month
        dow = (day.weekday() + 1) % 7 in self.days_of_week
        if self.any_day_of_month or self.any_day_of_week:
            return dom and dow
        return dom or dow

    def next_after(self, after: float, zone: tzinfo = UTC) -> float | None:
        """The first firing time strictly after ``after`` (epoch seconds), or None."""
        start = datetime.fromtimestamp(after, zone).replace(second=0, microsecond=0)
        start += timedelta(minutes=1)
        day = start.replace(hour=0, minute=0)
        for offset in range(_SEARCH_DAYS):
            candidate_day = (day + timedelta(days=offset)).replace(tzinfo=zone)
            if candidate_day.month not in self.months or not self._day_matches(candidate_day):
                continue
            for hour in sorted(self.hours):
                for minute in sorted(self.minutes):
                    moment = candidate_day.replace(hour=hour, minute=minute)
                    if moment >= start:
                        return moment.timestamp()
        return None

    def times_between(self, earliest: float, now: float, zone: tzinfo = UTC) -> list[float]:
        """Firing times in (earliest, now], oldest first (at most the last 101)."""
        found: list[float] = []
        moment = self.next_after(earliest, zone)
        while moment is not None and moment <= now:
            found.append(moment)
            found = found[-101:]
            moment = self.next_after(moment, zone)
        return found


def _parse_int(text: str) -> int:
    if not _INTEGER.fullmatch(text):
        raise ScheduleError(
            f'failed to parse int from {text}: strconv.Atoi: parsing "{text}": invalid syntax'
        )
    number = int(text)
    if number < 0:
        raise ScheduleError(f"negative number ({number}) not allowed: {text}")
    return number


def _int_or_name(text: str, names: dict[str, int]) -> int:
    return names[text.lower()] if text.lower() in names else _parse_int(text)


def _range(expression: str, bounds: tuple[int, int, dict[str, int]]) -> tuple[set[int], bool]:
    low, high, names = bounds
    range_and_step = expression.split("/")
    low_and_high = range_and_step[0].split("-")
    star = False
    if low_and_high[0] in ("*", "?"):
        start, end, star = low, high, True
    else:
        start = _int_or_name(low_and_high[0], names)
        if len(low_and_high) == 1:
            end = start
        elif len(low_and_high) == 2:
            end = _int_or_name(low_and_high[1], names)
        else:
            raise ScheduleError(f"too many hyphens: {expression}")
    step = 1
    if len(range_and_step) == 2:
        step = _parse_int(range_and_step[1])
        if len(low_and_high) == 1:
            end = high  # "N/step" means "N-max/step"
        if step > 1:
            star = False
    elif len(range_and_step) > 2:
        raise ScheduleError(f"too many slashes: {expression}")
    if start < low:
        raise ScheduleError(f"beginning of range ({start}) below minimum ({low}): {expression}")
    if end > high:
        raise ScheduleError(f"end of range ({end}) above maximum ({high}): {expression}")
    if start > end:
        raise ScheduleError(
            f"beginning of range ({start}) beyond end of range ({end}): {expression}"
        )
    if step == 0:
        raise ScheduleError(f"step of range should be a positive number: {expression}")
    return set(range(start, end + 1, step)), star


def _field(text: str, bounds: tuple[int, int, dict[str, int]]) -> tuple[frozenset[int], bool]:
    values: set[int] = set()
    star = False
    for expression in text.split(","):
        found, expression_star = _range(expression, bounds)
        values |= found
        star = star or expression_star
    return frozenset(values), star


def parse(spec: str) -> Schedule:
    """A schedule from its text, or :class:`ScheduleError` with robfig/cron's message."""
    if not spec:
        raise ScheduleError("empty spec string")
    if spec.startswith("@"):
        if spec not in _DESCRIPTORS:
            raise ScheduleError(f"unrecognized descriptor: {spec}")
        spec = _DESCRIPTORS[spec]
    fields = spec.split()
    if len(fields) != 5:
        raise ScheduleError(f"expected exactly 5 fields, found {len(fields)}: [{' '.join(fields)}]")
    parsed = [_field(text, bounds) for text, bounds in zip(fields, _BOUNDS, strict=True)]
    return Schedule(
        minutes=parsed[0][0],
        hours=parsed[1][0],
        days_of_month=parsed[2][0],
        months=parsed[3][0],
        days_of_week=parsed[4][0],
        any_day_of_month=parsed[2][1],
        any_day_of_week=parsed[4][1],
    )
