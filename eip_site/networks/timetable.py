"""Agenda timings, a pure function: each item's start from the meeting start and durations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Slot:
    starts: datetime
    ends: datetime
    overruns: bool  # ends after the meeting is due to end


@dataclass(frozen=True)
class Timetable:
    slots: list[Slot]
    ends: datetime        # when the agenda, run to time, would finish
    overrun_minutes: int  # how far past the meeting's end (0 when it fits)

    @property
    def overruns(self) -> bool:
        return self.overrun_minutes > 0


def timetable(starts: datetime, ends: datetime, durations: list[int]) -> Timetable:
    """Items run back to back from ``starts``; any that finish after ``ends`` overrun."""
    slots, clock = [], starts
    for minutes in durations:
        finish = clock + timedelta(minutes=max(0, minutes))
        slots.append(Slot(clock, finish, finish > ends))
        clock = finish
    over = max(0, int((clock - ends).total_seconds() // 60))
    return Timetable(slots, clock, over)
