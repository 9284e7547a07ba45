"""Single sign-on with OpenID Connect. Authlib does the protocol: ``state``, ``nonce`` and PKCE
on every flow, and the ID token's signature, issuer, audience and expiry. This module decides
who the person is: a linked identity, or a verified email at one of their school's domains.

The session records how its person signed in (``signed_in_with``): ``"oidc:<provider>"``
after single sign-on, where the provider did the second factor, so the site's own one is
skipped (``provider_did_second_factor``)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, session
from sqlalchemy import select

from ..clock import utcnow
from ..config import OidcProvider, oidc_providers
from ..errors import DomainError
from ..extensions import db
from ..people.models import School, SchoolDomain, User
from ..security import ADMIN
from .models import UserIdentity

SIGNED_IN_WITH = "signed_in_with"
# RFC 8176 methods that are a second factor (or several): the ID token's ``amr`` must hold one
# when the provider is set to require it.
SECOND_FACTORS = frozenset({"mfa", "otp", "hwk", "swk", "sms", "tel", "fpt", "face", "iris",
                            "retina", "vbm", "sc", "pin"})
ASK_FOR_INVITATION = "ask your headteacher for an invitation"


class SignInRefused(DomainError):
    """Single sign-on did not sign the person in; the message says why in their words.
    403 when the person may not sign in this way, 400 when the provider's answer was not
    right, 502 when the provider could not be reached."""

    def __init__(self, message: str, *, status: int = 403):
        super().__init__(message)
        self.status = status


def providers() -> list[OidcProvider]:
    return oidc_providers(current_app.config)


def origins(p: OidcProvider) -> set[str]:
    """Where the provider's button leads: its issuer's site, and its sign-in page's once known."""
    out = {_origin(p.issuer)}
    made = current_app.extensions.get("eip_oidc", {}).get(p.name, (None, None))[1]
    endpoint = getattr(made, "server_metadata", {}).get("authorization_endpoint")
    if endpoint:
        out.add(_origin(endpoint))
    return out


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def provider(name: str) -> OidcProvider | None:
    return next((p for p in providers() if p.name == name), None)


def signed_in_with() -> str:
    """``"password"`` or ``"oidc:<provider>"``: how this session's person signed in."""
    return session.get(SIGNED_IN_WITH, "password")


def provider_did_second_factor() -> bool:
    """True for a session started by single sign-on: the provider asked for the second factor
    (its own policy, or this site's _REQUIRE_MFA check of the ID token's ``amr``)."""
    return signed_in_with().startswith("oidc:")


def client(p: OidcProvider):
    """Authlib's client for ``p``, made once per app and provider settings."""
    # Only a site with providers loads Authlib.
    from authlib.integrations.flask_client import OAuth

    clients = current_app.extensions.setdefault("eip_oidc", {})
    if p.name not in clients or clients[p.name][0] != p:
        oauth = OAuth(current_app._get_current_object())
        oauth.register(p.name, client_id=p.client_id, client_secret=p.client_secret,
                       server_metadata_url=p.discovery_url,
                       client_kwargs={"scope": "openid email profile",
                                      "code_challenge_method": "S256", "default_timeout": 10})
        clients[p.name] = (p, oauth.create_client(p.name))
    return clients[p.name][1]


def start(p: OidcProvider, redirect_uri: str):
    """The redirect to the provider's sign-in page (state, nonce and PKCE verifier kept in
    the session by Authlib)."""
    from requests import RequestException

    extra = {"hd": p.hosted_domains[0]} if len(p.hosted_domains) == 1 else {}
    try:
        return client(p).authorize_redirect(redirect_uri, **extra)
    except (RequestException, ValueError, KeyError, RuntimeError):
        raise SignInRefused(_unreachable(p), status=502) from None


def _unreachable(p: OidcProvider) -> str:
    return (f"{p.label} could not be reached just now. Try again in a few minutes, "
            "or sign in with your email and password.")


