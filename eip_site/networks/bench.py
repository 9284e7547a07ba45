"""Networks for the benchmark partnership: by default 100 networks, 3,000 meetings and 30,000
agenda items, with members, attendance, minutes, decisions and actions, in Core bulk inserts."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import insert

from .models import (
    STANDARD_ITEMS,
    Action,
    AgendaItem,
    Attendance,
    Decision,
    Meeting,
    Network,
    NetworkMember,
)
from .services import TEMPLATE

TOPICS = ["Transition", "Behaviour", "Gifted and talented", "Learning mentors", "Early reading",
          "Maths mastery", "SEND", "Attendance", "Science", "Wellbeing", "Oracy", "Computing"]
CHUNK = 10_000


def _bulk(conn, model, rows, returning: bool = False):
    if returning:
        return list(conn.scalars(insert(model).returning(model.id,
                                                         sort_by_parameter_order=True), rows))
    for start in range(0, len(rows), CHUNK):
        conn.execute(insert(model), rows[start:start + CHUNK])
    return None


def seed_networks(conn, rng: random.Random, now: datetime, people: list[tuple[int, int]], *,
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
    network_ids = _bulk(conn, Network, network_rows, returning=True)
    _bulk(conn, NetworkMember, [
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
    meeting_ids = _bulk(conn, Meeting, meeting_rows, returning=True)

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
        _bulk(conn, model, rows)
    return {"networks": len(network_ids), "meetings": len(meeting_ids),
            "agenda_items": len(item_rows), "attendance": len(attendance),
            "actions": len(actions)}


def _item(meeting_id, position, standard, title, kind, duration, presenter_id, past) -> dict:
    return {"meeting_id": meeting_id, "position": position, "standard": standard,
            "title": title, "kind": kind, "presenter_id": presenter_id, "duration": duration,
            "notes": "", "status": "accepted", "proposed_by_id": None,
            "minutes": "Discussed and agreed." if past else "", "version": 1}
