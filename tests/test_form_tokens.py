"""Double submits: every create form carries a one-time token, so a second submission of the
same drawing (a double click, a re-sent POST, two at the same moment) gets the first's answer
and creates nothing; and where a unique key holds a rule, the key's refusal reads as the
check's. On SQLite and PostgreSQL alike (EIP_TEST_DATABASE_URL)."""

from __future__ import annotations

import re
import threading

import pytest
from sqlalchemy import event, func, insert, select

from eip_site.directory import services as directory
from eip_site.directory.models import HelpRequest, Skill
from eip_site.errors import DomainError
from eip_site.extensions import db
from eip_site.forms import FormSubmission
from eip_site.networks import lifecycle, meetings
from eip_site.networks.models import Action, AgendaItem, Decision, Meeting, MeetingSeries, \
    Network, NetworkMember, PlanRow

from . import factories
from .helpers import days, sign_in, thursday


def token_in(page: str, action: str) -> str:
    """The one-time token of the form posting to ``action`` on ``page``."""
    at = page.find(f'action="{action}"')
    assert at >= 0, f"no form posts to {action}"
    found = re.search(r'name="form_token" value="([^"]+)"', page[at:page.index("</form>", at)])
    assert found, f"the form posting to {action} carries no form token"
    return found[1]


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _held(app, world):
    with app.app_context():
        leader, meeting = world.get("leader"), world.get("meeting")
        meetings.publish_agenda(actor=leader, meeting=meeting)
        meetings.mark_held(actor=leader, meeting=meeting)
        db.session.commit()


def _skill_category(app, vocab) -> int:
    with app.app_context():
        return db.session.get(Skill, vocab["Phonics"]).category_id


# Each create form: who fills it in, the page that draws it, where it posts, what it sends,
# and the rows it makes.
def _cases(app, world, vocab):
    network, meeting = world["network"], world["meeting"]
    with app.app_context():
        recipient = factories.user(name="Rita Recipient")
        factories.user_skill(recipient, vocab["Phonics"], "train")
        db.session.commit()
        recipient = recipient.id
    return {
        "network proposal": (world["outsider"], "/networks/new", "/networks/new",
                             {"name": "Chess club", "purpose": "Chess."}, Network),
        "join request": (world["outsider"], f"/networks/{network}",
                         f"/networks/{network}/join", {}, NetworkMember),
        "skill suggestion": (world["outsider"], "/skills/", "/skills/suggest",
                             {"name": "Chess", "category_id": _skill_category(app, vocab)},
                             Skill),
        "action-plan row": (world["friend"], f"/networks/{network}/plan/new",
                            f"/networks/{network}/plan/new",
                            {"action": "Joint Year 6 project", "plan_status": "in_progress"},
                            PlanRow),
        "agenda item": (world["member"], f"/meetings/{meeting}", f"/meetings/{meeting}/items",
                        {"title": "Visits", "kind": "information", "duration": "5"},
                        AgendaItem),
        "meeting": (world["leader"], f"/networks/{network}/meetings/new",
                    f"/networks/{network}/meetings/new",
                    {"day": thursday(8).isoformat(), "start": "16:00", "end": "17:00",
                     "online_link": "https://meet.example/transitions",
                     "start_from": "template"}, Meeting),
        "meeting series": (world["leader"], f"/networks/{network}/series/new",
                           f"/networks/{network}/series/new",
                           {"pattern": "weeks", "weekday": "1", "every": "2",
                            "first_day": thursday(8).isoformat(),
                            "last_day": thursday(16).isoformat(), "start": "16:00",
                            "end": "17:00", "online_link": "https://meet.example/t"},
                           MeetingSeries),
        "help request": (world["member"], f"/people/{recipient}/help",
                         f"/people/{recipient}/help",
                         {"message": "Could I visit to see your phonics groups?",
                          "needed_by": days(10).isoformat(), "skill": vocab["Phonics"]},
                         HelpRequest),
    }


