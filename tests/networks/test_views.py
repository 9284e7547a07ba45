"""Network and meeting pages: status, page vs fragment, permissions, and bad input as 4xx."""

from __future__ import annotations

from datetime import time, timedelta

from icalendar import Calendar

from eip_site.extensions import db
from eip_site.networks import meetings, pages
from eip_site.networks.models import Action, AgendaItem, Meeting

from ..helpers import fragment as fragment_of
from ..helpers import long_date, sign_in, thursday, utc

HX = {"HX-Request": "true"}


def _held(app, world):
    with app.app_context():
        leader, meeting = world.get("leader"), world.get("meeting")
        meetings.publish_agenda(actor=leader, meeting=meeting)
        meetings.mark_held(actor=leader, meeting=meeting)
        db.session.commit()


def test_networks_list_and_page(client, world):
    sign_in(client, world["member"])
    response = client.get("/networks/")
    assert response.status_code == 200 and b"Transitions" in response.data
    page = client.get(f"/networks/{world['network']}")
    assert page.status_code == 200
    assert b"Fran Friend" in page.data and b"Critical friend" in page.data
    assert client.get("/networks/999").status_code == 404


def test_propose_validates_and_a_lead_sponsors(client, world):
    sign_in(client, world["outsider"])
    bad = client.post("/networks/new", data={"name": "x" * 10_000, "purpose": ""})
    assert bad.status_code == 422
    assert b"120 characters or fewer" in bad.data and b"Enter the network" in bad.data
    ok = client.post("/networks/new", data={"name": "Behaviour 🙂", "purpose": "Routines."})
    assert ok.status_code == 303
    network_id = int(ok.headers["Location"].rsplit("/", 1)[1])
    sign_in(client, world["lead"])
    page = client.get(f"/networks/{network_id}")
    assert b"Sponsor or decline" in page.data
    decided = client.post(f"/networks/{network_id}/decision",
                          data={"decision": "sponsor", "comment": "Good",
                                "critical_friend": str(world["friend"])})
    assert decided.status_code == 303


def test_join_and_accept(client, world):
    sign_in(client, world["outsider"])
    assert client.post(f"/networks/{world['network']}/join").status_code == 303
    assert client.post(f"/networks/{world['network']}/join").status_code == 422
    accept = f"/networks/{world['network']}/members/{world['outsider']}"
    assert client.post(accept).status_code == 403
    sign_in(client, world["leader"])
    assert client.post(accept).status_code == 303


def test_meeting_new_form_and_errors(client, world):
    sign_in(client, world["leader"])
    url = f"/networks/{world['network']}/meetings/new"
    assert client.get(url).status_code == 200
    day = thursday(9).isoformat()
    bad = client.post(url, data={"day": day, "start": "17:00", "end": "16:00",
                                 "school": str(world["school"]), "start_from": "template"})
    assert bad.status_code == 422 and b"must end after it starts" in bad.data
    ok = client.post(url, data={"day": day, "start": "16:00", "end": "17:30",
                                "online_link": "https://meet.example/x",
                                "start_from": "previous"})
    assert ok.status_code == 303 and "/meetings/" in ok.headers["Location"]
    sign_in(client, world["member"])
    assert client.get(url).status_code == 403


def test_meeting_page_fragment_and_visibility(client, world):
    sign_in(client, world["member"])
    page = client.get(f"/meetings/{world['meeting']}")
    assert page.status_code == 200 and b"<h1>" in page.data and b"Matters arising" in page.data
    fragment = client.get(f"/meetings/{world['meeting']}", headers=HX)
    assert fragment_of(fragment)[1].startswith('<section id="agenda"')
    assert b"<h1>" not in fragment.data
    sign_in(client, world["outsider"])
    assert client.get(f"/meetings/{world['meeting']}").status_code == 403


