"""EIP_TEST_CLOCK=YYYY-MM-DD runs the suite on that day: eip_site.clock, where the app reads the
time, answers that date at the real time of day in London (YYYY-MM-DDTHH:MM: at that time),
and runs on from there. Tests take their dates from clock.today(), so the suite must pass
on any day; .ci/run tries a Saturday, a school holiday and the last week of July.

A command the tests start (a mail worker) runs on the same clock: ``flask_command``."""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime

from eip_site import clock


def _moved_by(value: str | None):
    """How far the clock is moved: the moment asked for (London time) less the real one."""
    if not value:
        return None
    real = datetime.now(clock.LONDON)
    moved = datetime.fromisoformat(value)
    at = moved.time() if "T" in value else real.time()
    # In UTC: between two times in one zone, Python would ignore a change of summer time.
    return (datetime.combine(moved.date(), at, clock.LONDON).astimezone(UTC)
            - real.astimezone(UTC))


MOVED_BY = _moved_by(os.environ.get("EIP_TEST_CLOCK"))


class _MovedDatetime(datetime):
    @classmethod
    def now(cls, tz=None):
        return datetime.now(tz) + MOVED_BY


def move_clock() -> None:
    """Move eip_site.clock as EIP_TEST_CLOCK asks (nothing when it is not set)."""
    if MOVED_BY is not None:
        clock.datetime = _MovedDatetime  # clock.utcnow() reads datetime.now(timezone.utc)
        wanted = datetime.fromisoformat(os.environ["EIP_TEST_CLOCK"]).date()
        assert clock.today() == wanted, "eip_site.clock no longer reads datetime.now"


def flask_command(*args: str) -> list[str]:
    """`flask --app wsgi ARGS` as a new process on the suite's clock (it inherits
    EIP_TEST_CLOCK): otherwise mail queued on a moved day would not be due to it yet."""
    program = ("import sys; from tests.moved_clock import move_clock; move_clock(); "
               "from flask.cli import main; sys.argv[0] = 'flask'; main()")
    return [sys.executable, "-c", program, "--app", "wsgi", *args]
