"""The review pages, by page: the reviews themselves, calendars, and planning a round."""

from . import answer, calendars, planning, reviews  # noqa: F401  (each adds its routes to the blueprint)
