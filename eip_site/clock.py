"""Time in one place: naive UTC in the database (SQLite keeps no zone), Europe/London on screen."""

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def to_london(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=timezone.utc).astimezone(LONDON)


def today() -> date:
    """Today in England, which is what "by when" and "this term" mean to the people using it."""
    return to_london(utcnow()).date()
