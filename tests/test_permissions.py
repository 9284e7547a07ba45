"""Walk every route in app.url_map for every role, plain and htmx, against PERMISSIONS."""

from __future__ import annotations

import io

import pytest

from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from eip_site.directory.models import Skill
from eip_site.extensions import db
from eip_site.security import ADMIN, CHAMPION, HEAD, LEAD, PERMISSIONS, PUBLIC, SIGNED_IN

from . import factories
from .helpers import sign_in, thursday

ROLES = [None, "staff", CHAMPION, HEAD, LEAD, ADMIN]

# Answers that depend on more than the table: what an allowed user gets from these URLs.
ALLOWED_STATUS = {
    "auth.invite": 404,          # a made-up token is not a valid link
    "auth.reset": 404,
    "reviews.feed": 404,         # nor a valid calendar link
    "notifications.unsubscribe": 404,  # nor a signed unsubscribe link
    "reviews.answer": 404,       # nor a signed link to answer a review
    "networks.join_answer": 404,  # nor one to let someone join a network
    "auth.sso_callback": 404,    # no single sign-on provider is configured by that name
    "networks.answer_link": 404,  # nor one to answer for a meeting
    "auth.login_code": 303,      # no password entered first: back to sign in
    "auth.reauth_continue": 303,  # no form kept while confirming: home
    "static": 200,
}
SIGNED_IN_STATUS = {"auth.login": 303}  # already signed in: sent home
# Object rules beyond the table: only a head of the same school, a lead or an admin may
# change someone else's profile.
SOMEONE_ELSES_PROFILE = {"/people/<int:user_id>/edit", "/people/<int:user_id>/skills",
                         "/people/<int:user_id>/skills/<int:skill_id>",
                         "/people/<int:user_id>/skills/<int:skill_id>/remove",
                         "/people/<int:user_id>/confirm"}
# Only a network's leader, critical friend or a cluster lead may arrange and run its meetings
# (the world's network is led by someone with none of the roles walked here).
NETWORK_EDITORS_ONLY = {"/networks/<int:network_id>/meetings/new", "/meetings/<int:meeting_id>/edit",
                        "/meetings/<int:meeting_id>/items/<int:item_id>/edit",
                        "/meetings/<int:meeting_id>/items/<int:item_id>/remove",
                        "/networks/<int:network_id>/plan/new",
                        "/networks/<int:network_id>/plan/<int:row_id>",
                        "/files/<any(item, meeting, network, review):parent>/<int:parent_id>/new",
                        "/files/<int:file_id>/delete",
                        "/networks/<int:network_id>/edit",
                        "/meetings/<int:meeting_id>/items/<int:item_id>/decline",
                        "/networks/<int:network_id>/members/<int:user_id>/decline",
                        "/networks/<int:network_id>/members/<int:user_id>/remove",
                        "/decisions/<int:decision_id>/edit", "/decisions/<int:decision_id>/remove",
                        "/actions/<int:action_id>/edit", "/actions/<int:action_id>/remove",
                        "/networks/<int:network_id>/series/new",
                        "/meetings/<int:meeting_id>/series"}
NETWORK_EDITORS_ONLY_POST = NETWORK_EDITORS_ONLY | {
    "/networks/<int:network_id>/members/<int:user_id>", "/meetings/<int:meeting_id>/state",
    "/meetings/<int:meeting_id>/items", "/meetings/<int:meeting_id>/items/<int:item_id>/move",
    "/meetings/<int:meeting_id>/items/<int:item_id>/accept",
    "/meetings/<int:meeting_id>/attendance", "/meetings/<int:meeting_id>/decisions",
    "/meetings/<int:meeting_id>/actions",
    "/meetings/<int:meeting_id>/items/<int:item_id>/minutes",
    "/actions/<int:action_id>/status", "/files/<int:file_id>/replace",
    "/files/<int:file_id>/restore"}


def test_every_route_is_in_the_permission_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = endpoints - PERMISSIONS.keys()
    assert not missing, f"Routes missing from security.PERMISSIONS: {sorted(missing)}"
    stale = PERMISSIONS.keys() - endpoints
    assert not stale, f"PERMISSIONS names routes that do not exist: {sorted(stale)}"