def _minutes_cases(app, world):
    _held(app, world)
    meeting = world["meeting"]
    page = f"/meetings/{meeting}/minutes"
    return {
        "decision": (world["leader"], page, f"/meetings/{meeting}/decisions",
                     {"text": "Adopt it"}, Decision),
        "action": (world["leader"], page, f"/meetings/{meeting}/actions",
                   {"description": "Share the plan", "owner": str(world["member"]),
                    "due_on": thursday(6).isoformat()}, Action),
    }


CASES = ["network proposal", "join request", "skill suggestion", "action-plan row",
         "agenda item", "meeting", "meeting series", "help request", "decision", "action"]


def _case(app, world, vocab, name):
    if name in ("decision", "action"):
        return _minutes_cases(app, world)[name]
    return _cases(app, world, vocab)[name]


@pytest.mark.parametrize("name", CASES)
def test_a_form_sent_twice_is_saved_once_and_both_land_in_the_same_place(
        app, client, world, vocab, name):
    who, page, action, data, model = _case(app, world, vocab, name)
    sign_in(client, who)
    drawn = client.get(page)
    assert drawn.status_code == 200
    data = {**data, "form_token": token_in(drawn.get_data(as_text=True), action)}
    before = count(app, model)
    first = client.post(action, data=data)
    assert first.status_code == 303, first.get_data(as_text=True)[:2000]
    second = client.post(action, data=data)  # the same drawing, sent again
    assert second.status_code == 303
    assert second.headers["Location"] == first.headers["Location"]
    assert count(app, model) == before + 1
    # A fresh drawing of the form is a new submission (the person meant a second one).
    page_after = client.get(page).get_data(as_text=True)
    if name != "join request":  # once asked, the button is gone
        assert token_in(page_after, action) != data["form_token"]