def test_items_add_move_and_bad_input(client, world):
    sign_in(client, world["leader"])
    url = f"/meetings/{world['meeting']}/items"
    for data, message in [
            ({"title": "T", "kind": "discussion", "duration": "-5"}, b"from 0 to 240"),
            ({"title": "T", "kind": "discussion", "duration": "1000"}, b"from 0 to 240"),
            ({"title": "x" * 10_000, "kind": "discussion", "duration": "5"}, b"200 characters"),
            ({"title": "T", "kind": "discussion", "duration": "5",
              "presenter": str(world["outsider"])}, b"must be a member")]:
        response = client.post(url, data=data, headers=HX)
        assert response.status_code == 422, data
        assert message in response.data
        assert b"There is a problem" in response.data
    added = client.post(url, data={"title": "Shared project 🎒", "kind": "decision",
                                   "duration": "20", "presenter": str(world["member"])},
                        headers=HX)
    assert added.status_code == 200 and "Shared project 🎒".encode() in added.data
    with client.application.app_context():
        item_id = db.session.query(AgendaItem.id).filter_by(title="Shared project 🎒").scalar()
    moved = client.post(f"/meetings/{world['meeting']}/items/{item_id}/move",
                        data={"direction": "up"}, headers=HX)
    assert moved.status_code == 200 and b"data-autofocus" in moved.data
    plain = client.post(f"/meetings/{world['meeting']}/items/{item_id}/move",
                        data={"direction": "up"})
    assert plain.status_code == 303 and plain.headers["Location"].endswith(f"#item-{item_id}")


def test_removing_an_item_asks_first_naming_its_papers(client, world, app):
    from io import BytesIO

    from werkzeug.datastructures import FileStorage

    from eip_site.files import services as files
    from eip_site.networks import agenda

    with app.app_context():
        leader = world.get("leader")
        item = agenda.add_item(actor=leader, meeting=world.get("meeting"), title="Visits",
                               notes="Who goes where")
        files.upload(actor=leader, kind="item", parent=item,
                     upload=FileStorage(BytesIO(b"%PDF-1.4 rota"), "rota.pdf"))
        db.session.commit()
        item_id = item.id
    sign_in(client, world["member"])
    url = f"/meetings/{world['meeting']}/items/{item_id}/remove"
    assert client.get(url).status_code == 403  # a member who did not propose it
    sign_in(client, world["leader"])
    edit = client.get(f"/meetings/{world['meeting']}/items/{item_id}/edit").get_data(as_text=True)
    assert f'href="{url}"' in edit and "<form method=\"post\" action=\"" + url not in edit
    page = client.get(url).get_data(as_text=True)
    assert "<h1>Remove this item</h1>" in page and "<blockquote>Visits</blockquote>" in page
    assert "with its notes and its 1 paper (rota)" in page and "cannot be undone" in page
    with app.app_context():
        assert db.session.get(AgendaItem, item_id) is not None  # asking removed nothing
    done = client.post(url)
    assert done.status_code == 303
    with app.app_context():
        assert db.session.get(AgendaItem, item_id) is None


def test_member_proposes_but_cannot_move(client, world):
    sign_in(client, world["member"])
    proposed = client.post(f"/meetings/{world['meeting']}/items",
                           data={"title": "Visits", "kind": "information", "duration": "5"})
    assert proposed.status_code == 303
    moved = client.post(f"/meetings/{world['meeting']}/items/{world['items'][1]}/move",
                        data={"direction": "up"})
    assert moved.status_code == 403


def test_overrun_is_announced(client, world):
    sign_in(client, world["leader"])
    client.post(f"/meetings/{world['meeting']}/items",
                data={"title": "Long one", "kind": "discussion", "duration": "120"})
    page = client.get(f"/meetings/{world['meeting']}")
    assert b"The agenda overruns by" in page.data


def test_stale_item_edit_is_refused_with_their_version_and_my_text(client, world, app):
    sign_in(client, world["leader"])
    item_id = world["items"][2]
    url = f"/meetings/{world['meeting']}/items/{item_id}/edit"
    assert client.get(url).status_code == 200
    with app.app_context():
        version = db.session.get(AgendaItem, item_id).version
    base = {"kind": "discussion", "duration": "10", "version": str(version)}
    assert client.post(url, data={**base, "title": "Their title"}).status_code == 303
    stale = client.post(url, data={**base, "title": "My title"})
    assert stale.status_code == 409
    assert b"Their title" in stale.data and b'value="My title"' in stale.data


