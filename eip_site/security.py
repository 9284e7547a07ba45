"""Roles, the permission table, and the response headers every page carries.

Deny by default: a request whose endpoint is not in ``PERMISSIONS`` is refused, and a test
walks ``app.url_map`` so that a new route without an entry fails CI.
"""

from __future__ import annotations

from flask import Flask, abort, g, request
from flask_login import current_user

STAFF, CHAMPION, HEAD, LEAD, ADMIN = "staff", "champion", "head", "lead", "admin"
ROLES = (STAFF, CHAMPION, HEAD, LEAD, ADMIN)
ROLE_LABELS = {
    STAFF: "Staff",
    CHAMPION: "Improvement champion",
    HEAD: "Headteacher",
    LEAD: "Cluster lead",
    ADMIN: "Administrator",
}

PUBLIC = "public"        # anyone, signed in or not
SIGNED_IN = "signed-in"  # any active account

# endpoint -> PUBLIC, SIGNED_IN, or the set of roles that may use it (any one suffices).
# Object-level rules (a head only manages their own school's staff) live in services.
PERMISSIONS: dict[str, str | frozenset[str]] = {
    "static": PUBLIC,
    "home.healthz": PUBLIC,
    "home.accessibility": PUBLIC,
    "auth.login": PUBLIC,
    "auth.logout": SIGNED_IN,
    "auth.invite": PUBLIC,
    "auth.reset_request": PUBLIC,
    "auth.reset": PUBLIC,
    "auth.change_password": SIGNED_IN,
    "auth.sign_out_others": SIGNED_IN,
    "auth.sso_start": PUBLIC,
    "auth.sso_callback": PUBLIC,  # the state Authlib kept in the session is the key
    "auth.sso_link": SIGNED_IN,
    "auth.sso_unlink": SIGNED_IN,  # the view finds only the person's own
    "auth.sign_in_methods": SIGNED_IN,
    "auth.login_code": PUBLIC,  # the password was right; the signed session holds who
    "auth.totp_setup": SIGNED_IN,
    "auth.recovery_codes": SIGNED_IN,
    "auth.reauth": SIGNED_IN,
    "auth.sso_confirm": SIGNED_IN,
    "auth.reauth_continue": SIGNED_IN,
    "home.index": SIGNED_IN,
    "home.search": SIGNED_IN,
    "notifications.settings": SIGNED_IN,
    "notifications.unsubscribe": PUBLIC,  # the signature in the link is the key
    "admin.schools": frozenset({LEAD, ADMIN}),
    "admin.school_new": frozenset({LEAD, ADMIN}),
    "admin.school_edit": frozenset({LEAD, ADMIN}),
    "admin.partnership": frozenset({LEAD, ADMIN}),
    "admin.users": frozenset({HEAD, LEAD, ADMIN}),
    "admin.user_new": frozenset({HEAD, LEAD, ADMIN}),
    "admin.user_edit": frozenset({HEAD, LEAD, ADMIN}),
    "admin.user_active": frozenset({HEAD, LEAD, ADMIN}),
    "admin.user_invite": frozenset({HEAD, LEAD, ADMIN}),
    "admin.user_second_factor": frozenset({ADMIN}),
    "admin.mail": frozenset({ADMIN}),
    "admin.mail_retry": frozenset({ADMIN}),
    # Directory: members only; editing someone else's profile is checked in services.
    "directory.index": SIGNED_IN,
    "directory.strengths": SIGNED_IN,
    "directory.searched": SIGNED_IN,
    "directory.export": SIGNED_IN,
    "directory.import_staff": frozenset({HEAD, LEAD, ADMIN}),
    "directory.import_template": frozenset({HEAD, LEAD, ADMIN}),
    "directory.profile": SIGNED_IN,
    "directory.profile_edit": SIGNED_IN,
    "directory.profile_confirm": SIGNED_IN,
    "directory.qualifications": frozenset({HEAD, LEAD}),
    "directory.qualification_confirm": frozenset({HEAD, LEAD}),
    "directory.skill_add": SIGNED_IN,
    "directory.skill_change": SIGNED_IN,
    "directory.skill_remove": SIGNED_IN,
    "directory.skills": SIGNED_IN,
    "directory.skill_suggest": SIGNED_IN,
    "directory.skill_edit": frozenset({LEAD, ADMIN}),
    "directory.skill_merge": frozenset({LEAD, ADMIN}),
    "directory.skill_reject": frozenset({LEAD, ADMIN}),
    "directory.help_new": SIGNED_IN,
    "directory.help_list": SIGNED_IN,
    "directory.help_status": SIGNED_IN,
    # Reviews: everyone sees the calendar; who may take each step is checked in services.
    "reviews.index": SIGNED_IN,
    "reviews.calendar": SIGNED_IN,
    "reviews.new": frozenset({CHAMPION, LEAD, ADMIN}),
    "reviews.answer": PUBLIC,
    "networks.join_answer": PUBLIC,
    "networks.answer_link": PUBLIC,
    "reviews.answered": PUBLIC,
    "reviews.detail": SIGNED_IN,
    "reviews.team": frozenset({CHAMPION, LEAD, ADMIN}),
    "reviews.focus": SIGNED_IN,  # the host head or the booker: the service checks
    "reviews.step": SIGNED_IN,
    "reviews.cancel": SIGNED_IN,
    "reviews.findings": SIGNED_IN,
    "reviews.workshop": frozenset({CHAMPION, LEAD, ADMIN}),
    "reviews.edit": frozenset({CHAMPION, LEAD, ADMIN}),
    "reviews.review_ics": SIGNED_IN,
    "reviews.feed": PUBLIC,  # the secret in the link is the key
    "reviews.availability": SIGNED_IN,
    "reviews.feed_reset": SIGNED_IN,
    "reviews.rota": frozenset({LEAD, ADMIN}),
    "reviews.terms": frozenset({HEAD, LEAD, ADMIN}),
    "reviews.terms_remove": frozenset({HEAD, LEAD, ADMIN}),
    # Networks: members only; leader, critical friend and lead rules are checked in services.
    "networks.index": SIGNED_IN,
    "networks.network_new": SIGNED_IN,
    "networks.network": SIGNED_IN,
    "networks.network_meetings": SIGNED_IN,
    "networks.network_decide": frozenset({LEAD, ADMIN}),
    "networks.network_close": frozenset({LEAD, ADMIN}),
    "networks.network_join": SIGNED_IN,
    "networks.member_accept": SIGNED_IN,
    "networks.network_edit": SIGNED_IN,
    "networks.item_decline": SIGNED_IN,
    "networks.member_decline": SIGNED_IN,
    "networks.member_remove": SIGNED_IN,
    "networks.network_leave": SIGNED_IN,
    "networks.decision_edit": SIGNED_IN,
    "networks.decision_remove": SIGNED_IN,
    "networks.action_edit": SIGNED_IN,
    "networks.action_remove": SIGNED_IN,
    "networks.overview": frozenset({LEAD, ADMIN}),
    "networks.meeting_new": SIGNED_IN,
    "networks.meeting": SIGNED_IN,
    "networks.meeting_edit": SIGNED_IN,
    "networks.meeting_state": SIGNED_IN,
    "networks.meeting_ics": SIGNED_IN,
    "networks.meeting_answer": SIGNED_IN,
    "networks.meeting_pdf": SIGNED_IN,
    "networks.series_new": SIGNED_IN,
    "networks.series_change": SIGNED_IN,
    "networks.item_add": SIGNED_IN,
    "networks.item_edit": SIGNED_IN,
    "networks.item_move": SIGNED_IN,
    "networks.item_accept": SIGNED_IN,
    "networks.item_remove": SIGNED_IN,
    "networks.minutes": SIGNED_IN,
    "networks.attendance": SIGNED_IN,
    "networks.item_minutes": SIGNED_IN,
    "networks.decision_add": SIGNED_IN,
    "networks.action_add": SIGNED_IN,
    "networks.actions": SIGNED_IN,
    "networks.action_status": SIGNED_IN,
    "networks.plan_new": SIGNED_IN,
    "networks.plan_edit": SIGNED_IN,
    # Papers and resources: each file has its parent's rules, checked by files.permissions.
    "files.upload": SIGNED_IN,
    "files.download": SIGNED_IN,
    "files.version": SIGNED_IN,
    "files.detail": SIGNED_IN,
    "files.replace": SIGNED_IN,
    "files.delete": SIGNED_IN,
    "files.restore": SIGNED_IN,
    # Privacy: the notice is public; a person downloads their own data; leads and admins
    # read the audit trail, export and erase others (object rules in privacy.views).
    "privacy.notice": PUBLIC,
    "privacy.my_data": SIGNED_IN,
    "privacy.person_data": frozenset({LEAD, ADMIN}),
    "privacy.erase": frozenset({LEAD, ADMIN}),
    "privacy.audit_trail": frozenset({LEAD, ADMIN}),
    "privacy.audit_csv": frozenset({LEAD, ADMIN}),
}