def _at_once(app, who, action, data, n=2):
    """``n`` clients signed in as ``who`` post ``data`` to ``action`` at the same moment."""
    clients = [app.test_client() for _ in range(n)]
    for c in clients:
        sign_in(c, who)
    barrier, answers = threading.Barrier(n), []

    def send(c):
        barrier.wait()
        answers.append(c.post(action, data=data))

    threads = [threading.Thread(target=send, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(answers) == n, "a request did not finish"
    return answers


@pytest.mark.parametrize("name", ["network proposal", "help request", "action-plan row",
                                  "skill suggestion", "join request", "decision"])
def test_the_same_form_sent_twice_at_the_same_moment_is_saved_once(app, world, vocab, name):
    who, _page, action, data, model = _case(app, world, vocab, name)
    before = count(app, model)
    answers = _at_once(app, who, action, {**data, "form_token": "t" * 32})
    assert [a.status_code for a in answers] == [303, 303], [a.data[:500] for a in answers]
    assert answers[0].headers["Location"] == answers[1].headers["Location"]
    assert count(app, model) == before + 1
    assert count(app, FormSubmission) == 1


def test_a_refused_submission_leaves_its_token_free_for_the_corrected_one(app, client, world):
    sign_in(client, world["outsider"])
    before = count(app, Network)
    token = token_in(client.get("/networks/new").get_data(as_text=True), "/networks/new")
    refused = client.post("/networks/new", data={"name": "Chess", "purpose": "",
                                                 "form_token": token})
    assert refused.status_code == 422
    ok = client.post("/networks/new", data={"name": "Chess", "purpose": "Chess.",
                                            "form_token": token})
    assert ok.status_code == 303 and count(app, Network) == before + 1


def test_without_a_token_a_form_saves_as_before(app, client, world):
    sign_in(client, world["outsider"])
    before = count(app, Network)
    for name in ("Chess", "Go"):
        assert client.post("/networks/new", data={"name": name, "purpose": "Games."}) \
            .status_code == 303
    assert count(app, Network) == before + 2 and count(app, FormSubmission) == 0


# --- A unique key's refusal reads as the check's -------------------------------------------

def _someone_else_inserts_first(table, values):
    """Just before this session's INSERT into ``table``, another connection inserts and
    commits ``values``: the race where both passed the check, made certain."""
    done = []

    def before(conn, _cursor, statement, _params, _context, _many):
        if not done and statement.lstrip().upper().startswith(f"INSERT INTO {table.name.upper()}"):
            done.append(True)
            with db.engine.connect() as other:
                other.execute(insert(table).values(**values))
                other.commit()

    event.listen(db.engine, "before_cursor_execute", before)
    return lambda: event.remove(db.engine, "before_cursor_execute", before)


def test_a_network_proposed_at_the_same_moment_gets_the_name_message(ctx, world):
    outsider, leader = world.get("outsider"), world.get("leader")
    stop = _someone_else_inserts_first(Network.__table__, {
        "name": "Chess club", "purpose": "Theirs.", "leader_id": leader.id,
        "proposed_by_id": leader.id, "status": "proposed", "is_open": False})
    try:
        with pytest.raises(DomainError, match="already a network with that name"):
            lifecycle.propose_network(actor=outsider, name="Chess club", purpose="Mine.")
    finally:
        stop()
    assert ctx.scalar(select(func.count()).select_from(Network).where(
        Network.name == "Chess club")) == 1


def test_a_skill_suggested_at_the_same_moment_gets_the_vocabulary_message(ctx, vocab):
    user = factories.user()
    category = ctx.get(Skill, vocab["Phonics"]).category_id
    ctx.commit()  # the other connection must be free to write
    stop = _someone_else_inserts_first(Skill.__table__, {
        "name": "Chess", "category_id": category, "status": "suggested", "synonyms": ""})
    try:
        with pytest.raises(DomainError, match="“Chess” is already in the skills list"):
            directory.suggest_skill(actor=user, name="Chess", category_id=category)
    finally:
        stop()


def test_plan_rows_added_at_the_same_moment_are_both_kept(ctx, world):
    from eip_site.networks.plans import save_plan_row

    network, leader = world.get("network"), world.get("leader")
    stop = _someone_else_inserts_first(PlanRow.__table__, {
        "network_id": network.id, "position": 1, "action": "Theirs", "status": "not_started"})
    try:
        row = save_plan_row(actor=leader, network=network, row=None, action="Mine",
                            timescale="", resources="", involved="", success_criteria="",
                            status="not_started", progress="")
    finally:
        stop()
    assert row.position == 2
    assert ctx.scalars(select(PlanRow.action).where(PlanRow.network_id == network.id)
                       .order_by(PlanRow.position)).all() == ["Theirs", "Mine"]


@pytest.mark.parametrize("name, message", [
    ("network proposal", b"already a network with that name"),
    ("skill suggestion", b"already in the skills list"),
])
def test_two_different_drawings_at_the_same_moment_one_saved_one_told_why(
        app, world, vocab, name, message):
    """No token in common (two tabs): the unique key decides, and the loser is told as the
    check would tell them, never a 500."""
    who, _page, action, data, model = _case(app, world, vocab, name)
    before = count(app, model)
    answers = _at_once(app, who, action, data)
    assert sorted(a.status_code for a in answers) == [303, 422]
    assert message in next(a for a in answers if a.status_code == 422).data
    assert count(app, model) == before + 1


@pytest.mark.parametrize("who, page, forms", [
    ("champion", "/reviews/new", 1),          # booking a review
    ("lead", "/admin/users/new", 1),          # an invitation
    ("lead", "/admin/schools/new", 1),
    ("reviewers", "/reviews/availability", 1),  # days off
    ("lead", "/admin/terms", 2),              # a term, a closure
    ("lead", "/reviews/rota", 1),
])
def test_every_other_create_form_carries_a_token(client, world, who, page, forms):
    person = world[who][0] if isinstance(world[who], list) else world[who]
    sign_in(client, person)
    body = client.get(page).get_data(as_text=True)
    assert body.count('name="form_token"') == forms


def test_a_term_sent_twice_is_added_once(app, client, world):
    from eip_site.reviews.models import Term

    sign_in(client, world["lead"])
    token = token_in(client.get("/admin/terms").get_data(as_text=True), "/admin/terms")
    data = {"form": "term", "term-name": "Summer", "term-start_date": days(40).isoformat(),
            "term-end_date": days(80).isoformat(), "form_token": token}
    first, second = client.post("/admin/terms", data=data), client.post("/admin/terms", data=data)
    assert first.status_code == second.status_code == 303
    assert count(app, Term) == 1
