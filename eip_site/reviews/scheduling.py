"""Scheduling rules for peer reviews: closed days, the month grid and the rota. No Flask, no
database: tests call these directly."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class ClosedSpan:
    name: str
    start: date
    end: date
    school_id: int | None  # None: every school


def closed_days(days: list[date], spans: list[ClosedSpan], school_id: int) -> list[tuple[date, str]]:
    """The days among ``days`` on which ``school_id`` is closed, with why (weekends too)."""
    out = []
    for day in days:
        if day.weekday() >= 5:
            out.append((day, day.strftime("%A")))
            continue
        for span in spans:
            if span.start <= day <= span.end and span.school_id in (None, school_id):
                out.append((day, span.name))
                break
    return out


def term_gaps(terms: list[tuple[str, date, date]]) -> list[ClosedSpan]:
    """The holidays between terms (name, first day, last day), partnership-wide. Days before
    the first term or after the last one known are not counted as holidays."""
    ordered = sorted(terms, key=lambda t: t[1])
    return [ClosedSpan(f"Holiday after {name}", end + timedelta(days=1),
                       following[1] - timedelta(days=1), None)
            for (name, _start, end), following in zip(ordered, ordered[1:])
            if following[1] > end + timedelta(days=1)]


# The days a review may spread over: three school days, across a weekend and a bank holiday.
SCHOOL_DAYS_WITHIN = 7


def school_days(first: date, count: int, spans: list[ClosedSpan], school_id: int) -> list[date]:
    """``first`` and the host's next school days after it, ``count`` in all: weekends,
    holidays and the school's closures are skipped. Fewer when the week after ``first``
    has too few (a review is not split across a holiday)."""
    out, day = [first], first
    while len(out) < count and day < first + timedelta(days=SCHOOL_DAYS_WITHIN):
        day += timedelta(days=1)
        if not closed_days([day], spans, school_id):
            out.append(day)
    return out


def runs(days: list[date]) -> list[tuple[date, date]]:
    """Consecutive days as (first, last) runs: Thu, Fri, Mon is (Thu, Fri) and (Mon, Mon)."""
    out: list[tuple[date, date]] = []
    for day in sorted(days):
        if out and day == out[-1][1] + timedelta(days=1):
            out[-1] = (out[-1][0], day)
        else:
            out.append((day, day))
    return out


def dates_text(days: list[date]) -> str:
    """Each day named: "Thu 14 January 2027, Fri 15 January 2027 and Mon 18 January 2027"."""
    names = [fmt_day(d) for d in sorted(days)]
    return " and ".join(filter(None, [", ".join(names[:-1]), names[-1]])) if names else ""


def month_weeks(year: int, month: int) -> list[list[date | None]]:
    """Monday-first weeks of a month, ``None`` outside it (for the month grid table)."""
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        weeks.append([d if d.month == month else None for d in week])
    return weeks


def shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def fmt_day(day: date) -> str:
    return f"{day:%a} {day.day} {day:%B %Y}"


def span_text(start: date, days: int | date) -> str:
    """From ``start`` for ``days`` calendar days, or to the last day ``days``."""
    end = days if isinstance(days, date) else start + timedelta(days=days - 1)
    if end == start:
        return fmt_day(start)
    return f"{fmt_day(start)} to {fmt_day(end)}"


# --- The team and the rota ---------------------------------------------------------------------

# A review team: a lead reviewer and 2 to 4 reviewers, so 3 to 5 people.
MIN_REVIEWERS, MAX_REVIEWERS = 2, 4
TEAM_SIZES = range(MIN_REVIEWERS + 1, MAX_REVIEWERS + 2)
TEAM_RULE = (f"A review team has {TEAM_SIZES[0]} to {TEAM_SIZES[-1]} people: a lead reviewer "
             f"and {MIN_REVIEWERS} to {MAX_REVIEWERS} reviewers.")

class NoRota(Exception):
    """No rota meets the constraints; the message says why in plain words."""


@dataclass(frozen=True)
class RotaVisit:
    host: int                 # school id
    reviewers: tuple[int, ...]  # the schools sending a reviewer, one each


def make_rota(schools: list[int], per_review: int, *, avoid_reciprocal: bool) -> list[RotaVisit]:
    """Every school hosts once; each review takes a team of ``per_review`` people (a lead
    reviewer and the reviewers, ``TEAM_SIZES``), each from a different school that is not the
    host; every school sends exactly ``per_review``, so the load is balanced.

    A cyclic design: school i is reviewed by schools i+1 … i+k (mod n). Each school then
    sends one reviewer to each of i-1 … i-k. A and B review each other exactly when both
    offsets o and n-o are used, which never happens while k <= (n-1)//2.
    """
    n = len(schools)
    if n < 2:
        raise NoRota("A rota needs at least two schools.")
    if len(set(schools)) != n:
        raise NoRota("A school is listed twice.")
    if per_review not in TEAM_SIZES:
        raise NoRota(TEAM_RULE)
    if per_review > n - 1:
        raise NoRota(f"With {n} schools each review can have at most {n - 1} reviewers from "
                     "other schools, one per school.")
    if avoid_reciprocal:
        limit = (n - 1) // 2
        if per_review > limit:
            raise NoRota(
                f"With {n} schools and {per_review} reviewers per review, some pairs of "
                f"schools would review each other. Avoiding that allows at most {limit} "
                f"reviewer{'s' if limit != 1 else ''} per review"
                + (" (two schools can only review each other)." if n == 2 else ".")
                + (" Allow reciprocal pairs, or ask for fewer reviewers." if limit > TEAM_SIZES[0]
                   else f" A team of {TEAM_SIZES[0]} without them needs "
                        f"{2 * TEAM_SIZES[0] + 1} schools: allow reciprocal pairs."))
    offsets = range(1, per_review + 1)
    return [RotaVisit(host=schools[i],
                      reviewers=tuple(schools[(i + o) % n] for o in offsets))
            for i in range(n)]


def rota_problems(visits: list[RotaVisit], *, avoid_reciprocal: bool) -> list[str]:
    """What is wrong with a (possibly hand-adjusted) rota, in words; empty when it is fair."""
    problems = []
    hosts = [v.host for v in visits]
    if len(set(hosts)) != len(hosts):
        problems.append("A school hosts more than once.")
    sent: dict[int, int] = {}
    pairs = set()
    for visit in visits:
        if len(visit.reviewers) not in TEAM_SIZES:
            problems.append(TEAM_RULE)
        if visit.host in visit.reviewers:
            problems.append("A school would review itself.")
        if len(set(visit.reviewers)) != len(visit.reviewers):
            problems.append("A review has two reviewers from the same school.")
        for school in visit.reviewers:
            sent[school] = sent.get(school, 0) + 1
            pairs.add((school, visit.host))
    if avoid_reciprocal and any((b, a) in pairs for a, b in pairs):
        problems.append("Two schools would review each other.")
    if len(set(sent.values())) > 1:
        problems.append("Some schools send more reviewers than others.")
    return list(dict.fromkeys(problems))
