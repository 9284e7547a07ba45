"""Network seeds. The demo: four running networks with past meetings (minutes, decisions,
attendance), a future meeting with a published agenda, open and overdue actions, and a
proposal waiting for the cluster lead, built through the services so it obeys the rules. The
bench: by default 100 networks, 3,000 meetings and 30,000 agenda items, with members,
attendance, minutes, decisions and actions, in Core bulk inserts."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from ..clock import to_london
from ..extensions import db
from ..networks.agenda import add_item
from ..networks.lifecycle import decide_proposal, propose_network
from ..networks import series
from ..networks.answers import answer
from ..networks.meetings import TEMPLATE, approve_minutes, create_meeting, mark_held, \
    publish_agenda, send_draft_minutes
from ..networks.minutes import add_action, add_decision, record_attendance, save_minutes
from ..networks.plans import save_plan_row
from ..networks.models import (
    STANDARD_ITEMS,
    Action,
    AgendaItem,
    Attendance,
    Decision,
    Meeting,
    Network,
    NetworkMember,
)
from ..people.models import School, User
from .common import insert_ids, insert_rows

NETWORKS = [
    # name, priority, purpose, leader (school urn, title words), friend school, open
    ("Transitions", "Transition from Year 6 to Year 7",
     "Make the move from primary to secondary school smooth for every pupil, especially the "
     "most vulnerable: shared projects, visits and information that follows the child.",
     "900101", "900104", True),
    ("Gifted and talented", "Stretch and challenge for the most able",
     "Identify able pupils early and plan enrichment across the partnership: master classes, "
     "shared clubs and a common register.", "900104", "900102", True),
    ("Primary behaviour", "Behaviour and attendance",
     "Consistent routines and restorative approaches across the primary schools, with "
     "support from the Harbour Centre.", "900102", "900106", False),
    ("Learning mentors", "Inclusion and wellbeing",
     "Learning mentors share casework approaches, training and resources so that pupils "
     "facing barriers get the same good support in every school.", "900105", "900101", False),
]

ITEMS = {
    "Transitions": [("Year 6 to 7 shared writing project", "decision", 20),
                    ("Summer school plans", "discussion", 15),
                    ("Information passed on for vulnerable pupils", "information", 10)],
    "Gifted and talented": [("Master class programme for spring", "decision", 20),
                            ("Common register of able pupils", "discussion", 15)],
    "Primary behaviour": [("Restorative conversations: training day", "decision", 20),
                          ("Attendance figures by school", "information", 10)],
    "Learning mentors": [("Casework supervision groups", "discussion", 20),
                         ("Wellbeing resources library", "information", 10)],
}

MINUTES = [
    "Welcome from the chair. Apologies as recorded.",
    "The minutes of the last meeting were **approved** as a true record.",
    "Actions reviewed: see matters arising.",
    "Discussion:\n\n* Each school shared its current practice.\n* Agreed to trial a common "
    "approach next half term.\n\nSee the decisions below.",
    "Schools reported progress. *Questions* to be taken to the next meeting.",
    "None.",
    "Next meeting as arranged on the site.",
]
ACTIONS = ["Share the draft scheme with all schools", "Book the venue for the training day",
           "Collect the figures from each school", "Draft a one-page guide for parents",
           "Invite the local authority adviser", "Set up the shared folder"]
DECISIONS = ["Adopt the common approach from next half term.",
             "Fund supply cover for two days from the network budget.",
             "Share anonymised case studies at each meeting."]


PLAN = [("Agree a shared approach and write it up", "Autumn term", "done",
         "Agreed at the October meeting; guide drafted."),
        ("Trial the approach in every member school", "Spring term", "in_progress",
         "Four schools have started."),
        ("Review impact on pupils with the critical friend", "Summer term", "not_started", "")]


def _weekday_after(day: date) -> date:
    while day.weekday() not in (1, 2, 3):  # Tuesday to Thursday
        day += timedelta(days=1)
    return day


def _pick(rng: random.Random, users: list[User], n: int, not_in: set[int]) -> list[User]:
    pool = [u for u in users if u.id not in not_in]
    return rng.sample(pool, min(n, len(pool)))


def seed_demo(rng: random.Random, now: datetime) -> None:
    lead = db.session.scalars(select(User).where(User.role_rows.any(role="lead"))
                              .order_by(User.id)).first()
    schools = {s.urn: s for s in db.session.scalars(select(School))}
    staff = list(db.session.scalars(
        select(User).where(User.active.is_(True), User.password_hash.is_not(None),
                           User.school_id.is_not(None)).order_by(User.id)))
    plain = [u for u in staff if not u.role_rows]
    heads = {u.school_id: u for u in staff if u.has_role("head")}
    today = to_london(now).date()
    for n, (name, priority, purpose, urn, friend_urn, is_open) in enumerate(NETWORKS):
        school = schools[urn]
        # The demo's staff login (the first plain member of staff at Oakfield) leads Transitions.
        leader = next(u for u in plain if u.school_id == school.id)
        network = propose_network(
            actor=leader, name=name, purpose=purpose, priority=priority, is_open=is_open,
            planned_work="Termly meetings, shared projects and visits between schools.",
            resources="Two supply days a term; a small budget for materials.",
            impact_pupils="Pupils experience consistent, well-planned support.",
            impact_adults="Staff learn from colleagues in other schools.",
            impact_leadership="Network leaders develop leadership beyond their own school.",
            innovation="Trial new approaches in one school, then share what works.",
            communication="Agendas and minutes on the partnership site; a termly summary.")
        decide_proposal(actor=lead, network=network, sponsor=True,
                                 comment="Sponsored: a clear link to the partnership plan.",
                                 critical_friend_id=heads[schools[friend_urn].id].id)
        chosen = _pick(rng, [u for u in staff if u.school_id != school.id], 5,
                       {leader.id, network.critical_friend_id})
        chosen += _pick(rng, [u for u in staff if u.school_id == school.id], 1,
                        {leader.id, network.critical_friend_id})
        for member in chosen:
            db.session.add(NetworkMember(network_id=network.id, user_id=member.id))
        db.session.flush()
        people = [leader, network.critical_friend, *chosen]
        _meetings(rng, network, leader, people, today, n)
        if name == "Learning mentors":
            _series(network, leader, today)
        for action, timescale, status, progress in PLAN:
            save_plan_row(
                actor=leader, network=network, row=None, action=action, timescale=timescale,
                resources="Two supply days", involved=f"Network members; {school.name}",
                success_criteria="Every school in the network takes part and reports back.",
                status=status, progress=progress)
    # One proposal waiting for the lead, from a member of staff.
    proposer = plain[len(plain) // 2]
    propose_network(
        actor=proposer, name="Early reading", priority="Reading",
        purpose="Share phonics practice and early reading assessment across the infant and "
                "primary schools.", planned_work="Moderate phonics assessments together.",
        resources="One supply day a term.", impact_pupils="More pupils read fluently by Year 2.")


def _meetings(rng, network, leader, people, today: date, n: int) -> None:
    """Three past meetings (the last with draft minutes) and one to come, agenda published."""
    offsets = [-75 + n, -47 + n, -19 + n, 12 + n]
    meetings = []
    for index, offset in enumerate(offsets):
        day = _weekday_after(today + timedelta(days=offset))
        meeting = create_meeting(
            actor=leader, network=network, day=day, start=time(16, 0),
            end=time(17, 15 if index % 2 else 30), school_id=people[index % 3].school_id,
            place="Staff room" if index % 2 else "Library", copy_previous=False)
        for title, kind, minutes in ITEMS[network.name]:
            presenter = people[rng.randrange(len(people))]
            add_item(actor=leader, meeting=meeting, title=title, kind=kind,
                              presenter_id=presenter.id, duration=minutes,
                              notes="Papers on the shared drive." if kind == "decision" else "")
        publish_agenda(actor=leader, meeting=meeting)
        meetings.append(meeting)
        if offset > 0:
            # A member has proposed an item for the leader to consider.
            add_item(actor=people[-1], meeting=meeting, title="Visit to Willowbank",
                              kind="information", duration=5)
            # Most have answered: coming, or apologies (one with a note); one has not.
            for k, person in enumerate(people[1:-1]):
                said = "apologies" if k % 3 == 1 else "coming"
                answer(actor=person, meeting=meeting, answer=said,
                       note="Year 6 residential that week." if k == 1 else "")
            continue
        mark_held(actor=leader, meeting=meeting)
        record_attendance(actor=leader, meeting=meeting, members=people, statuses={
            p.id: rng.choices(["present", "apologies", "absent"], [7, 2, 1])[0]
            for p in people})
        for item, text in zip(meeting.items, MINUTES):
            save_minutes(actor=leader, item=item, text=text)
        add_decision(actor=leader, meeting=meeting, text=DECISIONS[index % 3],
                              item_id=meeting.items[3].id)
        for k in range(2):
            owner = people[(index + k + 1) % len(people)]
            due = day + timedelta(days=14 + 7 * k)
            if (index, k) == (2, 0):
                # The leader owns one action that is overdue whatever today's date, so the demo
                # staff login (Transitions' leader) always has something waiting past its date.
                owner, due = leader, day + timedelta(days=7)
            action = add_action(
                actor=leader, meeting=meeting, description=ACTIONS[(index * 2 + k) % 6],
                owner_id=owner.id, due_on=due)
            # Older actions are mostly done; the last meeting's stay open (some overdue).
            if index == 0 or (index == 1 and k == 0):
                action.status, action.done_at = "done", meeting.ends_at + timedelta(days=10)
        if index < 2:
            approve_minutes(actor=network.critical_friend, meeting=meeting)
        elif n == 0:  # Transitions' leader has sent the last meeting's draft minutes round
            send_draft_minutes(actor=leader, meeting=meeting)
    db.session.flush()


def _series(network, leader, today: date) -> None:
    """A half-termly series for the rest of the school year: Tuesday of week 3, 16:00 to
    17:30, at the leader's school, the holidays of the demo's school calendar skipped."""
    pattern = series.Pattern("half_term", 1, 3, None, today + timedelta(days=1),
                             date(today.year + (today.month >= 9), 8, 31), time(16),
                             time(17, 30), leader.school_id, "Library", "")
    if series.series_days(series.school_calendar(), pattern="half_term", weekday=1, week=3,
                          every=1, first=pattern.first_day, last=pattern.last_day):
        series.create_series(actor=leader, network=network, pattern=pattern)


# --- The benchmark partnership ------------------------------------------------------------

TOPICS = ["Transition", "Behaviour", "Gifted and talented", "Learning mentors", "Early reading",
          "Maths mastery", "SEND", "Attendance", "Science", "Wellbeing", "Oracy", "Computing"]


def seed_bench(conn, rng: random.Random, now: datetime, people: list[tuple[int, int]], *,
               networks: int = 100, meetings: int = 30, items: int = 10,
               members: int = 8) -> dict[str, int]:
    """``people`` are (user id, school id). Every network has ``meetings`` meetings a
    fortnight apart, the last still to come; each has ``items`` agenda items (the standard
    five and the rest ordinary), attendance, a decision and two actions, one left open."""
    network_rows, crew = [], []
    for n in range(networks):
        chosen = rng.sample(people, min(len(people), members + 2))
        crew.append(chosen)
        network_rows.append({
            "name": f"{TOPICS[n % len(TOPICS)]} network {n + 1}", "purpose": "Benchmark.",
            "priority": TOPICS[n % len(TOPICS)], "status": "sponsored", "is_open": n % 2 == 0,
            "leader_id": chosen[0][0],
            "critical_friend_id": chosen[1][0] if len(chosen) > 1 else None,
            "proposed_by_id": chosen[0][0], "created_at": now - timedelta(days=500),
            "version": 1, **{k: "" for k in ("planned_work", "resources", "impact_pupils",
                                             "impact_adults", "impact_leadership",
                                             "innovation", "communication",
                                             "lead_comment")}})
    network_ids = insert_ids(conn, Network, network_rows)
    insert_rows(conn, NetworkMember, [
        {"network_id": nid, "user_id": uid, "status": "member", "created_at": now}
        for nid, chosen in zip(network_ids, crew) for uid, _ in chosen[2:]])

    meeting_rows, owners = [], []
    for nid, chosen in zip(network_ids, crew):
        first = now - timedelta(days=14 * (meetings - 1) - 7)
        for m in range(meetings):
            start = (first + timedelta(days=14 * m)).replace(hour=16, minute=0, second=0,
                                                             microsecond=0)
            past = m < meetings - 1
            state = ("minutes_approved" if m < meetings - 2 else "minutes_drafted") if past \
                else "published"
            meeting_rows.append({
                "network_id": nid, "starts_at": start, "ends_at": start + timedelta(minutes=90),
                "school_id": chosen[m % len(chosen)][1], "place": "Library", "online_link": "",
                "state": state, "sequence": 1, "published_at": start - timedelta(days=7),
                "minutes_approved_at": start + timedelta(days=14) if state == "minutes_approved"
                else None,
                "minutes_approved_by_id": chosen[1][0] if state == "minutes_approved" else None,
                "created_at": start - timedelta(days=14), "version": 1})
            owners.append((nid, chosen, past, start))
    meeting_ids = insert_ids(conn, Meeting, meeting_rows)

    item_rows, attendance, decisions, actions = [], [], [], []
    ordinary = max(0, items - len(TEMPLATE))
    for mid, (nid, chosen, past, start) in zip(meeting_ids, owners):
        position = 0
        for standard, kind, minutes in TEMPLATE:
            if standard == "aob":
                for k in range(ordinary):
                    position += 1
                    item_rows.append(_item(mid, position, None, f"Item {k + 1}", "discussion",
                                           10, chosen[k % len(chosen)][0], past))
            position += 1
            item_rows.append(_item(mid, position, standard, STANDARD_ITEMS[standard], kind,
                                   minutes, None, past))
        if not past:
            continue
        for k, (uid, school_id) in enumerate(chosen):
            attendance.append({"meeting_id": mid, "user_id": uid, "school_id": school_id,
                               "status": ("present", "present", "present", "apologies",
                                          "absent")[(k + mid) % 5]})
        decisions.append({"meeting_id": mid, "item_id": None, "text": "Agreed to go ahead.",
                          "created_at": start})
        for k in range(2):
            done = k == 0
            actions.append({
                "network_id": nid, "meeting_id": mid, "item_id": None,
                "description": f"Follow up {k + 1}", "owner_id": chosen[(mid + k) % len(chosen)][0],
                "due_on": (start + timedelta(days=10 + 7 * k)).date(),
                "status": "done" if done else "open",
                "created_at": start, "done_at": start + timedelta(days=9) if done else None,
                "version": 1})
    for model, rows in ((AgendaItem, item_rows), (Attendance, attendance),
                        (Decision, decisions), (Action, actions)):
        insert_rows(conn, model, rows)
    return {"networks": len(network_ids), "meetings": len(meeting_ids),
            "agenda_items": len(item_rows), "attendance": len(attendance),
            "actions": len(actions)}


def _item(meeting_id, position, standard, title, kind, duration, presenter_id, past) -> dict:
    return {"meeting_id": meeting_id, "position": position, "standard": standard,
            "title": title, "kind": kind, "presenter_id": presenter_id, "duration": duration,
            "notes": "", "status": "accepted", "proposed_by_id": None,
            "minutes": "Discussed and agreed." if past else "", "version": 1}
