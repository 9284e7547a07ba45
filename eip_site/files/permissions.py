"""A file has exactly the permissions of what it belongs to: whoever may see the parent reads
its files; whoever may edit the parent uploads, replaces, deletes and restores them (the
network's editors for a network, its meetings and items, and an item's proposer for their
item; the host head and leads for a review). Loaders give a view the parent or the file it
may use, or the 404 or 403 page."""

from __future__ import annotations

from ..extensions import db
from ..networks import permissions as networks
from ..networks import queries as network_queries
from ..networks.models import AgendaItem
from ..people.models import User
from ..reviews import permissions as reviews
from ..reviews import queries as review_queries
from ..security import allow, found
from .models import Attachment

REVIEW_READERS_ONLY = ("The host school shares these documents with the review team and "
                       "cluster leads only.")
REVIEW_CHANGERS_ONLY = "Only the host school's headteacher or a cluster lead can share documents."
ITEM_CHANGERS_ONLY = "Only the network leader or whoever proposed this item can change its papers."
DELETED = "This file was deleted."


def parent(kind: str, parent_id: int):
    """The row a file belongs to, or None."""
    if kind == "item":
        return db.session.get(AgendaItem, parent_id)
    if kind == "meeting":
        return network_queries.meeting(parent_id)
    if kind == "network":
        return network_queries.network(parent_id)
    return review_queries.review(parent_id)


def can_read(user: User, kind: str, row) -> bool:
    if kind == "item":
        return networks.can_view_meeting(user, row.meeting) and (
            row.status == "accepted" or networks.is_insider(user, row.meeting.network))
    if kind == "meeting":
        return networks.can_view_meeting(user, row)
    if kind == "network":
        return True  # its page, with the resource library, is open to everyone signed in
    return reviews.can_see_findings(user, row)


def can_change(user: User, kind: str, row) -> bool:
    if kind == "item":
        return networks.can_edit(user, row.meeting.network) or (
            row.proposed_by_id == user.id and networks.is_insider(user, row.meeting.network))
    if kind in ("meeting", "network"):
        return networks.can_edit(user, row if kind == "network" else row.network)
    return reviews.is_host_head(user, row) or reviews.is_lead(user)


def _refusal(kind: str, reading: bool) -> str:
    if kind == "review":
        return REVIEW_READERS_ONLY if reading else REVIEW_CHANGERS_ONLY
    if kind == "item" and not reading:
        return ITEM_CHANGERS_ONLY
    return networks.MEMBERS_ONLY if reading else networks.EDITORS_ONLY


def parent_for(user: User, kind: str, parent_id: int, *, edit: bool = False):
    """The parent the user may see (``edit``: may change the files of), or 404/403."""
    row = found(parent(kind, parent_id))
    allow(can_read(user, kind, row), _refusal(kind, True))
    if edit:
        allow(can_change(user, kind, row), _refusal(kind, False))
    return row


def file_for(user: User, file_id: int, *, edit: bool = False,
             deleted: bool = False) -> tuple[Attachment, object]:
    """A file and its parent; ``deleted``: one in the bin (for undoing), else one that is not."""
    attachment = found(db.session.get(Attachment, file_id))
    kind, parent_id = attachment.parent
    row = parent_for(user, kind, parent_id, edit=edit)
    found(attachment if (attachment.deleted_at is not None) == deleted else None)
    return attachment, row
