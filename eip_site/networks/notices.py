"""Who hears of what happens in a network (notifications.notices.NOTICES says it in words):
each function is one event, called by the service that makes it happen."""

from __future__ import annotations

from datetime import timezone

from ..clock import LONDON
from ..extensions import db
from ..mail import absolute_url
from ..notifications.notices import leads, tell
from ..people.models import User
from .models import AgendaItem, Meeting, Network
from .queries import members_of, people_of


def _network_link(network: Network) -> str:
    return absolute_url("networks.network", network_id=network.id)


def _meeting_link(meeting: Meeting) -> str:
    return absolute_url("networks.meeting", meeting_id=meeting.id)


def _hello(text: str):
    return lambda person: f"Hello {person.first_name},\n\n{text}\n"


def _when(meeting: Meeting) -> str:
    start = meeting.starts_at.replace(tzinfo=timezone.utc).astimezone(LONDON)
    return f"{start:%-d %B at %H:%M}"


def members(meeting: Meeting) -> list[User]:
    network = meeting.network
    return people_of(network, members_of(network))


def proposed(actor: User, network: Network) -> dict[int, str]:
    return tell("network.proposed", leads(), skip=[actor],
                subject=f"Network proposed: {network.name}",
                body=_hello(f"{actor.name} has proposed a network, {network.name}, for a "
                            f"cluster lead to sponsor or decline:\n\n{network.purpose}\n\n"
                            f"{_network_link(network)}"))


def decided(actor: User, network: Network) -> dict[int, str]:
    verb = "sponsored" if network.status == "sponsored" else "declined"
    comment = f"\n\nTheir comment: {network.lead_comment}" if network.lead_comment else ""
    proposer = db.session.get(User, network.proposed_by_id) if network.proposed_by_id else None
    return tell("network.decided", [proposer], skip=[actor],
                subject=f"Your proposed network {network.name} was {verb}",
                body=_hello(f"{actor.name} has {verb} the network you proposed, "
                            f"{network.name}.{comment}\n\n{_network_link(network)}"))


JOIN = "join-accept"


def join_requested(actor: User, network: Network) -> dict[int, str]:
    from .. import links

    accept = absolute_url("networks.join_answer",
                          token=links.make(JOIN, network.id, network.leader_id, actor.id))
    return tell("network.join_requested", [network.leader], skip=[actor],
                subject=f"{actor.name} asks to join {network.name}",
                body=_hello(f"{actor.name} has asked to join {network.name}. Let them in, "
                            "or turn the request down with a reason, from this link (no "
                            f"sign-in needed; it works once):\n\n{accept}"
                            f"\n\nOr answer on the network's page:\n\n"
                            f"{_network_link(network)}"))


def join_accepted(actor: User, network: Network, person: User) -> dict[int, str]:
    return tell("network.join_accepted", [person], skip=[actor],
                subject=f"You have joined {network.name}",
                body=_hello(f"{actor.name} has accepted you as a member of {network.name}."
                            f"\n\n{_network_link(network)}"))


def item_proposed(actor: User, item: AgendaItem) -> dict[int, str]:
    meeting = item.meeting
    return tell("agenda.item_proposed", [meeting.network.leader], skip=[actor],
                subject=f"Agenda item proposed: {item.title}",
                body=_hello(f"{actor.name} has proposed “{item.title}” for the "
                            f"{meeting.network.name} meeting on {_when(meeting)}. Accept or "
                            f"remove it on the meeting's page:\n\n{_meeting_link(meeting)}"))


def item_decided(actor: User, item: AgendaItem, accepted: bool,
                 reason: str = "") -> dict[int, str]:
    meeting = item.meeting
    verb = "is on the agenda" if accepted else "was not taken onto the agenda"
    return tell("agenda.item_accepted" if accepted else "agenda.item_declined",
                [item.proposed_by], skip=[actor],
                subject=f"Your agenda item “{item.title}” {verb}",
                body=_hello(f"Your item “{item.title}” for the {meeting.network.name} meeting "
                            f"on {_when(meeting)} {verb} ({actor.name}).{_because(reason)}"
                            f"\n\n{_meeting_link(meeting)}"))