def test_agenda_cannot_change_after_the_meeting_is_held(client, world, app):
    _held(app, world)
    sign_in(client, world["leader"])
    response = client.post(f"/meetings/{world['meeting']}/items",
                           data={"title": "Late", "kind": "discussion", "duration": "5"})
    assert response.status_code == 422 and b"can no longer change" in response.data


def test_minutes_html_refused_stale_refused_and_rendered_safely(client, world, app):
    _held(app, world)
    sign_in(client, world["leader"])
    item_id = world["items"][0]
    url = f"/meetings/{world['meeting']}/items/{item_id}/minutes"
    with app.app_context():
        version = db.session.get(AgendaItem, item_id).version
    p = f"item{item_id}-"
    bad = client.post(url, data={p + "minutes": '<script>alert(1)</script>',
                                 p + "version": str(version)}, headers=HX)
    assert bad.status_code == 422 and b"not HTML" in bad.data
    ok = client.post(url, data={p + "minutes": "**Welcome** to all",
                                p + "version": str(version)}, headers=HX)
    assert ok.status_code == 200 and f'id="minutes-{item_id}"'.encode() in ok.data
    stale = client.post(url, data={p + "minutes": "My own words", p + "version": str(version)},
                        headers=HX)
    assert stale.status_code == 409
    assert b"<strong>Welcome</strong>" in stale.data and b"My own words" in stale.data
    page = client.get(f"/meetings/{world['meeting']}/minutes")
    assert page.status_code == 200 and b"Minutes drafted" in page.data


def test_a_proposed_item_has_no_minutes(client, world, app):
    sign_in(client, world["member"])
    client.post(f"/meetings/{world['meeting']}/items",
                data={"title": "Visits", "kind": "information", "duration": "5"})
    _held(app, world)
    with app.app_context():
        item_id = db.session.query(AgendaItem.id).filter_by(title="Visits").scalar()
    sign_in(client, world["leader"])
    response = client.post(f"/meetings/{world['meeting']}/items/{item_id}/minutes",
                           data={f"item{item_id}-minutes": "x"}, headers=HX)
    assert response.status_code == 404


def test_attendance_decisions_actions_and_my_actions(client, world, app):
    _held(app, world)
    sign_in(client, world["leader"])
    base = f"/meetings/{world['meeting']}"
    response = client.post(base + "/attendance", data={
        f"attendance-{world['member']}": "present", f"attendance-{world['friend']}": "apologies"})
    assert response.status_code == 303
    assert client.post(base + "/decisions", data={"text": ""}).status_code == 422
    assert client.post(base + "/decisions", data={"text": "Adopt it"}).status_code == 303
    bad = client.post(base + "/actions", data={"description": "Do it",
                                               "owner": str(world["outsider"]),
                                               "due_on": thursday(5).isoformat()})
    assert bad.status_code == 422 and b"network" in bad.data
    assert client.post(base + "/actions", data={
        "description": "Share the plan", "owner": str(world["member"]),
        "due_on": thursday(5).isoformat()}).status_code == 303
    sign_in(client, world["member"])
    mine = client.get("/actions/")
    assert mine.status_code == 200 and b"Share the plan" in mine.data
    with app.app_context():
        action = db.session.query(Action).one()
        action_id, version = action.id, action.version
    done = client.post(f"/actions/{action_id}/status",
                       data={"status": "done", "version": str(version)}, headers=HX)
    assert done.status_code == 200 and done.data.lstrip().startswith(b"<tr")
    assert b"Reopen" in done.data
    sign_in(client, world["outsider"])
    assert client.post(f"/actions/{action_id}/status", data={"status": "open"}).status_code == 403


