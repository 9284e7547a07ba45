"""A member's answer before a meeting from the agenda email's signed one-step link
(eip_site/links.py), without signing in: it opens a page that asks before it saves, and
works, for changing one's mind too, until the meeting starts (the meeting's page has the
same form for those signed in)."""

from __future__ import annotations

from flask import url_for

from ... import links
from ...extensions import db
from ...forms import submit
from ...htmx import render_page
from ...people.models import User
from .. import bp
from ..answers import ANSWER_LINK, CODES, answer, closed_reason, saved_message
from ..forms import AnswerForm
from ..models import Meeting, MeetingAnswer


@bp.route("/meetings/answer/<token>", methods=["GET", "POST"])
def answer_link(token: str):
    values, problem = links.read(ANSWER_LINK, token)
    meeting = person = None
    if values is not None and len(values) == 3 and values[2] in CODES:
        meeting, person = db.session.get(Meeting, values[0]), db.session.get(User, values[1])
        if meeting is None or person is None or not person.active:
            problem = links.BAD
    elif problem is None:
        problem = links.BAD
    closed = closed_reason(meeting) if problem is None else None
    if problem is not None or closed:
        return render_page("networks/answer_link.html", problem=problem or "closed",
                           closed=closed, meeting=meeting,
                           status=404 if problem == links.BAD else 410)
    wanted = CODES[values[2]]
    current = db.session.get(MeetingAnswer, (meeting.id, person.id))
    form = AnswerForm(data={"answer": wanted, "note": current.note if current else ""})
    saved = submit(form, lambda: answer(actor=person, meeting=meeting, answer=wanted,
                                        note=form.note.data),
                   saved_message, url_for("networks.answer_link", token=token))
    if saved:
        return saved
    return render_page("networks/answer_link.html", meeting=meeting, person=person,
                       wanted=wanted, current=current, form=form, token=token,
                       status=form.status)
