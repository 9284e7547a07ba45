"""The old name of ``scheduling``, kept only while reviews/demo.py (being moved with the rest
of the seeding code) still imports it from here. Delete it once demo.py imports scheduling."""

from .scheduling import ClosedSpan, closed_days  # noqa: F401