def test_ics_has_stable_uid_and_rising_sequence(client, world):
    sign_in(client, world["leader"])
    url = f"/meetings/{world['meeting']}.ics"
    first = Calendar.from_ical(client.get(url).data).walk("VEVENT")[0]
    client.post(f"/meetings/{world['meeting']}/items",
                data={"title": "New", "kind": "discussion", "duration": "5"})
    second = Calendar.from_ical(client.get(url).data).walk("VEVENT")[0]
    assert first["UID"] == second["UID"]
    assert int(second["SEQUENCE"]) > int(first["SEQUENCE"])
    assert second.decoded("DTSTART").isoformat() == utc(thursday(4), time(16, 0)).isoformat()
    assert second.decoded("DTEND").isoformat() == utc(thursday(4), time(17, 15)).isoformat()


def test_open_network_shows_published_agenda_and_approved_minutes_only(client, world, app):
    with app.app_context():
        meeting = db.session.get(Meeting, world["meeting"])
        meeting.network.is_open = True
        db.session.commit()
    sign_in(client, world["outsider"])
    assert client.get(f"/meetings/{world['meeting']}").status_code == 403  # draft
    _held(app, world)
    assert client.get(f"/meetings/{world['meeting']}").status_code == 200
    assert client.get(f"/meetings/{world['meeting']}/minutes").status_code == 403


def test_overview_for_leads_only(client, world):
    sign_in(client, world["lead"])
    response = client.get("/networks/overview")
    assert response.status_code == 200 and b"Attendance by school" in response.data
    sign_in(client, world["member"])
    assert client.get("/networks/overview").status_code == 403


def test_action_plan_kept_by_leader_and_friend(client, world, app):
    sign_in(client, world["member"])
    assert client.get(f"/networks/{world['network']}/plan/new").status_code == 403
    sign_in(client, world["friend"])
    bad = client.post(f"/networks/{world['network']}/plan/new", data={"action": "",
                                                                    "plan_status": "done"})
    assert bad.status_code == 422 and b"Enter the action" in bad.data
    ok = client.post(f"/networks/{world['network']}/plan/new", data={
        "action": "Joint Year 6 project", "timescale": "Spring term", "plan_status": "in_progress",
        "success_criteria": "Every Year 6 pupil visits"})
    assert ok.status_code == 303
    page = client.get(f"/networks/{world['network']}")
    assert b"Joint Year 6 project" in page.data and b"In progress" in page.data
    from eip_site.networks.models import PlanRow
    with app.app_context():
        row = db.session.query(PlanRow).one()
        row_id, version = row.id, row.version
    url = f"/networks/{world['network']}/plan/{row_id}"
    sign_in(client, world["leader"])
    assert client.post(url, data={"action": "Theirs", "plan_status": "done",
                                  "version": str(version)}).status_code == 303
    stale = client.post(url, data={"action": "Mine", "plan_status": "in_progress",
                                   "version": str(version)})
    assert stale.status_code == 409 and b"Theirs" in stale.data and b'value="Mine"' in stale.data


def test_stale_meeting_change_is_refused(client, world, app):
    sign_in(client, world["leader"])
    url = f"/meetings/{world['meeting']}/edit"
    assert client.get(url).status_code == 200
    with app.app_context():
        version = db.session.get(Meeting, world["meeting"]).version
    data = {"day": thursday(4).isoformat(), "start": "16:30", "end": "17:30",
            "school": str(world["school"]), "version": str(version)}
    assert client.post(url, data=data).status_code == 303
    assert client.post(url, data={**data, "start": "15:30"}).status_code == 409


