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

from ..auth.models import UserTotp
from ..auth.totp import demo_secret
from ..clock import utcnow
from ..extensions import db
from ..people.models import Partnership, School, User, UserRole
from ..security import LEAD
from . import directory, reviews
from . import networks as network_seeds  # seed_bench's `networks` is a count
from .common import FIRST, LAST, TITLES, insert_ids
from .vocabulary import install_default_vocabulary

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
    school_ids = insert_ids(conn, School, school_rows)

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
    user_ids = insert_ids(conn, User, user_rows)

    lead_id = conn.scalar(insert(User).returning(User.id), {
        "name": "Bench Lead", "email": LEAD_EMAIL, "school_id": None,
        "job_title": "Partnership coordinator", "active": True, "password_hash": password_hash,
        "session_token": secrets.token_urlsafe(16), "last_login_at": now, "created_at": now,
        "version": 1})
    conn.execute(insert(UserRole), [{"user_id": lead_id, "role": LEAD}])
    # A lead must have two-step sign-in: the bench lead's key is the demo's kind, fixed.
    conn.execute(insert(UserTotp), [{"user_id": lead_id, "secret": demo_secret(LEAD_EMAIL),
                                     "created_at": now, "confirmed_at": now}])

    made = directory.seed_bench(conn, rng, now, list(zip(user_ids, user_school, user_rows)))
    extra = {"reviews": reviews.seed_bench(conn, rng, now, school_ids,
                                           count=min(1000, 5 * len(school_ids)))}
    if networks:
        people = [(uid, row["school_id"]) for uid, row in zip(user_ids, user_rows)
                  if row["active"]]
        extra |= network_seeds.seed_bench(conn, rng, now, people, networks=networks,
                                          meetings=meetings_per_network,
                                          items=items_per_meeting)
    return BenchCounts(schools=len(school_ids), users=len(user_ids) + 1, extra=extra, **made)