@pytest.fixture
def walk(app, world):
    """Who walks the routes, a person of each role from the world, and what each URL is
    built from: Ian Insider (Host Primary) for the head to manage, a review he is on, and the
    world's network opened, its meeting held and its minutes approved, so that every member
    of staff may read it (with an agenda item, an action and a plan row)."""
    users = {"staff": world["teacher"], CHAMPION: world["champion"], HEAD: world["head"],
             LEAD: world["lead"]}
    with app.app_context():
        users[ADMIN] = factories.user(roles={ADMIN}).id
        skill_id = db.session.scalar(select(Skill.id).order_by(Skill.id))
        review = factories.review(team=(world.get("insider"),))
        network = _opened(world)
        db.session.commit()
        return {"users": users, "args": {"user_id": world["insider"], "school_id": world["host"],
                                         "review_id": review.id, "kind": "closure", **network,
                                         "token": "not-a-real-token", "skill_id": skill_id,
                                         "request_id": 1, "fmt": "csv", "message_id": 1,
                                         "filename": "css/site.css", "name": "nowhere", "what": "agenda",
                                         "identity_id": 1}}


def _opened(world) -> dict:
    from eip_site.files import services as files
    from eip_site.networks import agenda, meetings, minutes, plans

    leader, network, meeting = world.get("leader"), world.get("network"), world.get("meeting")
    network.is_open = True
    item = agenda.add_item(actor=leader, meeting=meeting, title="Shared project")
    meetings.publish_agenda(actor=leader, meeting=meeting)
    meetings.mark_held(actor=leader, meeting=meeting)
    action = minutes.add_action(actor=leader, meeting=meeting, description="Plan",
                                 owner_id=leader.id, due_on=thursday(5))
    decision = minutes.add_decision(actor=leader, meeting=meeting, text="Visit termly")
    minutes.save_minutes(actor=leader, item=item, text="Agreed.")
    meetings.approve_minutes(actor=leader, meeting=meeting)
    row = plans.save_plan_row(actor=leader, network=network, row=None, action="Visits",
                                 timescale="", resources="", involved="", success_criteria="",
                                 status="not_started", progress="")
    paper = files.upload(actor=leader, kind="item", parent=item,
                         upload=FileStorage(io.BytesIO(b"%PDF-1.4 paper"), "paper.pdf"))
    return {"network_id": network.id, "meeting_id": meeting.id, "item_id": item.id,
            "action_id": action.id, "row_id": row.id, "file_id": paper.id, "number": 1,
            "parent": "item", "parent_id": item.id, "decision_id": decision.id}


def expected(endpoint: str, role: str | None, method: str, user_roles: set[str],
             path: str = "") -> int:
    rule = PERMISSIONS[endpoint]
    if rule != PUBLIC and role is None:
        return 303
    if rule not in (PUBLIC, SIGNED_IN) and not (user_roles & rule):
        return 403
    if role in ("staff", CHAMPION) and path in SOMEONE_ELSES_PROFILE:
        return 403
    editors_only = NETWORK_EDITORS_ONLY if method == "GET" else NETWORK_EDITORS_ONLY_POST
    if role in ("staff", CHAMPION, HEAD) and path in editors_only:
        return 403
    if role and endpoint in SIGNED_IN_STATUS:
        return SIGNED_IN_STATUS[endpoint]
    return ALLOWED_STATUS.get(endpoint, 200)


def build(rule, args) -> str:
    return rule.build({k: args[k] for k in rule.arguments}, append_unknown=False)[1]


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonymous")
def test_each_route_answers_as_the_table_says(app, walk, role):
    failures = []
    # GETs first: the empty POSTs that follow may change the world (deactivate the target).
    rules = sorted(app.url_map.iter_rules(), key=lambda r: "GET" not in r.methods)
    for rule in rules:
        url = build(rule, walk["args"])
        for htmx in (False, True):
            client = app.test_client()
            if role:
                sign_in(client, walk["users"][role])
            user_roles = {"staff"} | ({role} if role and role != "staff" else set())
            headers = {"HX-Request": "true"} if htmx else {}
            if "GET" in rule.methods:
                response = client.get(url, headers=headers)
                want = expected(rule.endpoint, role, "GET", user_roles, rule.rule)
            else:  # POST-only: an empty POST must be refused for those not allowed
                response = client.post(url, headers=headers)
                want = expected(rule.endpoint, role, "POST", user_roles, rule.rule)
                if want not in (303, 403):
                    want = None  # allowed: the action's own answer (tested elsewhere)
            got = response.status_code
            if htmx and want == 303:
                # htmx navigates with HX-Redirect, never a 3xx; the anonymous go to sign in.
                target = response.headers.get("HX-Redirect")
                ok = got == 200 and target is not None and (role or target == "/login")
            else:
                ok = want is None and got not in (401, 403) or got == want
            if not ok:
                failures.append(f"{'htmx ' if htmx else ''}{rule.endpoint} {url}: "
                                f"got {got}, want {want}")
    with app.app_context():
        db.session.remove()
    assert not failures, "\n".join(failures)
