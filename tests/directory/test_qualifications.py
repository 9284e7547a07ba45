"""Review training ticked on one's own profile counts once a head of the person's school or a
lead confirms it: until then it shows as not yet confirmed and nobody picks them for a team."""

from __future__ import annotations

from sqlalchemy import select

from eip_site.directory.models import Qualification
from eip_site.extensions import db
from eip_site.people.models import User

from .. import factories
from ..helpers import monday, sign_in


def _tick(client, *kinds: str):
    return client.post("/profile/edit", data={"qualifications": list(kinds), "hours_per_term": "0"})


def _confirmed(app, user_id: int) -> dict[str, bool]:
    with app.app_context():
        return {q.kind: q.confirmed_at is not None for q in db.session.scalars(
            select(Qualification).where(Qualification.user_id == user_id))}


def _review(app, world) -> int:
    from eip_site.reviews import services
    with app.app_context():
        review = services.create_review(
            actor=world.get("champion"), host_school=world.get("host"), focus="To what extent?",
            focus_area="curriculum", start_date=monday(), days=1)
        db.session.commit()
        return review.id


def _candidates(app, review_id: int) -> list[str]:
    from eip_site.reviews import queries
    from eip_site.reviews.models import Review
    with app.app_context():
        return [c.name for c in queries.candidates(db.session.get(Review, review_id))[0]]


def test_a_self_ticked_reviewer_waits_for_their_head_and_then_joins_teams(app, client, world):
    teacher = world["teacher"]  # Tom Teacher, Birch, not trained
    with app.app_context():
        birch_head = factories.user(roles={"head"}, school=world.get("birch"), name="Bea Head")
        db.session.commit()
        birch_head = birch_head.id
    review_id = _review(app, world)

    sign_in(client, teacher)
    assert _tick(client, "peer_reviewer", "npqml").status_code == 303
    assert _confirmed(app, teacher) == {"peer_reviewer": False, "npqml": False}
    page = client.get(f"/people/{teacher}").get_data(as_text=True)
    assert "Trained peer reviewer <span class=\"tag tag-yellow\">Not yet confirmed</span>" in page
    assert "Confirm: trained peer reviewer" not in page  # nobody confirms their own
    assert "Tom Teacher" not in _candidates(app, review_id)
    refused = client.post(f"/people/{teacher}/qualifications/peer_reviewer/confirm")
    assert refused.status_code == 403
    assert _confirmed(app, teacher)["peer_reviewer"] is False

    # The team picker's service refuses them too (a forged POST).
    sign_in(client, world["champion"])
    r = world["reviewers"]
    forged = client.post(f"/reviews/{review_id}/team", data={
        "lead": r[0], "reviewers": [r[1], teacher]})
    assert forged.status_code == 422 and b"not yet confirmed" in forged.data

    # Another school's head cannot confirm; Birch's head can, from their home page's list.
    sign_in(client, world["other_head"])
    assert client.post(f"/people/{teacher}/qualifications/peer_reviewer/confirm"
                       ).status_code == 403
    assert "Tom Teacher" not in client.get("/people/qualifications").get_data(as_text=True)
    sign_in(client, birch_head)
    home = client.get("/").get_data(as_text=True)
    assert "Confirm colleagues’ review training (1 waiting)" in home
    waiting = client.get("/people/qualifications").get_data(as_text=True)
    assert "Tom Teacher" in waiting and "Trained peer reviewer" in waiting
    assert "NPQ for Leading" not in waiting  # only the training review teams rely on
    done = client.post(f"/people/{teacher}/qualifications/peer_reviewer/confirm",
                       data={"back": "list"})
    assert done.status_code == 303 and done.headers["Location"] == "/people/qualifications"
    assert _confirmed(app, teacher)["peer_reviewer"] is True
    assert "Nothing to confirm" in client.get("/people/qualifications").get_data(as_text=True)
    assert "review training" not in client.get("/").get_data(as_text=True)
    assert "Tom Teacher" in _candidates(app, review_id)
    assert client.post(f"/people/{teacher}/qualifications/sle/confirm").status_code == 422

    # Saving the profile again keeps the confirmation; unticking and ticking again resets it.
    sign_in(client, teacher)
    _tick(client, "peer_reviewer")
    assert _confirmed(app, teacher) == {"peer_reviewer": True}
    _tick(client)
    _tick(client, "peer_reviewer")
    assert _confirmed(app, teacher) == {"peer_reviewer": False}


def test_a_lead_confirms_anyone_and_a_tick_by_the_head_or_lead_counts_at_once(app, client,
                                                                                world):
    teacher = world["teacher"]
    with app.app_context():
        factories.qualification(teacher, "champion", confirmed=False)
        db.session.commit()
    sign_in(client, world["lead"])
    page = client.get(f"/people/{teacher}").get_data(as_text=True)
    assert "Confirm: trained improvement champion" in page
    assert client.post(f"/people/{teacher}/qualifications/champion/confirm",
                       ).headers["Location"] == f"/people/{teacher}"
    assert _confirmed(app, teacher) == {"champion": True}
    # Ticked by the lead on the teacher's profile: confirmed by that tick.
    client.post(f"/people/{teacher}/edit", data={"qualifications": ["champion", "peer_reviewer"],
                                                 "hours_per_term": "0"})
    assert _confirmed(app, teacher) == {"champion": True, "peer_reviewer": True}


def test_staff_do_not_see_the_list_to_confirm(client, world):
    sign_in(client, world["teacher"])
    assert client.get("/people/qualifications").status_code == 403


def test_the_demo_head_has_training_to_confirm_and_the_rest_counts(app):
    from eip_site.directory.queries import count_to_confirm
    from eip_site.people.models import User
    from eip_site.seeds import demo
    with app.app_context():
        logins = {l.role: l.email for l in demo.seed()}
        head = db.session.scalar(select(User).where(User.email == logins["head"]))
        assert count_to_confirm(head) == 1
        waiting = db.session.scalars(select(Qualification).where(
            Qualification.confirmed_at.is_(None), Qualification.kind == "peer_reviewer")).all()
        assert len(waiting) == 1


def test_training_in_a_heads_import_of_their_staff_counts_as_confirmed(ctx, vocab):
    from eip_site.staff_import import services as imports

    from ..staff_import.test_services import person, preview

    head = factories.user(roles={"head"})
    admin = factories.user(roles={"admin"}, school=None)
    db.session.commit()
    imports.apply_import(actor=head, preview=preview(head, [
        person(1, qualifications="Trained peer reviewer")]))
    imports.apply_import(actor=admin, preview=preview(admin, [
        person(2, qualifications="Trained peer reviewer", school_urn=head.school.urn)]))
    db.session.commit()
    rows = {q.user_id: q for q in db.session.scalars(select(Qualification))}
    by_email = dict(db.session.execute(select(User.email, User.id)).all())
    assert rows[by_email["teacher1@hill.example"]].confirmed_by_id == head.id
    assert rows[by_email["teacher2@hill.example"]].confirmed_at is None  # an admin is no head
