"""Who is told of what: the one table of notices (event -> who -> what), and ``tell``, the one
way a feature tells people of an event. docs/notices.md is this table rendered
(`render_markdown`; tests/notifications/test_notices.py keeps the two equal and walks every
row). Each notice goes as the person chose for its kind (at once, daily digest, off), except
those marked ``always`` (safeguarding, account security: at once, whatever they chose) and
``at_once`` (at once unless they turned the kind off)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import select

from ..extensions import db
from ..mail import send_mail
from ..people.models import User, UserRole
from .models import KINDS


@dataclass(frozen=True)
class Notice:
    kind: str   # the preference kind (notifications.models.KINDS)
    told: str   # who, in words
    what: str   # what they are told
    always: bool = False   # sent at once whatever the person chose
    at_once: bool = False  # sent at once even to those who chose the digest


NOTICES: dict[str, Notice] = {
    # Peer reviews
    "review.booked": Notice("review", "the host school's headteacher", "a review of their school is booked for these dates; they confirm once the team is proposed"),
    "review.team_proposed": Notice("review", "each team member and the host headteacher", "the team and dates, with the review's .ics; the head is asked to confirm"),
    "review.confirmed": Notice("review", "the booker, the team and the cluster leads", "the host confirmed, with the updated .ics"),
    "review.declined": Notice("review", "the booker, the team and the cluster leads", "the host declined, with the reason; the team's .ics is cancelled"),
    "review.rescheduled": Notice("review", "the booker, the team and the host headteacher", "the new dates and why, with the updated .ics"),
    "review.cancelled": Notice("review", "the booker, the team and the host headteacher", "the review is cancelled and why, with the cancelling .ics"),
    "review.findings": Notice("review", "the host headteacher", "the findings are recorded, with the link"),
    "review.safeguarding": Notice("review", "the host headteacher", "a safeguarding concern was recorded (no detail in the email)", always=True),
    "review.workshop_booked": Notice("review", "the facilitator and the host headteacher", "the workshop's date and facilitator"),
    # Networks and meetings
    "network.proposed": Notice("agenda", "the cluster leads", "a network is proposed, to sponsor or decline", at_once=True),
    "network.decided": Notice("agenda", "the proposer", "the network is sponsored or declined, with the lead's comment"),
    "network.join_requested": Notice("agenda", "the network's leader", "someone asks to join", at_once=True),
    "network.join_accepted": Notice("agenda", "the person who asked", "they are now a member"),
    "agenda.item_proposed": Notice("agenda", "the network's leader", "a member proposed an agenda item, to accept or decline", at_once=True),
    "agenda.item_accepted": Notice("agenda", "the proposer", "their item is on the agenda"),
    "agenda.item_declined": Notice("agenda", "the proposer", "their item was not taken onto the agenda"),
    "agenda.published": Notice("agenda", "the members", "the agenda, with a link to the meeting"),
    "meeting.moved": Notice("agenda", "the members", "a published meeting's new date, time or place", at_once=True),
    "minutes.approved": Notice("agenda", "the members", "the minutes are approved, with the link"),
    "action.assigned": Notice("action", "the action's owner", "the action and its due date"),
    # Directory
    "help.requested": Notice("help", "the colleague asked", "who asks, what for and by when"),
    "help.answered": Notice("help", "the person who asked", "accepted or declined, with the link"),
    "skill.suggested": Notice("skills", "the cluster leads", "a skill is suggested, to approve, merge or turn down"),
    "skill.decided": Notice("skills", "the person who suggested it", "approved, merged or turned down, with the reason"),
    # Accounts
    "account.invited": Notice("reminder", "the new account's owner", "the link to set a password", always=True),
    "account.reset": Notice("reminder", "the account's owner", "the link to reset their password", always=True),
    "account.mfa_reset": Notice("reminder", "the account's owner", "an administrator reset their two-step sign-in; they set it up again at their next sign-in if their role needs it", always=True),
}

# What needs an answer comes at once even to those on the digest (as the kinds' defaults
# do: KINDS); news waits for the digest.

# Tests record what was told here: a list of (event, user id, mode), or None.
RECORD: list | None = None


def leads() -> list[User]:
    """The active cluster leads."""
    return list(db.session.scalars(
        select(User).where(User.id.in_(select(UserRole.user_id).where(UserRole.role == "lead")),
                           User.active.is_(True)).order_by(User.id)))


def tell(event: str, people: Iterable[User | None], *, subject: str,
         body: str | Callable[[User], str],
         attachments: list[tuple[str, str, bytes]] | None = None,
         skip: Iterable[User | None] = ()) -> dict[int, str]:
    """Tell ``people`` of ``event`` (a key of NOTICES): each active person once, but not those
    in ``skip`` (the person who acted). ``body`` is a text or a function of the person.
    Returns each person's id and how they were told: now, digest or none."""
    from .services import notify  # services imports this module's table for its pages

    notice = NOTICES[event]  # an event missing from the table is a KeyError, here and in tests
    skipped = {p.id for p in skip if p is not None}
    told: dict[int, str] = {}
    for person in people:
        if person is None or not person.active or person.id in skipped or person.id in told:
            continue
        text = body(person) if callable(body) else body
        if notice.always:
            send_mail(to=person.email, subject=subject, body=text, attachments=attachments,
                      kind=event)
            mode = "now"
        else:
            mode = notify(user=person, kind=notice.kind, subject=subject, body=text,
                          attachments=attachments, at_once=notice.at_once)
        told[person.id] = mode
        if RECORD is not None:
            RECORD.append((event, person.id, mode))
    return told


def render_markdown() -> str:
    """docs/notices.md: the table, for people."""
    lines = ["# Who is told of what", "",
             "Generated from `eip_site/notifications/notices.py` (`NOTICES`); a test keeps the "
             "two equal. Each notice goes as the person chose for its kind: at once, in the "
             "daily digest, or not at all. **Always**: at once whatever they chose. "
             "**At once**: at once even to those who chose the digest.", "",
             "| event | told | what | kind | how |", "|---|---|---|---|---|"]
    for event, n in NOTICES.items():
        how = "always" if n.always else "at once" if n.at_once else "as they chose"
        lines.append(f"| `{event}` | {n.told} | {n.what} | {KINDS[n.kind][0]} | {how} |")
    return "\n".join(lines) + "\n"


def told_as(person: User, kind: str) -> str:
    """What a page says after telling ``person`` of something of ``kind``: that they were
    emailed only when a message was queued."""
    from .services import preferences

    mode = preferences(person)[kind]
    if mode == "now":
        return f"We have emailed {person.name}."
    if mode == "digest":
        return (f"{person.name} gets these emails in a daily digest, and sees it on their home "
                "page now.")
    return (f"{person.name} has chosen not to get these emails; they will see it on their "
            "home page.")