def _claims_options(p: OidcProvider) -> dict:
    """The issuer the ID token must name. Entra's multi-tenant issuer has the token's own
    tenant in it (``{tenantid}``), so the check is the library's, with the tenant filled in."""
    metadata = client(p).load_server_metadata()
    issuer = metadata["issuer"]
    if "{tenantid}" not in issuer:
        return {"iss": {"essential": True, "value": issuer}}
    return {"iss": {"essential": True, "validate": lambda claims, value: value == issuer.replace(
        "{tenantid}", str(claims.get("tid", "")))}}


def finish(p: OidcProvider) -> dict:
    """The checked ID token's claims for the provider's answer to this request."""
    from authlib.integrations.flask_client import OAuthError
    from joserfc.errors import JoseError
    from requests import RequestException

    try:
        token = client(p).authorize_access_token(claims_options=_claims_options(p))
    except RequestException:
        raise SignInRefused(_unreachable(p), status=502) from None
    except OAuthError as error:
        if error.error == "access_denied":
            raise SignInRefused(f"Signing in with {p.label} was cancelled.",
                                status=400) from None
        raise SignInRefused(_refused(p), status=400) from None
    except (JoseError, ValueError, KeyError):
        raise SignInRefused(_refused(p), status=400) from None
    claims = token.get("userinfo")
    if not claims or not claims.get("sub"):
        raise SignInRefused(_refused(p), status=400)
    return dict(claims)


def _refused(p: OidcProvider) -> str:
    return (f"Signing in with {p.label} did not work: the answer from {p.label} could not be "
            "checked, or the sign-in link was used already. Start again from the sign-in page.")


def _check_provider_rules(p: OidcProvider, claims: dict) -> None:
    if p.require_mfa and not SECOND_FACTORS & set(claims.get("amr") or ()):
        raise SignInRefused(
            f"This site asks {p.label} to confirm a second step (a code or an app prompt) when "
            f"you sign in, and it did not. Set up multi-factor sign-in with {p.label} (ask your "
            "school's IT lead), then try again.")
    if p.kind == "entra" and p.tenants and str(claims.get("tid", "")).lower() not in p.tenants:
        raise SignInRefused(f"Your {p.label} organisation is not one of the partnership's. "
                            "Sign in with your school account.")
    if p.kind == "google" and p.hosted_domains \
            and str(claims.get("hd", "")).lower() not in p.hosted_domains:
        raise SignInRefused(f"Sign in with your school's {p.label} account, not a personal one.")


def verified_email(p: OidcProvider, claims: dict, school: School | None) -> bool:
    """Whether the provider vouches for the email: ``email_verified`` from Google and standard
    issuers; from Entra ID (where a tenant can write any email) only when the token comes from
    the school's own tenant."""
    if p.kind == "entra":
        return bool(school and school.entra_tenant_id
                    and str(claims.get("tid", "")).lower() == school.entra_tenant_id)
    return claims.get("email_verified") is True


def _identity(p: OidcProvider, claims: dict) -> UserIdentity | None:
    return db.session.scalar(select(UserIdentity).where(
        UserIdentity.provider == p.name, UserIdentity.subject == str(claims["sub"])))


