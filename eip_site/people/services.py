"""Rules for schools and accounts. Keyword-only, actor passed in, flush not commit."""

from __future__ import annotations

import re

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from .. import audit
from ..auth.services import send_invitation
from ..clock import utcnow
from ..errors import DomainError, check_version
from ..extensions import db
from ..security import ADMIN, GRANTABLE, HEAD, LEAD, STAFF
from .models import PHASES, Partnership, School, SchoolDomain, User, new_session_token

URN = re.compile(r"^[0-9]{6}$")




def _flush_unique(field: str, message: str) -> None:
    """Flush in a savepoint so a unique clash (even a race) becomes a message, not a 500."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:
        raise DomainError(message, field=field) from exc


# --- Partnership and schools ------------------------------------------------------------

def update_partnership(*, actor: User, name: str, year_start_month: int,
                       max_reviews_per_year: int | None = None,
                       version: int | None = None, **privacy: str) -> Partnership:
    """``privacy``: the privacy notice's parts (controller_name, dpo_contact, privacy_text)."""
    if set(privacy) - {"controller_name", "dpo_contact", "privacy_text"}:
        raise TypeError(f"Unknown partnership settings: {sorted(privacy)}")
    row = db.session.get(Partnership, 1)
    if row is None:
        row = Partnership(id=1)
        db.session.add(row)
    else:
        check_version(row, version)
    if max_reviews_per_year is not None and not 1 <= max_reviews_per_year <= 50:
        raise DomainError("Enter a number from 1 to 50, or leave it blank.",
                          field="max_reviews_per_year")
    changed = _changed(row, name=name, year_start_month=year_start_month,
                       max_reviews_per_year=max_reviews_per_year, **privacy)
    row.name, row.year_start_month = name, year_start_month
    row.max_reviews_per_year = max_reviews_per_year
    for key, value in privacy.items():
        setattr(row, key, value)
    db.session.flush()
    if changed:
        audit.record("settings.partnership", actor=actor, obj=row,
                     summary="Changed: " + ", ".join(changed))
    return row


def _changed(row, **values) -> list[str]:
    """The names of the fields whose value differs from the row's (for the audit trail)."""
    return [key.replace("_", " ") for key, value in values.items()
            if getattr(row, key, None) != value]


def save_school(*, actor: User, school: School | None = None, name: str, urn: str, phase: str,
                town: str = "", local_authority: str = "", website: str = "",
                active: bool = True, version: int | None = None) -> School:
    if not URN.match(urn or ""):
        raise DomainError("URN must be 6 digits, like 100000.", field="urn")
    if phase not in PHASES:
        raise DomainError("Choose the school's phase.", field="phase")
    if website and not re.match(r"^https?://[^\s/]+\.[^\s]+$", website):
        raise DomainError(
            "Enter the website as a full address, like https://www.school.org.uk.", field="website"
        )
    if school is None:
        school = School()
        db.session.add(school)
    else:
        check_version(school, version)
    changed = _changed(school, name=name, urn=urn, phase=phase, town=town,
                       local_authority=local_authority, website=website, active=active)
    school.name, school.urn, school.phase = name, urn, phase
    school.town, school.local_authority, school.website = town, local_authority, website
    school.active = active
    _flush_unique("urn", f"Another school already has the URN {urn}.")
    if changed:
        audit.record("settings.school", actor=actor, obj=school,
                     summary=f"{name}: " + ", ".join(changed))
    return school


