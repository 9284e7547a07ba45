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
    "review.reminder": Notice("reminder", "each team member and the host headteacher", "a week before: the review days and the enquiry focus"),
    # Networks and meetings
    "network.proposed": Notice("agenda", "the cluster leads", "a network is proposed, to sponsor or decline", at_once=True),
    "network.decided": Notice("agenda", "the proposer", "the network is sponsored or declined, with the lead's comment"),
    "network.join_requested": Notice("agenda", "the network's leader", "someone asks to join", at_once=True),
    "network.join_accepted": Notice("agenda", "the person who asked", "they are now a member"),
    "network.join_declined": Notice("agenda", "the person who asked", "their request was not accepted, with the leader's reason"),
    "network.member_removed": Notice("agenda", "the member removed", "they are no longer a member, with the reason; their open actions wait to be reassigned"),
    "network.member_left": Notice("agenda", "the network's leader", "a member has left; their open actions wait to be reassigned"),
    "network.friend_named": Notice("agenda", "the critical friend named", "they are the network's critical friend", at_once=True),
    "network.handed_over": Notice("agenda", "the new leader", "the network is handed to them", at_once=True),
    "agenda.item_proposed": Notice("agenda", "the network's leader", "a member proposed an agenda item, to accept or decline", at_once=True),
    "agenda.item_accepted": Notice("agenda", "the proposer", "their item is on the agenda"),
    "agenda.item_declined": Notice("agenda", "the proposer", "their item was not taken onto the agenda, with the leader's reason"),
    "agenda.published": Notice("agenda", "the members", "the agenda, with a link to the meeting"),
    "meeting.moved": Notice("agenda", "the members", "a published meeting's new date, time or place", at_once=True),
    "minutes.draft_sent": Notice("agenda", "the members", "the draft minutes, in the email and as a PDF attached, to correct before approval", at_once=True),
    "minutes.approved": Notice("agenda", "the members", "the approved minutes, in the email and as a PDF attached", at_once=True),
    "meeting.cancelled": Notice("agenda", "the members", "a published meeting is cancelled", at_once=True),
    "action.assigned": Notice("action", "the action's owner", "the action and its due date"),
    "action.due": Notice("reminder", "the action's owner", "an open action is due within three days, or is overdue"),
    # Directory
    "profile.changed": Notice("reminder", "the person whose profile it is", "someone else (their head, a lead, an import) changed their profile: one notice a save or import, listing what changed"),
    "help.requested": Notice("help", "the colleague asked", "who asks, what for and by when"),
    "help.answered": Notice("help", "the person who asked", "accepted or declined, with the link"),
    "help.waiting": Notice("reminder", "the colleague asked", "a request for help has waited three days for their answer"),
    "profile.check": Notice("reminder", "everyone with a profile due to be confirmed", "in the month the school year starts: are their skills and offers still right"),
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
         attachments: list[tuple[str, str, bytes]] | Callable[[User], list] | None = None,
         skip: Iterable[User | None] = ()) -> dict[int, str]:
    """Tell ``people`` of ``event`` (a key of NOTICES): each active person once, but not those
    in ``skip`` (the person who acted). ``body`` and ``attachments`` are a value or a
    function of the person.
    Returns each person's id and how they were told: now, digest or none."""
    from .services import modes_for, notify  # services imports this module's table

    notice = NOTICES[event]  # an event missing from the table is a KeyError, here and in tests
    skipped = {p.id for p in skip if p is not None}
    people = list(people)
    # Everyone's choice in one query, so telling many (an import) costs no query a person.
    modes = {} if notice.always else modes_for(
        {p.id for p in people if p is not None}, notice.kind)
    told: dict[int, str] = {}
    for person in people:
        if person is None or not person.active or person.id in skipped or person.id in told:
            continue
        text = body(person) if callable(body) else body
        attached = attachments(person) if callable(attachments) else attachments
        if notice.always:
            send_mail(to=person.email, subject=subject, body=text, attachments=attached,
                      kind=event)
            mode = "now"
        else:
            mode = notify(user=person, kind=notice.kind, subject=subject, body=text,
                          attachments=attached, at_once=notice.at_once,
                          mode=modes.get(person.id))
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
