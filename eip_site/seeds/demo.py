"""The demo partnership: invented schools and people, rich enough to exercise every screen."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, select
from werkzeug.security import generate_password_hash

from ..auth import totp
from ..clock import utcnow
from ..directory.models import Qualification
from ..extensions import db
from ..outbox import OutboxMessage
from ..people.models import Partnership, School, SchoolDomain, User
from ..security import ADMIN, CHAMPION, HEAD, LEAD, STAFF
from . import directory, networks, reviews
from .common import FIRST, LAST, TITLES

DEFAULT_PASSWORD = "kingsmere-demo-2026"
PARTNERSHIP_NAME = "Kingsmere Schools Partnership"

# name, urn, phase, domain, staff count
SCHOOLS = [
    ("Oakfield Primary School", "900101", "primary", "oakfield.example", 16),
    ("St Aidan's CE Junior School", "900102", "junior", "staidans.example", 12),
    ("Brookside Infant School", "900103", "infant", "brookside.example", 10),
    ("Kingsmere Academy", "900104", "secondary", "kingsmere-academy.example", 24),
    ("Willowbank School", "900105", "special", "willowbank.example", 10),
    ("The Harbour Centre", "900106", "pru", "harbour.example", 6),
]


@dataclass
class DemoLogin:
    role: str
    name: str
    email: str
    totp_secret: str = ""  # the fixed authenticator key, when the account has two-step sign-in


class NotDemoDatabase(RuntimeError):
    pass


def holds_other_data() -> bool:
    partnership = db.session.get(Partnership, 1)
    if partnership is not None:
        return not partnership.is_demo
    return bool(db.session.scalar(select(func.count()).select_from(User))
                or db.session.scalar(select(func.count()).select_from(School)))


def is_loaded() -> bool:
    partnership = db.session.get(Partnership, 1)
    return partnership is not None and partnership.is_demo


def _email(name: str, domain: str) -> str:
    return name.lower().replace("'", "").replace(" ", ".") + "@" + domain


def _people(rng: random.Random):
    """Unique invented names, in a fixed order."""
    seen: set[str] = set()
    while True:
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        if name not in seen:
            seen.add(name)
            yield name


def seed(password: str = DEFAULT_PASSWORD) -> list[DemoLogin]:
    """Load the demo partnership (once), set the demo password, and return the demo logins."""
    if holds_other_data():
        raise NotDemoDatabase(
            "This database holds data that is not the demo's; seed-demo will not touch it."
        )
    password_hash = generate_password_hash(password)  # one hash: every demo user shares it
    if is_loaded():
        for user in db.session.scalars(select(User).where(User.password_hash.is_not(None))):
            user.password_hash = password_hash
        db.session.flush()
        _second_factors()
        return logins()

    rng = random.Random(2026)
    names = _people(rng)
    db.session.add(Partnership(id=1, name=PARTNERSHIP_NAME, year_start_month=9, is_demo=True))
    now = utcnow()
    for school_name, urn, phase, domain, size in SCHOOLS:
        school = School(name=school_name, urn=urn, phase=phase, town="Kingsmere",
                        local_authority="Kingsmere Borough Council",
                        website=f"https://www.{domain}")
        db.session.add(school)
        db.session.flush()
        db.session.add(SchoolDomain(domain=domain, school_id=school.id))  # for single sign-on
        for i in range(size):
            name = next(names)
            roles: set[str] = set()
            title = rng.choice(TITLES[phase])
            if i == 0:
                roles, title = {HEAD}, ("Headteacher" if phase != "pru" else "Head of centre")
            elif i in (1, 2) and (i == 1 or size >= 16):
                roles = {CHAMPION}
            # Most people have signed in at some point this term; a few never have.
            seen = now - timedelta(days=rng.randint(0, 60), minutes=rng.randint(0, 600))
            user = User(name=name, email=_email(name, domain), school=school, job_title=title,
                        password_hash=password_hash,
                        last_login_at=seen if rng.random() < 0.85 else None)
            user.set_roles(roles)
            db.session.add(user)
        # One invited (no password yet) and one who has left, so every status shows.
        if school_name == "Kingsmere Academy":
            invited = next(names)
            db.session.add(User(name=invited, email=_email(invited, domain), school=school,
                                job_title="Teacher of science", password_hash=None))
            left = next(names)
            db.session.add(User(name=left, email=_email(left, domain), school=school,
                                job_title="Teacher of music", password_hash=password_hash,
                                active=False, deactivated_at=now - timedelta(days=400)))
    lead = User(name="Margaret Okafor", email="margaret.okafor@kingsmere-partnership.example",
                job_title="Partnership coordinator", password_hash=password_hash,
                last_login_at=now)
    lead.set_roles({LEAD})
    admin = User(name="Alan Pritchard", email="alan.pritchard@kingsmere-partnership.example",
                 job_title="Site administrator", password_hash=password_hash)
    admin.set_roles({ADMIN})
    db.session.add_all([lead, admin])
    db.session.flush()
    directory.seed_demo(rng, now)
    reviews.seed_demo(rng, now)
    networks.seed_demo(rng, now)
    _unconfirmed_reviewer()
    _second_factors()
    # The demo's story (proposed networks, items) is its history, not news to email: the
    # database was empty, so every queued message is the story's.
    db.session.execute(delete(OutboxMessage))
    return logins()


def _second_factors() -> None:
    """Everyone who must sign in with a second factor (heads, leads, the admin, review
    teams) has two-step sign-in with a fixed key (``totp.demo_secret``): `seed-demo` prints
    the demo logins' keys and `flask totp-code EMAIL` the current code."""
    for user in db.session.scalars(select(User).where(User.active.is_(True),
                                                      User.password_hash.is_not(None))):
        if totp.required(user):
            totp.enrol_with(user, totp.demo_secret(user.email))


def _unconfirmed_reviewer() -> None:
    """A teacher at the demo head's school has ticked "Trained peer reviewer" on their
    profile: the head sees it waiting to be confirmed."""
    head = next(l for l in logins() if l.role == HEAD)
    school_id = db.session.scalar(select(User.school_id).where(User.email == head.email))
    user = db.session.scalars(select(User).where(
        User.school_id == school_id, ~User.role_rows.any(), User.active.is_(True),
        ~User.id.in_(select(Qualification.user_id).where(Qualification.kind == "peer_reviewer")))
        .order_by(User.id)).first()
    if user is not None:
        db.session.add(Qualification(user_id=user.id, kind="peer_reviewer"))
        db.session.flush()


def logins() -> list[DemoLogin]:
    """One account per role, the people the README and `make run` print."""
    picks = [
        (STAFF, select(User).join(School).where(School.urn == "900101", ~User.role_rows.any(),
                                                  User.active.is_(True),
                                                  User.password_hash.is_not(None))),
        (CHAMPION, select(User).join(School).where(School.urn == "900104",
                                                     User.role_rows.any(role=CHAMPION))),
        (HEAD, select(User).join(School).where(School.urn == "900101",
                                                 User.role_rows.any(role=HEAD))),
        (LEAD, select(User).where(User.role_rows.any(role=LEAD))),
        (ADMIN, select(User).where(User.role_rows.any(role=ADMIN))),
    ]
    out = []
    for role, stmt in picks:
        user = db.session.scalars(stmt.order_by(User.id).limit(1)).first()
        if user is not None:
            out.append(DemoLogin(role, user.name, user.email,
                                 totp.demo_secret(user.email) if totp.enrolled(user) else ""))
    return out
