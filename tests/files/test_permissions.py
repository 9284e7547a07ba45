"""The permission matrix extended to files: every role, every kind of parent, reading,
uploading and deleting. A file has exactly its parent's rules: read by whoever may see the
parent, uploaded and deleted by whoever may edit it."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from eip_site.extensions import db
from eip_site.files import services
from eip_site.files.models import Attachment
from eip_site.networks import agenda, lifecycle, meetings

from .. import factories
from ..helpers import sign_in
from .samples import PDF

R, U, D = "read", "upload", "delete"
ALL, READ, NONE = {R, U, D}, {R}, set()
# role -> parent kind -> what they may do. The network is members-only, its meeting's agenda
# published; "proposer" is a member who proposed the item (accepted since); the review is of
# the host's school with "reviewer" on its team.
MATRIX = {
    "anonymous": {"item": NONE, "meeting": NONE, "network": NONE, "review": NONE},
    "outsider": {"item": NONE, "meeting": NONE, "network": READ, "review": NONE},
    "member": {"item": READ, "meeting": READ, "network": READ, "review": NONE},
    "proposer": {"item": ALL, "meeting": READ, "network": READ, "review": NONE},
    "leader": {"item": ALL, "meeting": ALL, "network": ALL, "review": NONE},
    "friend": {"item": ALL, "meeting": ALL, "network": ALL, "review": NONE},
    "lead": {"item": ALL, "meeting": ALL, "network": ALL, "review": ALL},
    "admin": {"item": ALL, "meeting": ALL, "network": ALL, "review": ALL},
    "host_head": {"item": NONE, "meeting": NONE, "network": READ, "review": ALL},
    "other_head": {"item": NONE, "meeting": NONE, "network": READ, "review": NONE},
    "reviewer": {"item": NONE, "meeting": NONE, "network": READ, "review": READ},
    "champion": {"item": NONE, "meeting": NONE, "network": READ, "review": NONE},
}


@pytest.fixture
def scene(app, world):
    with app.app_context():
        leader, network, meeting = world.get("leader"), world.get("network"), world.get("meeting")
        proposer = factories.user(name="Pat Proposer")
        lifecycle.ask_to_join(actor=proposer, network=network)
        lifecycle.accept_member(actor=leader, network=network, user_id=proposer.id)
        item = agenda.add_item(actor=proposer, meeting=meeting, title="Buddies")
        agenda.accept_item(actor=leader, item=item)
        meetings.publish_agenda(actor=leader, meeting=meeting)
        reviewer = world.get("reviewers")[0]
        review = factories.review(host=world["host"], team=(reviewer,), state="confirmed")
        people = {"outsider": world["outsider"], "member": world["member"],
                  "proposer": proposer.id, "leader": leader.id, "friend": world["friend"],
                  "lead": world["lead"], "admin": factories.user(roles={"admin"}).id,
                  "host_head": world["head"], "other_head": world["other_head"],
                  "reviewer": reviewer.id, "champion": world["champion"]}
        db.session.commit()
        return {"people": people, "parents": {"item": item.id, "meeting": meeting.id,
                                              "network": network.id, "review": review.id}}


def _paper(app, kind: str, parent_id: int) -> int:
    """A file on the parent, put there by someone who may (a lead may everywhere)."""
    from eip_site.files.permissions import parent
    from eip_site.people.models import User

    with app.app_context():
        lead = db.session.scalar(select(User).where(User.name == "Lee Lead"))
        row = services.upload(actor=lead, kind=kind, parent=parent(kind, parent_id),
                              upload=FileStorage(io.BytesIO(PDF), "paper.pdf"))
        db.session.commit()
        return row.id


@pytest.mark.parametrize("kind", ["item", "meeting", "network", "review"])
def test_every_role_may_read_upload_and_delete_files_as_it_may_the_parent(app, scene, kind):
    parent_id = scene["parents"][kind]
    failures = []
    for role, by_kind in MATRIX.items():
        rights = by_kind[kind]
        client = app.test_client()
        if role != "anonymous":
            sign_in(client, scene["people"][role])
        paper = _paper(app, kind, parent_id)
        denied = 303 if role == "anonymous" else 403
        got = {
            R: client.get(f"/files/{paper}").status_code,
            "about": client.get(f"/files/{paper}/about").status_code,
            U: client.post(f"/files/{kind}/{parent_id}/new", content_type="multipart/form-data",
                           data={"file": (io.BytesIO(PDF), "mine.pdf")}).status_code,
            D: client.post(f"/files/{paper}/delete").status_code,
        }
        want = {R: 200 if R in rights else denied, "about": 200 if R in rights else denied,
                U: 303 if U in rights else denied, D: 303 if D in rights else denied}
        if got != want:
            failures.append(f"{role} on {kind}: got {got}, want {want}")
        with app.app_context():
            row = db.session.get(Attachment, paper)
            if (row.deleted_at is not None) != (D in rights):
                failures.append(f"{role} on {kind}: deleted is {row.deleted_at is not None}")
    assert not failures, "\n".join(failures)
