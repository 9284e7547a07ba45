"""Only for demo.py and bench.py, which seed data and are moving out of this package: import
from lifecycle, meetings, plans, agenda and minutes instead, and delete this module once
they do."""

from .agenda import add_item
from .lifecycle import decide_proposal, propose_network
from .meetings import TEMPLATE, approve_minutes, create_meeting, mark_held, publish_agenda
from .minutes import add_action, add_decision, record_attendance, save_minutes
from .plans import save_plan_row

__all__ = ["TEMPLATE", "add_action", "add_decision", "add_item", "approve_minutes",
           "create_meeting", "decide_proposal", "mark_held", "propose_network",
           "publish_agenda", "record_attendance", "save_minutes", "save_plan_row"]
