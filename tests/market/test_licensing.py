"""The licence rules as data: when grants collide, when a licence ends, what usage earns."""

from datetime import UTC, datetime

import pytest

from market import licensing
from market.licensing import Grant

START, MIDDLE, END = "2027-01-01T00:00:00.000Z", "2027-06-01T00:00:00.000Z", "2028-01-01T00:00:00.000Z"


def grant(usage="commercial", exclusive=False, media=("print",), territory=frozenset({"FR"}), starts=START,
          ends=END):
    return Grant(usage, exclusive, frozenset(media), territory, starts, ends)


@pytest.mark.parametrize("other, collides", [
    (grant(), True),                                              # the same ground
    (grant(exclusive=True), True),                                # two exclusives
    (grant(usage="editorial"), False),                            # another usage
    (grant(usage="exclusive"), True),                             # a buy-out meets every usage
    (grant(media=("web",)), False),                               # other media
    (grant(media=("web", "print")), True),                        # one medium shared
    (grant(territory=frozenset({"US"})), False),                  # another country
    (grant(territory="worldwide"), True),                         # worldwide meets every country
    (grant(starts=END, ends=None), False),                        # starts the moment the other ends
    (grant(starts=MIDDLE, ends=None), True),                      # perpetual, starting inside
    (grant(starts="2026-01-01T00:00:00.000Z", ends=START), False),
])
def test_an_exclusive_grant_collides_with_what_shares_its_ground(other, collides):
    exclusive = grant(exclusive=True)
    assert licensing.collides(exclusive, other) is collides
    assert licensing.collides(other, exclusive) is collides


def test_non_exclusive_grants_never_collide():
    assert not licensing.collides(grant(), grant())
    assert not licensing.collides(grant(usage="personal"), grant(usage="personal", territory="worldwide"))
    assert licensing.collides(grant(usage="exclusive", exclusive=True), grant(usage="personal"))


@pytest.mark.parametrize("start, months, end", [
    ("2027-01-31T10:00:00.000Z", 1, "2027-02-28T10:00:00.000Z"),
    ("2028-01-31T10:00:00.000Z", 1, "2028-02-29T10:00:00.000Z"),
    ("2027-11-15T00:00:00.000Z", 14, "2029-01-15T00:00:00.000Z"),
    ("2027-05-01T00:00:00.000Z", None, None),
])
def test_a_licence_ends_its_duration_later_on_the_same_day(start, months, end):
    assert licensing.ends_at(start, months) == end


def test_the_expiry_warning_falls_thirty_days_ahead():
    assert licensing.warning_from("2030-03-31T09:00:00.000Z") == "2030-03-01T09:00:00.000Z"
    assert licensing.parse_moment("2030-03-31T09:00:00Z") == datetime(2030, 3, 31, 9, tzinfo=UTC)


def test_royalties_on_many_small_reports_equal_one_big_one():
    revenue = [333, 333, 334, 1, 999, 7]
    before, earned = 0, 0
    for amount in revenue:
        earned += licensing.royalty_on(before, amount, 750, 0).earned
        before += amount
    assert earned == sum(revenue) * 750 // 10_000 == licensing.royalty_on(0, sum(revenue), 750, 0).earned


def test_the_advance_is_recouped_before_anything_is_payable():
    first = licensing.royalty_on(0, 100_000, 1000, 15_000)  # earns 10,000 of a 15,000 advance
    assert (first.earned, first.recouped, first.payable) == (10_000, 10_000, 0)
    second = licensing.royalty_on(100_000, 100_000, 1000, 15_000)
    assert (second.earned, second.recouped, second.payable) == (10_000, 5_000, 5_000)
    third = licensing.royalty_on(200_000, 10, 1000, 15_000)
    assert (third.earned, third.recouped, third.payable) == (1, 0, 1)


@pytest.mark.parametrize("text, ok", [("2026-11", True), ("2026-00", False), ("2026-13", False), ("26-11", False),
                                      ("2026/11", False), ("1800-01", False)])
def test_periods_are_months(text, ok):
    assert licensing.is_period(text) is ok