def account_for(p: OidcProvider, claims: dict) -> User:
    """The account these checked claims sign in to: the linked one, or the one with this
    verified email at the school whose domain it is (linked now), or a new staff account
    there when the school allows it. Refused otherwise, with the reason."""
    _check_provider_rules(p, claims)
    identity = _identity(p, claims)
    if identity is not None:
        user = db.session.get(User, identity.user_id)
    else:
        email = str(claims.get("email") or "").strip().lower()
        domain = email.rpartition("@")[2]
        school = db.session.scalar(select(School).join(
            SchoolDomain, SchoolDomain.school_id == School.id).where(SchoolDomain.domain == domain)) \
            if "@" in email else None
        if school is None:
            raise SignInRefused(
                f"{email or 'Your account'} is not at an email domain of any school in the "
                f"partnership. Sign in with your school account, or {ASK_FOR_INVITATION}.")
        if not verified_email(p, claims, school):
            raise SignInRefused(
                f"{p.label} has not confirmed that {email} is yours, so it cannot sign you in "
                "here. Sign in with your email and password, or ask your school's IT lead.")
        user = db.session.scalar(select(User).where(User.email == email))
        if user is not None and user.school_id != school.id:
            raise SignInRefused(
                f"{email} is at {school.name}'s email domain but its account here is not at "
                f"{school.name}. Sign in with your password, or {ASK_FOR_INVITATION}.")
        if user is None and not school.sso_creates_accounts:
            raise SignInRefused(f"There is no account for {email} on this site yet: "
                                f"{ASK_FOR_INVITATION}.")
        if user is None:
            user = User(name=_name(claims, email), email=email, school_id=school.id)
            db.session.add(user)
            db.session.flush()
        identity = link(user, p, claims)
    if not user.active:
        raise SignInRefused("This account has been deactivated. Ask your headteacher or "
                            "cluster lead.")
    identity.last_used_at = user.last_login_at = utcnow()
    return user


def _name(claims: dict, email: str) -> str:
    name = " ".join(str(claims.get("name") or "").split())[:120]
    return name or email.partition("@")[0].replace(".", " ").title()[:120]


def link(user: User, p: OidcProvider, claims: dict) -> UserIdentity:
    """Link the provider's person to ``user``; refused if it is linked to someone else."""
    identity = _identity(p, claims)
    if identity is not None and identity.user_id != user.id:
        raise SignInRefused(f"That {p.label} account is already linked to another account "
                            "on this site.")
    if identity is None:
        identity = UserIdentity(user_id=user.id, provider=p.name, subject=str(claims["sub"]),
                                email=str(claims.get("email") or "")[:254])
        db.session.add(identity)
        db.session.flush()
    return identity


def link_checked(user: User, p: OidcProvider, claims: dict) -> UserIdentity:
    """The "Link my school account" step: the person is signed in with their password and has
    just signed in with the provider, so both are theirs."""
    _check_provider_rules(p, claims)
    return link(user, p, claims)


def confirm_checked(user: User, p: OidcProvider, claims: dict) -> None:
    """"Confirm it is you" with the provider: the claims must be those of an account already
    linked to ``user`` (signing in again as someone else is no confirmation)."""
    _check_provider_rules(p, claims)
    identity = _identity(p, claims)
    if identity is None or identity.user_id != user.id:
        raise SignInRefused(f"That {p.label} account is not the one linked to your account "
                            f"here. Confirm with the {p.label} account you sign in with.")
    identity.last_used_at = utcnow()


def can_unlink(user: User, mine: list[UserIdentity]) -> bool:
    """Whether ``user`` keeps a way to sign in without one of ``mine``, their school accounts."""
    return user.password_hash is not None or len(mine) > 1


def unlink(user: User, identity: UserIdentity) -> None:
    """Unlink one of ``user``'s school accounts, unless it is their only way to sign in."""
    if not can_unlink(user, identities(user)):
        raise DomainError("This school account is the only way you sign in here: set a "
                          "password first (“Forgotten your password?” on the sign-in page "
                          "emails a link), or link another school account.")
    db.session.delete(identity)
    db.session.flush()


def identities(user: User) -> list[UserIdentity]:
    return list(db.session.scalars(select(UserIdentity).where(UserIdentity.user_id == user.id)
                                   .order_by(UserIdentity.linked_at, UserIdentity.id)))


def password_refused(user: User) -> str | None:
    """Why ``user`` may not sign in with a password, or None: their school has turned password
    sign-in off (admins keep theirs, to get in when single sign-on is broken)."""
    school = user.school
    if school is None or school.password_sign_in or user.has_role(ADMIN):
        return None
    return (f"{school.name} signs in with its school account: use the button above "
            "instead of a password.")
