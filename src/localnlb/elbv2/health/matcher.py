"""``Matcher.HttpCode``: which HTTP status codes count as a passed HTTP/HTTPS health check.

AWS accepts a single code (``"200"``), a list (``"200,202"``) or a range (``"200-399"``), all
within 200–599; the API validates the text when it is stored. The checker parses it once per
settings change and never trusts it blindly: text it cannot read matches nothing, so a target
can never be reported healthy on a matcher nobody understood.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_HTTP_CODES = "200-399"


@dataclass(frozen=True, slots=True)
class HttpCodeMatcher:
    ranges: tuple[tuple[int, int], ...]

    @classmethod
    def parse(cls, text: str | None) -> HttpCodeMatcher:
        ranges = []
        for item in (text or DEFAULT_HTTP_CODES).split(","):
            low, dash, high = item.strip().partition("-")
            try:
                first, last = int(low), int(high if dash else low)
            except ValueError:
                return cls(())
            if not 100 <= first <= last <= 599:
                return cls(())
            ranges.append((first, last))
        return cls(tuple(ranges))

    def matches(self, status: int) -> bool:
        return any(first <= status <= last for first, last in self.ranges)
