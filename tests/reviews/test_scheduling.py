"""Review scheduling rules: closed days, the month grid, and the rota (property-based)."""

from __future__ import annotations

import calendar
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eip_site.reviews.scheduling import (
    TEAM_SIZES,
    ClosedSpan,
    NoRota,
    RotaVisit,
    closed_days,
    make_rota,
    month_weeks,
    rota_problems,
)

from ..helpers import monday


def test_closed_days_name_weekends_and_closures_for_this_school_only():
    half_term = monday(8)  # Monday to Friday, every school
    inset = half_term + timedelta(weeks=2)  # a Monday, school 7 only
    spans = [ClosedSpan("INSET day", inset, inset, 7),
             ClosedSpan("Half term", half_term, half_term + timedelta(days=4), None)]
    friday, saturday = inset - timedelta(days=3), inset - timedelta(days=2)
    tuesday = half_term + timedelta(days=1)
    assert closed_days([friday, saturday, inset, tuesday], spans, 7) == [
        (saturday, "Saturday"), (inset, "INSET day"), (tuesday, "Half term")]
    assert closed_days([inset], spans, 8) == []


def test_month_weeks_start_on_monday():
    first = next(d for d in (monday(w) for w in range(1, 60)) if d.day == 1)
    weeks = month_weeks(first.year, first.month)
    days_in_month = calendar.monthrange(first.year, first.month)[1]
    assert weeks[0][:1] == [first] and len(weeks) == -(-days_in_month // 7)
    assert all(len(w) == 7 for w in weeks)


@settings(max_examples=300, deadline=None)
@given(n=st.integers(3, 30), k=st.integers(1, 29), avoid=st.booleans())
def test_a_rota_is_fair_or_says_why_not(n, k, avoid):
    schools = [100 + i * 7 for i in range(n)]  # ids need not be 0..n-1
    try:
        rota = make_rota(schools, k, avoid_reciprocal=avoid)
    except NoRota as why:
        # Only for a team of other than 3 to 5, or when it is truly impossible: k reviewers
        # from other schools need k <= n-1, and without reciprocal pairs every pair of
        # schools is used at most once: n*k <= n(n-1)/2.
        assert k not in TEAM_SIZES or k > n - 1 or (avoid and k > (n - 1) // 2), str(why)
        assert str(why)
        return
    assert sorted(v.host for v in rota) == sorted(schools)
    assert all(len(v.reviewers) == k for v in rota)
    assert rota_problems(rota, avoid_reciprocal=avoid) == []
    sent = [sum(s in v.reviewers for v in rota) for s in schools]
    assert set(sent) == {k}


def test_rota_problems_are_found_in_a_hand_adjusted_rota():
    visits = [RotaVisit(1, (2,)), RotaVisit(2, (1,)), RotaVisit(3, (3,))]
    problems = rota_problems(visits, avoid_reciprocal=True)
    assert "A school would review itself." in problems
    assert any(p.startswith("A review team has 3 to 5 people") for p in problems)
    assert "Two schools would review each other." in problems


@pytest.mark.parametrize("schools, k, avoid, words", [
    ([1], 3, False, "at least two schools"),
    ([1, 2, 3], 3, False, "at most 2 reviewers"),
    ([1, 2, 3, 4, 5, 6, 7, 8, 9], 5, True, "at most 4 reviewers per review"),
    ([1, 2, 3, 4, 5, 6], 3, True, "without them needs 7 schools: allow reciprocal pairs"),
    ([1, 2, 3, 4, 5, 6], 2, False, "A review team has 3 to 5 people"),
    ([1, 2, 3, 4, 5, 6, 7], 6, False, "A review team has 3 to 5 people"),
])
def test_no_rota_says_why_in_plain_words(schools, k, avoid, words):
    with pytest.raises(NoRota, match=words):
        make_rota(schools, k, avoid_reciprocal=avoid)