# Who may manage accounts, and which roles each may hand out.
GRANTABLE = {
    ADMIN: frozenset({CHAMPION, HEAD, LEAD, ADMIN}),
    LEAD: frozenset({CHAMPION, HEAD, LEAD}),
    HEAD: frozenset({CHAMPION}),
}


def allowed(endpoint: str | None, user) -> bool:
    rule = PERMISSIONS.get(endpoint or "")
    if rule is None:
        return False
    if rule == PUBLIC:
        return True
    if not user.is_authenticated:
        return False
    if rule == SIGNED_IN:
        return True
    return bool(user.roles & rule)


def can_see(endpoint: str, user) -> bool:
    """For navigation: show a link only to those the table lets through."""
    return allowed(endpoint, user)


def found(row):
    """An access loader's first step: the row, or the 404 page."""
    if row is None:
        abort(404)
    return row


def allow(allowed: bool, message: str) -> None:
    """An access loader's second step: go on, or the 403 page saying the rule in the user's
    words. Each feature's ``permissions`` module holds its rules and its loaders (``meeting_for(
    user, meeting_id, edit=True)``), so a view gets the object it may use or one answer."""
    if not allowed:
        abort(403, message)


def check_permission():
    """before_request: the single gate every route passes."""
    endpoint = request.endpoint
    if endpoint is None:  # no route matched: let Flask answer 404/405
        return None
    rule = PERMISSIONS.get(endpoint)
    if rule is None:
        abort(403)
    if rule == PUBLIC:
        return None
    if not current_user.is_authenticated:
        from .extensions import login_manager

        return login_manager.unauthorized()
    if not allowed(endpoint, current_user):
        abort(403)
    return None


CSP = "; ".join(
    [
        "default-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "img-src 'self' data:",
    ]
)


def loaded_user():
    """The signed-in user if this request already loaded one, else None: asking
    ``current_user`` after the answer is made would load one (a query) for answers that never
    needed it, such as /healthz from a signed-in browser, which then depend on nobody."""
    user = g.get("_login_user")
    return user if user is not None and user.is_authenticated else None


def allow_form_action(origins) -> None:
    """Let this page's forms lead to these other sites too: single sign-on's buttons, which
    the site answers with a redirect to the provider (the browser checks every hop)."""
    g.form_action = " ".join(sorted(set(origins)))


def set_security_headers(response):
    extra = g.get("form_action")
    response.headers["Content-Security-Policy"] = CSP.replace(
        "form-action 'self'", f"form-action 'self' {extra}") if extra else CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    response.headers["X-Frame-Options"] = "DENY"
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    if loaded_user() is not None and request.endpoint != "static":
        response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    app.before_request(check_permission)
    app.after_request(set_security_headers)
