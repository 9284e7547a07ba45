"""Networks and their meetings: agendas, minutes, decisions and actions that carry forward.
One blueprint; its pages are in ``views`` (a module a page). Who may do what: permissions.
Writes: lifecycle (networks), meetings, agenda, minutes, plans. Reads: queries (shared),
pages, overview. timetable and markup are pure helpers."""

from flask import Blueprint

bp = Blueprint("networks", __name__)
