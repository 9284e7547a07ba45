"""Factory functions. Call inside an app context; each commits, so requests see the rows."""

from __future__ import annotations

import itertools

from werkzeug.security import generate_password_hash

from eip_site.extensions import db
from eip_site.people.models import School, User

PASSWORD = "correct horse battery"
# A cheap hash keeps the suite fast; check_password_hash reads the method from the hash.
FAST_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
_seq = itertools.count(1)


def school(**kwargs) -> School:
    n = next(_seq)
    row = School(**{"name": f"School {n}", "urn": f"{100000 + n:06d}", "phase": "primary",
                    **kwargs})
    db.session.add(row)
    db.session.commit()
    return row


def user(*, roles=(), school_obj: School | None = None, no_school: bool = False,
         password: str | None = PASSWORD, **kwargs) -> User:
    n = next(_seq)
    if school_obj is None and not no_school:
        school_obj = school()
    row = User(**{"name": f"Person {n}", "email": f"person{n}@school.example",
                  "school": school_obj,
                  "password_hash": (FAST_HASH if password == PASSWORD else
                                    generate_password_hash(password) if password else None),
                  **kwargs})
    row.set_roles(set(roles))
    db.session.add(row)
    db.session.commit()
    return row
