"""Every rule and write for peer reviews, by what it does: ``booking`` (the days held, under
unique keys), ``lifecycle`` (a review from booking to close), ``notices`` (who is told),
``availability``, ``school_calendar`` and ``rota``. The names the review pages call are
here too."""

from .availability import feed_token, set_unavailable
from .booking import closed_warning
from .lifecycle import book_workshop, cancel, create_review, record_findings, reschedule, \
    set_focus, set_team, transition
from .rota import accept_rota
from .school_calendar import add_closure, add_term, remove_calendar_row

__all__ = ["accept_rota", "add_closure", "add_term", "book_workshop", "cancel",
           "closed_warning", "create_review", "feed_token", "record_findings",
           "remove_calendar_row", "reschedule", "set_focus", "set_team", "set_unavailable",
           "transition"]
