"""Single sign-on providers from the environment: read, and refused in one line."""

import pytest

from eip_site import ConfigError, create_app
from eip_site.config import ENTRA_MULTI_TENANT, GOOGLE_ISSUER, oidc_providers

TENANT = "9f8e7d6c-1234-4abc-8def-0123456789ab"


def test_providers_are_read_from_the_environment(monkeypatch):
    for name, value in {
        "EIP_OIDC_PROVIDERS": "google, entra,local",
        "EIP_OIDC_GOOGLE_CLIENT_ID": "g-id", "EIP_OIDC_GOOGLE_CLIENT_SECRET": "g-secret",
        "EIP_OIDC_GOOGLE_HD": "kingsmere.sch.uk,oakfield.sch.uk",
        "EIP_OIDC_ENTRA_CLIENT_ID": "e-id", "EIP_OIDC_ENTRA_CLIENT_SECRET": "e-secret",
        "EIP_OIDC_ENTRA_TENANTS": TENANT.upper(), "EIP_OIDC_ENTRA_REQUIRE_MFA": "true",
        "EIP_OIDC_LOCAL_ISSUER": "http://127.0.0.1:9000/", "EIP_OIDC_LOCAL_CLIENT_ID": "l-id",
        "EIP_OIDC_LOCAL_CLIENT_SECRET": "l-secret", "EIP_OIDC_LOCAL_LABEL": "Kingsmere login",
    }.items():
        monkeypatch.setenv(name, value)
    app = create_app({"ENV": "testing"})
    google, entra, local = oidc_providers(app.config)
    assert (google.issuer, google.kind, google.label, google.hosted_domains) == (
        GOOGLE_ISSUER, "google", "Google", ("kingsmere.sch.uk", "oakfield.sch.uk"))
    assert (entra.issuer, entra.kind, entra.tenants, entra.require_mfa) == (
        f"https://login.microsoftonline.com/{TENANT}/v2.0", "entra", (TENANT,), True)
    assert (local.issuer, local.kind, local.label, local.require_mfa) == (
        "http://127.0.0.1:9000", "oidc", "Kingsmere login", False)
    assert local.discovery_url == "http://127.0.0.1:9000/.well-known/openid-configuration"


def test_entra_without_one_tenant_is_multi_tenant():
    base = {"ENV": "testing", "OIDC_PROVIDERS": "entra", "OIDC_ENTRA_CLIENT_ID": "x",
            "OIDC_ENTRA_CLIENT_SECRET": "y"}
    assert oidc_providers(base)[0].issuer == ENTRA_MULTI_TENANT
    two = oidc_providers({**base, "OIDC_ENTRA_TENANTS": f"{TENANT},{TENANT[::-1]}"})[0]
    assert two.issuer == ENTRA_MULTI_TENANT and len(two.tenants) == 2


@pytest.mark.parametrize("settings, message", [
    ({"OIDC_PROVIDERS": "my-idp"}, "EIP_OIDC_PROVIDERS: 'my-idp' is not a provider name"),
    ({"OIDC_PROVIDERS": "local"}, "EIP_OIDC_LOCAL_ISSUER must be set"),
    ({"OIDC_PROVIDERS": "local", "OIDC_LOCAL_ISSUER": "http://idp.example"},
     "EIP_OIDC_LOCAL_ISSUER must be an https:// address"),
    ({"OIDC_PROVIDERS": "google"}, "EIP_OIDC_GOOGLE_CLIENT_ID must be set"),
    ({"OIDC_PROVIDERS": "google", "OIDC_GOOGLE_CLIENT_ID": "x"},
     "EIP_OIDC_GOOGLE_CLIENT_SECRET must be set"),
    ({"OIDC_PROVIDERS": "google", "OIDC_GOOGLE_CLIENT_ID": "x", "OIDC_GOOGLE_CLIENT_SECRET": "y",
      "OIDC_GOOGLE_TENANTS": TENANT}, "EIP_OIDC_GOOGLE_TENANTS is only for Microsoft Entra ID"),
    ({"OIDC_PROVIDERS": "entra", "OIDC_ENTRA_CLIENT_ID": "x", "OIDC_ENTRA_CLIENT_SECRET": "y",
      "OIDC_ENTRA_HD": "a.sch.uk"}, "EIP_OIDC_ENTRA_HD is only for Google"),
    ({"OIDC_PROVIDERS": "google", "OIDC_GOOGLE_CLIENT_ID": "x", "OIDC_GOOGLE_CLIENT_SECRET": "y",
      "OIDC_GOOGLE_REQUIRE_MFA": "sometimes"}, "EIP_OIDC_GOOGLE_REQUIRE_MFA must be true or false"),
])
def test_provider_mistakes_stop_start_up_in_one_line(settings, message):
    with pytest.raises(ConfigError, match=message) as refused:
        create_app({"ENV": "testing", **settings})
    assert "\n" not in str(refused.value)


def test_production_refuses_a_plain_http_issuer_even_on_this_machine():
    with pytest.raises(ConfigError, match="https://"):
        oidc_providers({"ENV": "production", "OIDC_PROVIDERS": "local",
                        "OIDC_LOCAL_ISSUER": "http://127.0.0.1:9000",
                        "OIDC_LOCAL_CLIENT_ID": "x", "OIDC_LOCAL_CLIENT_SECRET": "y"})
