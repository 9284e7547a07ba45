"""A local-authority-sized partnership for benchmarks: 200 schools x 50 staff by default.

Core bulk inserts (executemany) on one connection and one password hash for everyone, so
10,000 people and ~80,000 skill links load in seconds on SQLite and on PostgreSQL. Only for
an empty, separate database: it refuses one that holds any account. The caller commits.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func, insert, select
from werkzeug.security import generate_password_hash

from .clock import utcnow
from .demo import FIRST, LAST, TITLES
from .directory.models import OFFERS, Offer, Profile, Qualification, Skill, UserSkill
from .directory.vocabulary import install_default_vocabulary
from .extensions import db
from .people.models import Partnership, School, User, UserRole
from .security import LEAD

DEFAULT_PASSWORD = "bench-partnership-2026"
DEFAULT_SEED = 2027
LEAD_EMAIL = "bench.lead@bench-partnership.example"
PARTNERSHIP_NAME = "Benchmark Schools Partnership"

# Roughly the mix of an English local authority's schools (per 200).
PHASE_MIX = [("primary", 118), ("infant", 14), ("junior", 12), ("nursery", 4),
             ("secondary", 32), ("all-through", 4), ("special", 12), ("pru", 4)]
# Job titles for the phases the demo has no list for.
TITLES_FOR = {"nursery": "infant", "all-through": "secondary"}
TOWNS = ["Ashby", "Bramley", "Castleford", "Denholme", "Eastwood", "Fairburn", "Garforth",
         "Harewood", "Ilkley", "Kirkstall", "Lofthouse", "Morley", "Normanton", "Otley",
         "Pudsey", "Rothwell", "Shipley", "Thorner", "Wetherby", "Yeadon"]
KINDS = {"primary": "Primary School", "infant": "Infant School", "junior": "Junior School",
         "nursery": "Nursery School", "secondary": "Academy", "all-through": "All-through School",
         "special": "School", "pru": "Learning Centre"}
# Skills that people in these phases hold far more often (names from the vocabulary).
PHASE_SKILLS = {
    "early": ["Phonics", "Reading", "EYFS curriculum", "Early language", "Early maths",
              "Continuous provision", "Learning through play", "Reception baseline",
              "Phonics screening check", "Key Stage 1 curriculum", "Writing",
              "Nursery to Reception transition"],
    "primary": ["Phonics", "Reading", "Writing", "Maths mastery", "KS2 SATs",
                "Multiplication tables check", "Spelling, punctuation and grammar",
                "Primary to secondary transition", "Moderation", "Phonics screening check"],
    "secondary": ["GCSE", "A level and post-16", "Key Stage 3 curriculum", "Science",
                  "Mathematics", "English", "Disciplinary literacy", "Careers guidance",
                  "Behaviour management", "Attendance", "Retrieval practice"],
    "special": ["Autism", "Sensory processing", "Makaton and signing",
                "Speech, language and communication", "SEND coordination",
                "Education, health and care plans", "De-escalation",
                "Social, emotional and mental health", "Behaviour management",
                "Trauma-informed practice", "Reintegration"],
}
PHASE_GROUP = {"nursery": "early", "infant": "early", "primary": "primary", "junior": "primary",
               "secondary": "secondary", "all-through": "secondary", "special": "special",
               "pru": "special"}
RELATION_WEIGHTS = (("train", 12), ("mentor", 22), ("experience", 48), ("develop", 18))
BIOS = [
    "Happy to talk through what has worked for us, and what has not.",
    "I have led this across two schools and love sharing resources.",
    "Always keen to visit other classrooms and to welcome visitors to mine.",
    "I am working on this at the moment and would welcome a critical friend.",
    "",
]


class BenchNotEmpty(RuntimeError):
    pass


@dataclass
class BenchCounts:
    schools: int = 0
    users: int = 0
    skills: int = 0
    skill_links: int = 0
    profiles: int = 0
    offers: int = 0
    qualifications: int = 0
    lead_email: str = LEAD_EMAIL
    extra: dict = field(default_factory=dict)


def _phases(n: int, rng: random.Random) -> list[str]:
    total = sum(w for _, w in PHASE_MIX)
    out = [p for p, w in PHASE_MIX for _ in range(round(w * n / total))]
    out = (out + ["primary"] * n)[:n]
    rng.shuffle(out)
    return out


def _skill_weights(skills: dict[str, int], rng: random.Random):
    """Per phase group: (skill ids, cumulative weights) — a long tail, phase skills boosted."""
    names = sorted(skills)
    base = {name: rng.paretovariate(1.5) for name in names}
    out = {}
    for group, favoured in PHASE_SKILLS.items():
        weights = [base[n] * (6 if n in favoured else 1) for n in names]
        cumulative, running = [], 0.0
        for w in weights:
            running += w
            cumulative.append(running)
        out[group] = ([skills[n] for n in names], cumulative)
    return out


def seed_bench(*, schools: int = 200, staff: int = 50, seed: int = DEFAULT_SEED,
               password: str = DEFAULT_PASSWORD, networks: int = 0,
               meetings_per_network: int = 30, items_per_meeting: int = 10) -> BenchCounts:
    """Fill an empty database with ``schools`` x ``staff`` people and their directory data."""
    conn = db.session.connection()
    if conn.scalar(select(func.count()).select_from(User)):
        raise BenchNotEmpty(
            "This database already holds accounts; seed-bench only fills an empty, separate "
            "database. Point DATABASE_URL at a new database and run `flask db upgrade` first."
        )
    rng = random.Random(seed)
    now = utcnow()
    password_hash = generate_password_hash(password)  # once: every bench account shares it
    install_default_vocabulary(conn)
    if conn.scalar(select(func.count()).select_from(Partnership)) == 0:
        conn.execute(insert(Partnership), [{"id": 1, "name": PARTNERSHIP_NAME,
                                            "year_start_month": 9, "is_demo": False,
                                            "version": 1}])

    phases = _phases(schools, rng)
    school_rows = []
    for i, phase in enumerate(phases):
        town = TOWNS[i % len(TOWNS)]
        school_rows.append({
            "name": f"{town} {LAST[i % len(LAST)]} {KINDS[phase]} {i + 1}", "urn": f"{800001 + i}",
            "phase": phase, "town": town, "local_authority": "Benchmark County Council",
            "website": f"https://www.school{i + 1:03d}.bench.example", "active": True,
            "version": 1})
    school_ids = list(conn.scalars(
        insert(School).returning(School.id, sort_by_parameter_order=True), school_rows))

    user_rows, user_school = [], []
    for s, (school_id, phase) in enumerate(zip(school_ids, phases)):
        titles = TITLES[TITLES_FOR.get(phase, phase)]
        for i in range(staff):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            title = ("Headteacher" if i == 0 else rng.choice(titles))
            roll = rng.random()
            user_rows.append({
                "name": f"{first} {last}",
                "email": f"{first}.{last}.{i}".lower().replace("'", "")
                         + f"@school{s + 1:03d}.bench.example",
                "school_id": school_id, "job_title": title,
                "active": roll >= 0.02,  # a few have left
                "password_hash": None if 0.02 <= roll < 0.04 else password_hash,  # invited
                "session_token": secrets.token_urlsafe(16),
                "last_login_at": (now - timedelta(days=rng.randint(0, 60),
                                                  minutes=rng.randint(0, 600))
                                  if roll >= 0.04 and rng.random() < 0.85 else None),
                "created_at": now - timedelta(days=rng.randint(30, 700)),
                "version": 1})
            user_school.append(phase)
    user_ids = list(conn.scalars(
        insert(User).returning(User.id, sort_by_parameter_order=True), user_rows))

    lead_id = conn.scalar(insert(User).returning(User.id), {
        "name": "Bench Lead", "email": LEAD_EMAIL, "school_id": None,
        "job_title": "Partnership coordinator", "active": True, "password_hash": password_hash,
        "session_token": secrets.token_urlsafe(16), "last_login_at": now, "created_at": now,
        "version": 1})
    conn.execute(insert(UserRole), [{"user_id": lead_id, "role": LEAD}])

    skills = dict(conn.execute(
        select(Skill.name, Skill.id).where(Skill.status == "approved")).all())
    weighted = _skill_weights(skills, rng)
    relations = [r for r, _ in RELATION_WEIGHTS]
    relation_cum = []
    running = 0
    for _, w in RELATION_WEIGHTS:
        running += w
        relation_cum.append(running)
    offer_kinds = sorted(OFFERS)
    links, profiles, offers, quals = [], [], [], []
    for user_id, phase, row in zip(user_ids, user_school, user_rows):
        ids, cumulative = weighted[PHASE_GROUP[phase]]
        wanted = min(rng.randint(4, 12), len(ids))
        chosen: dict[int, None] = {}
        while len(chosen) < wanted:
            for skill_id in rng.choices(ids, cum_weights=cumulative, k=wanted - len(chosen)):
                chosen[skill_id] = None
        for n, skill_id in enumerate(chosen):
            relation = rng.choices(relations, cum_weights=relation_cum)[0]
            if n == 0 and relation == "develop":  # everyone has at least one strength
                relation = "experience"
            links.append({"user_id": user_id, "skill_id": skill_id, "relation": relation})
        mine = rng.sample(offer_kinds, rng.choice((0, 0, 0, 1, 1, 2, 3)))
        offers += [{"user_id": user_id, "kind": k} for k in mine]
        if rng.random() < 0.12:
            kind = ("npqh" if row["job_title"] == "Headteacher"
                    else "npqsenco" if row["job_title"] == "SENCo"
                    else rng.choice(("npqsl", "npqml", "sle", "ect_mentor", "peer_reviewer")))
            quals.append({"user_id": user_id, "kind": kind})
        if row["password_hash"] and rng.random() < 0.8:
            profiles.append({
                "user_id": user_id, "bio": rng.choice(BIOS),
                "phases": phase if phase in ("primary", "infant", "junior", "secondary",
                                             "special") else "",
                "subjects": "", "show_email": rng.random() < 0.9,
                "offers_paused": bool(mine) and rng.random() < 0.1,
                "hours_per_term": rng.choice((2, 4, 6, 10)) if mine else 0,
                "confirmed_at": (now - timedelta(days=rng.randint(0, 400))
                                 if rng.random() < 0.7 else None),
                "version": 1})

    for model, rows in ((UserSkill, links), (Offer, offers), (Qualification, quals),
                        (Profile, profiles)):
        for start in range(0, len(rows), 10_000):
            conn.execute(insert(model), rows[start:start + 10_000])
    from .reviews.bench import seed_reviews

    extra = {"reviews": seed_reviews(conn, rng, now, school_ids,
                                     count=min(1000, 5 * len(school_ids)))}
    if networks:
        from .networks.bench import seed_networks

        people = [(uid, row["school_id"]) for uid, row in zip(user_ids, user_rows)
                  if row["active"]]
        extra |= seed_networks(conn, rng, now, people, networks=networks,
                               meetings=meetings_per_network, items=items_per_meeting)
    return BenchCounts(schools=len(school_ids), users=len(user_ids) + 1, skills=len(skills),
                       skill_links=len(links), profiles=len(profiles), offers=len(offers),
                       qualifications=len(quals), extra=extra)
