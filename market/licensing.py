"""Licence terms as data: what a term names, when two grants collide, when a licence ends, and
the royalties a licensee's reported revenue earns. Pure functions; store.licenses keeps the rows.

Exclusivity. An exclusive licence grants its usage, media and territory for its dates to one
licensee alone, so it collides with any other live grant (exclusive or not) on the same work
that shares the usage, any medium and any country, and overlaps in time; a non-exclusive grant
collides with a live exclusive one the same way. The usage "exclusive" is every usage at once
(a buy-out), so it shares a usage with everything.

Royalties. A royalty licence earns royalty_bps / 10,000 of the revenue reported. Earnings are
computed on the running total of revenue (floor), and each report's share is the difference,
so many small reports earn exactly what one big one would. The advance, paid at grant, is
recouped first: nothing is payable until the earnings pass it.
"""

import calendar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

USAGES = ("personal", "editorial", "commercial", "merchandise", "exclusive")
MEDIA = ("print", "web", "broadcast")
WORLDWIDE = "worldwide"
BASIS_POINTS = 10_000
# Days before an expiry that the licensee and the licensor are told it is coming.
EXPIRY_WARNING_DAYS = 30


@dataclass(frozen=True)
class Grant:
    """What the exclusivity rule compares: a licence's usage, media, territory and dates (ISO
    8601 UTC strings; ends_at None for perpetual)."""
    usage: str
    exclusive: bool
    media: frozenset
    territory: str | frozenset
    starts_at: str
    ends_at: str | None


def usages_meet(first: str, second: str) -> bool:
    return first == second or "exclusive" in (first, second)


def territories_meet(first: str | frozenset, second: str | frozenset) -> bool:
    if first == WORLDWIDE or second == WORLDWIDE:
        return True
    return bool(set(first) & set(second))


def dates_meet(first: Grant, second: Grant) -> bool:
    first_before = first.ends_at is not None and first.ends_at <= second.starts_at
    second_before = second.ends_at is not None and second.ends_at <= first.starts_at
    return not (first_before or second_before)


def collides(wanted: Grant, granted: Grant) -> bool:
    """Whether `wanted` cannot be granted beside `granted` (see the module's note)."""
    if not (wanted.exclusive or granted.exclusive):
        return False
    return (usages_meet(wanted.usage, granted.usage) and bool(wanted.media & granted.media)
            and territories_meet(wanted.territory, granted.territory) and dates_meet(wanted, granted))


def add_months(moment: datetime, months: int) -> datetime:
    """The same day and time `months` later (the month's last day where it has fewer days)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def parse_moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def ends_at(starts_at: str, duration_months: int | None) -> str | None:
    return None if duration_months is None else iso(add_months(parse_moment(starts_at), duration_months))


def warning_from(ends_at_text: str) -> str:
    """When the expiry warning falls due."""
    return iso(parse_moment(ends_at_text) - timedelta(days=EXPIRY_WARNING_DAYS))


@dataclass(frozen=True)
class Royalty:
    earned: int
    recouped: int
    payable: int


def royalty_on(revenue_before: int, revenue: int, royalty_bps: int, advance: int) -> Royalty:
    """What a report of `revenue` earns after `revenue_before` was reported in earlier reports."""
    earned_before = revenue_before * royalty_bps // BASIS_POINTS
    earned_after = (revenue_before + revenue) * royalty_bps // BASIS_POINTS
    earned = earned_after - earned_before
    unrecouped = max(0, advance - earned_before)
    recouped = min(earned, unrecouped)
    return Royalty(earned=earned, recouped=recouped, payable=earned - recouped)


def is_period(text: str) -> bool:
    """A reporting period: YYYY-MM."""
    if len(text) != 7 or text[4] != "-" or not (text[:4].isdigit() and text[5:].isdigit()):
        return False
    return 1 <= int(text[5:]) <= 12 and int(text[:4]) >= 1900
