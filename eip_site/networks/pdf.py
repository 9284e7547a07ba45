"""A meeting's agenda or minutes as a PDF, made by WeasyPrint from the print view
(templates/networks/print.html): tagged PDF/UA, so its title, headings and tables reach a
screen reader, and its text can be copied. WeasyPrint needs Debian's pango."""

from __future__ import annotations

from flask import render_template

from .models import ATTENDANCE, Meeting
from .pages import meeting_page
from .timetable import timetable


def document(meeting: Meeting, what: str) -> tuple[str, bytes]:
    """(file name, PDF) of ``what``: "agenda" or "minutes"."""
    from weasyprint import HTML  # loads pango: only when a PDF is made

    page = meeting_page(meeting.id, with_minutes=what == "minutes")
    html = render_template("networks/print.html", what=what, page=page, meeting=page.meeting,
                           ATTENDANCE=ATTENDANCE,
                           plan=timetable(meeting.starts_at, meeting.ends_at,
                                          [i.duration for i in page.items]))
    name = f"{what}-{meeting.network.name}-{meeting.starts_at:%Y-%m-%d}"
    name = "".join(c if c.isalnum() or c == "-" else "-" for c in name).lower() + ".pdf"
    return name, HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")


def minutes_text(meeting: Meeting) -> str:
    """The minutes in an email's plain text: items, decisions and actions."""
    page = meeting_page(meeting.id, with_minutes=True)
    lines = []
    for n, item in enumerate(page.items, 1):
        lines += [f"{n}. {item.title}", "", item.minutes or "(No minutes for this item.)", ""]
    if page.decisions:
        lines += ["Decisions", ""] + [f"- {d.text}" for d in page.decisions] + [""]
    if page.actions:
        lines += ["Actions", ""] + [f"- {a.description} ({a.owner.name}, due "
                                    f"{a.due_on:%-d %B %Y})" for a in page.actions] + [""]
    return "\n".join(lines).rstrip()