def test_next_meeting_agenda_offers_to_approve_the_last_minutes(client, world, app):
    _held(app, world)
    sign_in(client, world["leader"])
    item_id = world["items"][0]
    with app.app_context():
        version = db.session.get(AgendaItem, item_id).version
    client.post(f"/meetings/{world['meeting']}/items/{item_id}/minutes",
                data={f"item{item_id}-minutes": "Welcome.", f"item{item_id}-version": version})
    created = client.post(f"/networks/{world['network']}/meetings/new", data={
        "day": thursday(10).isoformat(), "start": "16:00", "end": "17:00",
        "school": str(world["school"])})
    following = created.headers["Location"]
    page = client.get(following)
    assert b"Approve those minutes" in page.data
    earlier = client.get(f"/meetings/{world['meeting']}")
    assert b"Already arranged" in earlier.data
    approved = client.post(f"/meetings/{world['meeting']}/state", data={"step": "approve"})
    assert approved.status_code == 303
    minutes = client.get(f"/meetings/{world['meeting']}/minutes")
    assert b"Minutes approved by Lena Leader" in minutes.data


def test_a_lead_closes_a_network(client, world):
    sign_in(client, world["leader"])
    assert client.post(f"/networks/{world['network']}/close").status_code == 403
    sign_in(client, world["lead"])
    assert b"Close the network" in client.get(f"/networks/{world['network']}").data
    assert client.post(f"/networks/{world['network']}/close").status_code == 303
    assert client.post(f"/networks/{world['network']}/close").status_code == 422
    page = client.get(f"/networks/{world['network']}")
    assert b"Closed" in page.data and b"Arrange a meeting" not in page.data


def test_a_lead_declines_a_proposal_and_bad_decisions_are_refused(client, world):
    sign_in(client, world["member"])
    created = client.post("/networks/new", data={"name": "Chess club", "purpose": "Chess."})
    network_id = int(created.headers["Location"].rsplit("/", 1)[1])
    assert client.post(f"/networks/{network_id}/decision",
                       data={"decision": "sponsor"}).status_code == 403
    sign_in(client, world["lead"])
    missing = client.post(f"/networks/{network_id}/decision", data={"comment": "Hm"})
    assert missing.status_code == 422 and b"Choose whether to sponsor or decline" in missing.data
    own_friend = client.post(f"/networks/{network_id}/decision", data={
        "decision": "sponsor", "critical_friend": str(world["member"])})
    assert own_friend.status_code == 422 and b"cannot be the network" in own_friend.data
    declined = client.post(f"/networks/{network_id}/decision",
                           data={"decision": "decline", "comment": "Covered by Transitions."})
    assert declined.status_code == 303
    page = client.get(f"/networks/{network_id}")
    assert b"Declined" in page.data and b"Covered by Transitions." in page.data
    assert b"Ask to join" not in page.data


def test_network_page_shows_the_latest_meetings_and_links_to_all(client, world, app):
    first = thursday(4)
    with app.app_context():
        leader, network = world.get("leader"), world.get("network")
        for week in range(1, 11):  # ten more, weekly, all later than the first
            meetings.create_meeting(actor=leader, network=network,
                                    day=first + timedelta(weeks=week), start=time(16, 0),
                                    end=time(17, 0), place="The library")
        db.session.commit()
    sign_in(client, world["member"])
    page = client.get(f"/networks/{world['network']}").get_data(as_text=True)
    assert page.count('href="/meetings/') == pages.RECENT_MEETINGS
    assert long_date(first + timedelta(weeks=10)) in page
    assert f"{first.day} {first:%B %Y}" not in page
    everything = client.get(f"/networks/{world['network']}/meetings")
    assert everything.status_code == 200
    text = everything.get_data(as_text=True)
    assert text.count('href="/meetings/') == 11 and long_date(first) in text
    assert client.get(f"/networks/{world['network']}/meetings?page=99").status_code == 200

    sign_in(client, world["outsider"])  # a closed network's meetings are for its members
    assert client.get(f"/networks/{world['network']}/meetings").status_code == 404
    assert "/meetings/" not in client.get(f"/networks/{world['network']}").get_data(as_text=True)
    with app.app_context():
        db.session.get(Meeting, world["meeting"]).network.is_open = True
        db.session.commit()
    _held(app, world)  # open: only meetings whose agenda is published
    text = client.get(f"/networks/{world['network']}/meetings").get_data(as_text=True)
    assert text.count('href="/meetings/') == 1 and long_date(first) in text