DOMAIN = re.compile(r"^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
TENANT = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def save_sign_in(*, school: School, domains: list[str], entra_tenant_id: str = "",
                 sso_creates_accounts: bool = False, password_sign_in: bool = True) -> School:
    """A school's single sign-on settings: its staff's email domains (each a domain of one
    school only), its Entra tenant, whether a first sign-in makes an account, and whether
    its staff may still use a password (off only once someone there has signed in with
    their school account, so nobody is locked out)."""
    from ..auth.models import UserIdentity

    wanted = list(dict.fromkeys(d.strip().lower().lstrip("@") for d in domains if d.strip()))
    for domain in wanted:
        if not DOMAIN.match(domain):
            raise DomainError(f"{domain[:60]} is not an email domain: write the part after the "
                              "@, like kingsmere.sch.uk.", field="email_domains")
        owner = db.session.scalar(select(School.name).join(
            SchoolDomain, SchoolDomain.school_id == School.id).where(
            SchoolDomain.domain == domain, School.id != school.id))
        if owner:
            raise DomainError(f"{domain} is already an email domain of {owner}.",
                              field="email_domains")
    tenant = entra_tenant_id.strip().lower()
    if tenant and not TENANT.match(tenant):
        raise DomainError("The tenant ID is 36 characters of letters, digits and dashes, like "
                          "9f8e7d6c-1234-4abc-8def-0123456789ab.", field="entra_tenant_id")
    if not password_sign_in and school.password_sign_in and not db.session.scalar(
            select(func.count()).select_from(UserIdentity).join(
                User, User.id == UserIdentity.user_id).where(User.school_id == school.id)):
        raise DomainError("Turn password sign-in off once single sign-on works here: at "
                          "least one of the school's staff must have signed in with their "
                          "school account first.", field="passwords_off")
    db.session.flush()  # a new school gets its id
    db.session.execute(delete(SchoolDomain).where(SchoolDomain.school_id == school.id,
                                                  SchoolDomain.domain.not_in(wanted)))
    have = set(db.session.scalars(select(SchoolDomain.domain).where(
        SchoolDomain.school_id == school.id)))
    db.session.add_all(SchoolDomain(domain=d, school_id=school.id) for d in wanted if d not in have)
    school.entra_tenant_id, school.sso_creates_accounts = tenant, sso_creates_accounts
    school.password_sign_in = password_sign_in
    _flush_unique("email_domains", "One of these email domains was just given to another "
                  "school. Check the list and save again.")
    return school


def school_domains(school: School | None) -> list[str]:
    if school is None:
        return []
    return list(db.session.scalars(select(SchoolDomain.domain).where(
        SchoolDomain.school_id == school.id).order_by(SchoolDomain.domain)))


# --- Accounts ---------------------------------------------------------------------------

def grantable_roles(actor: User) -> frozenset[str]:
    out: set[str] = set()
    for role in actor.roles:
        out |= GRANTABLE.get(role, frozenset())
    return frozenset(out)


def can_manage(actor: User, user: User) -> bool:
    """Admins manage everyone; leads everyone but admins; heads their own school's staff."""
    if actor.has_role(ADMIN):
        return True
    if actor.has_role(LEAD):
        return not user.has_role(ADMIN)
    if actor.has_role(HEAD):
        return (
            actor.school_id is not None
            and user.school_id == actor.school_id
            and user.roles <= {STAFF} | GRANTABLE[HEAD]
        )
    return False


def manageable_school_ids(actor: User) -> list[int] | None:
    """None means every school."""
    if actor.has_role(ADMIN, LEAD):
        return None
    return [actor.school_id] if actor.school_id else []


def _active_admins() -> int:
    return db.session.scalar(
        select(func.count()).select_from(User).where(
            User.active.is_(True), User.role_rows.any(role=ADMIN)
        )
    )


def _check_school(actor: User, school_id: int | None) -> None:
    allowed = manageable_school_ids(actor)
    if allowed is not None and school_id not in allowed:
        raise DomainError("You can only add staff to your own school.", field="school_id")
    if school_id is not None and db.session.get(School, school_id) is None:
        raise DomainError("Choose a school from the list.", field="school_id")


def _check_roles(actor: User, user: User | None, roles: set[str]) -> set[str]:
    roles = set(roles) - {STAFF}
    before = set(user.roles) - {STAFF} if user else set()
    changed = roles ^ before
    if user is not None and user.id == actor.id and roles - before:
        raise DomainError("You cannot give yourself a new role. Ask another lead or admin.",
                          field="roles")
    if changed - grantable_roles(actor):
        raise DomainError("You cannot give or take away that role.", field="roles")
    if user is not None and ADMIN in before and ADMIN not in roles and user.active \
            and _active_admins() <= 1:
        raise DomainError("This is the last administrator. Make someone else an administrator "
                          "first.", field="roles")
    return roles


def create_user(*, actor: User, name: str, email: str, school_id: int | None,
                job_title: str = "", roles: set[str] = frozenset()) -> User:
    """Create an account with no password; the invitation link sets one."""
    _check_school(actor, school_id)
    roles = _check_roles(actor, None, set(roles))
    user = User(name=name, email=email, school_id=school_id, job_title=job_title, active=True)
    user.set_roles(roles)
    db.session.add(user)
    _flush_unique("email", "Someone already has an account with this email address.")
    audit.record("account.created", actor=actor, obj=user,
                 summary="Roles: " + (", ".join(sorted(roles)) or "staff"))
    send_invitation(user=user, actor=actor)
    return user


def update_user(*, actor: User, user: User, name: str, email: str, school_id: int | None,
                job_title: str, roles: set[str], version: int | None = None) -> User:
    if not can_manage(actor, user):
        raise DomainError("You cannot change this account.")
    check_version(user, version)
    if school_id != user.school_id:
        _check_school(actor, school_id)
    roles = _check_roles(actor, user, set(roles))
    before = set(user.roles) - {STAFF}
    changed = _changed(user, name=name, email=email, school_id=school_id, job_title=job_title)
    user.name, user.email, user.school_id, user.job_title = name, email, school_id, job_title
    user.set_roles(roles)
    _flush_unique("email", "Someone already has an account with this email address.")
    if roles != before:
        audit.record("account.roles_changed", actor=actor, obj=user,
                     summary=f"{', '.join(sorted(before)) or 'staff'} → "
                             f"{', '.join(sorted(roles)) or 'staff'}")
    if changed:
        audit.record("account.changed", actor=actor, obj=user,
                     summary="Changed: " + ", ".join(changed).replace("school id", "school"))
    return user


def set_active(*, actor: User, user: User, active: bool, version: int | None = None) -> User:
    if not can_manage(actor, user):
        raise DomainError("You cannot change this account.")
    check_version(user, version)
    if user.id == actor.id and not active:
        raise DomainError("You cannot deactivate your own account.")
    if not active and user.has_role(ADMIN) and user.active and _active_admins() <= 1:
        raise DomainError("This is the last administrator and cannot be deactivated.")
    if user.active != active:
        audit.record("account.reactivated" if active else "account.deactivated",
                     actor=actor, obj=user)
    user.active = active
    if not active:
        user.session_token = new_session_token()  # signs them out everywhere, at once
        user.deactivated_at = utcnow()
    db.session.flush()
    return user


def resend_invite(*, actor: User, user: User) -> str:
    if not can_manage(actor, user):
        raise DomainError("You cannot change this account.")
    if not user.invited:
        raise DomainError(f"{user.name} has already set a password.")
    if not user.active:
        raise DomainError("Reactivate this account before sending a new invitation.")
    return send_invitation(user=user, actor=actor)
