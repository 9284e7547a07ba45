"""Who an ID token's claims (already checked by Authlib) sign in as, for Entra ID and Google:
their rules on tenants, hosted domains and which emails count as verified."""

from __future__ import annotations

import pytest

from eip_site.auth import oidc
from eip_site.config import OidcProvider
from eip_site.people.models import SchoolDomain

from .. import factories

TENANT, STRANGER = "9f8e7d6c-1234-4abc-8def-0123456789ab", "00000000-1111-4222-8333-444444444444"
ENTRA = OidcProvider(name="entra", issuer="https://login.microsoftonline.com/organizations/v2.0",
                     client_id="x", client_secret="y", label="Microsoft", kind="entra")
GOOGLE = OidcProvider(name="google", issuer="https://accounts.google.com", client_id="x",
                      client_secret="y", label="Google", kind="google",
                      hosted_domains=("oak.sch.uk",))


@pytest.fixture
def oak(ctx):
    school = factories.school(name="Oak School", entra_tenant_id=TENANT)
    ctx.add(SchoolDomain(domain="oak.sch.uk", school_id=school.id))
    person = factories.user(email="kim@oak.sch.uk", school=school)
    ctx.flush()
    return person


def test_entra_matches_an_email_only_from_the_schools_own_tenant(oak):
    claims = {"sub": "s1", "email": "kim@oak.sch.uk", "tid": TENANT}
    assert oidc.account_for(ENTRA, claims) == oak
    # Another tenant can write any email into its tokens: never trusted.
    with pytest.raises(oidc.SignInRefused, match="has not confirmed"):
        oidc.account_for(ENTRA, {"sub": "s2", "email": "kim@oak.sch.uk", "tid": STRANGER})


def test_entra_allowed_tenants_refuse_any_other(oak):
    only = OidcProvider(**{**ENTRA.__dict__, "tenants": (STRANGER,)})
    with pytest.raises(oidc.SignInRefused, match="organisation is not one of the partnership"):
        oidc.account_for(only, {"sub": "s1", "email": "kim@oak.sch.uk", "tid": TENANT})


def test_google_needs_a_verified_email_in_an_allowed_hosted_domain(oak):
    assert oidc.account_for(GOOGLE, {"sub": "g1", "email": "kim@oak.sch.uk",
                                     "email_verified": True, "hd": "oak.sch.uk"}) == oak
    with pytest.raises(oidc.SignInRefused, match="not a personal one"):
        oidc.account_for(GOOGLE, {"sub": "g2", "email": "kim@oak.sch.uk", "email_verified": True})
    with pytest.raises(oidc.SignInRefused, match="has not confirmed"):
        oidc.account_for(GOOGLE, {"sub": "g3", "email": "kim@oak.sch.uk",
                                  "email_verified": "true", "hd": "oak.sch.uk"})


def test_a_deactivated_account_is_not_signed_in(oak):
    oak.active = False
    with pytest.raises(oidc.SignInRefused, match="deactivated"):
        oidc.account_for(ENTRA, {"sub": "s1", "email": "kim@oak.sch.uk", "tid": TENANT})