def moved(actor: User, meeting: Meeting) -> dict[int, str]:
    place = meeting.place or (meeting.school.name if meeting.school else "")
    return tell("meeting.moved", members(meeting), skip=[actor],
                subject=f"Meeting moved: {meeting.network.name}, now {_when(meeting)}",
                body=_hello(f"The {meeting.network.name} meeting is now on {_when(meeting)}"
                            + (f" at {place}" if place else "") + ". Your calendar feed "
                            f"shows the new time.\n\n{_meeting_link(meeting)}"))


def _minutes(approved: bool, actor: User, meeting: Meeting, subject: str, text: str):
    """The minutes to every member: in the body, and as a PDF attached."""
    from .pdf import document, minutes_text

    link = absolute_url("networks.minutes", meeting_id=meeting.id)
    name, pdf = document(meeting, "minutes")
    return tell("minutes.approved" if approved else "minutes.draft_sent", members(meeting),
                skip=[actor],
                subject=f"{subject}: {meeting.network.name}, {_when(meeting)}",
                body=_hello(f"{text}\n\n{link}\n\n{minutes_text(meeting)}\n\n"
                            "The minutes are attached as a PDF."),
                attachments=[(name, "application/pdf", pdf)])


def minutes_approved(actor: User, meeting: Meeting) -> dict[int, str]:
    return _minutes(True, actor, meeting, "Minutes approved",
                    f"The minutes of the {meeting.network.name} meeting on {_when(meeting)} "
                    f"are approved ({actor.name}).")


def draft_minutes_sent(actor: User, meeting: Meeting) -> dict[int, str]:
    return _minutes(False, actor, meeting, "Draft minutes",
                    f"{actor.name} sends the draft minutes of the {meeting.network.name} "
                    f"meeting on {_when(meeting)}: tell them of anything to correct before "
                    "they are approved at the next meeting.")


def cancelled(actor: User, meeting: Meeting) -> dict[int, str]:
    return tell("meeting.cancelled", members(meeting), skip=[actor],
                subject=f"Meeting cancelled: {meeting.network.name}, {_when(meeting)}",
                body=_hello(f"The {meeting.network.name} meeting on {_when(meeting)} is "
                            "cancelled. Your calendar feed shows it cancelled.\n\n"
                            f"{_meeting_link(meeting)}"))


def _because(reason: str) -> str:
    return f"\n\nTheir reason: {reason}" if reason else ""


def join_declined(actor: User, network: Network, person: User, reason: str) -> dict[int, str]:
    return tell("network.join_declined", [person], skip=[actor],
                subject=f"Your request to join {network.name}",
                body=_hello(f"{actor.name} has not accepted your request to join "
                            f"{network.name}.{_because(reason)}\n\n{_network_link(network)}"))


def member_removed(actor: User, network: Network, person: User,
                   reason: str) -> dict[int, str]:
    return tell("network.member_removed", [person], skip=[actor],
                subject=f"You are no longer a member of {network.name}",
                body=_hello(f"{actor.name} has removed you from {network.name}."
                            f"{_because(reason)}\n\nAny open actions of yours stay on your list "
                            "until the network leader gives them to someone else.\n\n"
                            f"{_network_link(network)}"))


def member_left(actor: User, network: Network) -> dict[int, str]:
    return tell("network.member_left", [network.leader], skip=[actor],
                subject=f"{actor.name} has left {network.name}",
                body=_hello(f"{actor.name} has left {network.name}. Any open actions of theirs "
                            "are marked on the network's page for you to give to someone else."
                            f"\n\n{_network_link(network)}"))


def friend_named(actor: User, network: Network) -> dict[int, str]:
    return tell("network.friend_named", [network.critical_friend], skip=[actor],
                subject=f"You are the critical friend of {network.name}",
                body=_hello(f"{actor.name} has named you the critical friend of "
                            f"{network.name}: you support and challenge the network, meeting "
                            f"it at least once a term.\n\n{network.purpose}\n\n"
                            f"{_network_link(network)}"))


def handed_over(actor: User, network: Network) -> dict[int, str]:
    return tell("network.handed_over", [network.leader], skip=[actor],
                subject=f"You now lead {network.name}",
                body=_hello(f"{actor.name} has handed {network.name} to you: you are now its "
                            f"network leader.\n\n{_network_link(network)}"))
