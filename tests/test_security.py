"""Headers, cookies, CSRF and the htmx session-expiry behaviour."""

import re

import pytest

from eip_site import create_app
from eip_site.extensions import db

from . import factories
from .helpers import sign_in


def test_every_response_carries_the_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    for directive in ("default-src 'self'", "object-src 'none'", "base-uri 'none'",
                      "frame-ancestors 'none'", "form-action 'self'"):
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in response.headers  # plain http


def test_hsts_when_served_over_https(client):
    response = client.get("/login", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_pages_hold_no_inline_script_or_handlers(client):
    sign_in(client, roles={"admin"})
    for path in ("/login", "/", "/admin/users", "/admin/schools/new"):
        body = client.get(path).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)", body), path
        assert not re.search(r"\son[a-z]+=", body), path
        assert "hx-on" not in body, path


def test_signed_in_pages_are_not_cached(client):
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")
    sign_in(client)
    assert client.get("/").headers["Cache-Control"] == "no-store"


def test_fragment_urls_vary_on_hx_request(client):
    sign_in(client, roles={"lead"})
    assert "HX-Request" in client.get("/admin/users").headers["Vary"]
    fragment = client.get("/admin/users", headers={"HX-Request": "true"})
    assert "HX-Request" in fragment.headers["Vary"]
    assert "<html" not in fragment.get_data(as_text=True)
    boosted = client.get("/admin/users", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert "<html" in boosted.get_data(as_text=True)
    restore = client.get("/admin/users", headers={"HX-Request": "true",
                                                  "HX-History-Restore-Request": "true"})
    assert "<html" in restore.get_data(as_text=True)


def test_expired_session_during_htmx_request_redirects_the_whole_page(client):
    response = client.get("/admin/users", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == "/login"
    plain = client.get("/admin/users")
    assert plain.status_code == 303
    assert plain.headers["Location"].startswith("/login?next=")


def test_production_cookies_are_secure_httponly_lax(monkeypatch, tmp_path):
    monkeypatch.setenv("EIP_SECRET_KEY", "k" * 40)
    app = create_app({"ENV": "production",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p.db"})
    with app.app_context():
        db.create_all()
        factories.user(email="prod@school.example")
        db.session.commit()
    client = app.test_client()
    token = _csrf_token(client.get("/login", base_url="https://localhost"))
    response = client.post("/login", base_url="https://localhost",
                           headers={"Referer": "https://localhost/login"}, data={
        "email": "prod@school.example", "password": factories.PASSWORD, "remember": "y",
        "csrf_token": token})
    assert response.status_code == 303
    cookies = response.headers.getlist("Set-Cookie")
    for name in ("eip_session", "eip_remember"):
        cookie = next(c for c in cookies if c.startswith(name + "="))
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie, cookie


def _csrf_token(response) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', response.get_data(as_text=True))[1]


@pytest.fixture
def csrf_app(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield app
    app.config["WTF_CSRF_ENABLED"] = False


def test_csrf_is_enforced_on_forms_and_htmx_requests(csrf_app):
    with csrf_app.app_context():
        factories.user(email="csrf@school.example", roles={"champion"})  # no second step
        db.session.commit()
    client = csrf_app.test_client()
    login = {"email": "csrf@school.example", "password": factories.PASSWORD}
    refused = client.post("/login", data=login)
    assert refused.status_code == 400
    assert "Bad request" in refused.get_data(as_text=True)
    token = _csrf_token(client.get("/login"))
    assert client.post("/login", data={**login, "csrf_token": token}).status_code == 303
    # htmx sends the token as a header (static/js/site.js reads the meta tag).
    token = _csrf_token(client.get("/"))
    headers = {"HX-Request": "true"}
    assert client.post("/logout", headers=headers).status_code == 400
    out = client.post("/logout", headers={**headers, "X-CSRFToken": token})
    assert out.status_code == 200 and out.headers["HX-Redirect"] == "/login"


def test_site_script_sends_the_csrf_header():
    with open("static/js/site.js") as f:
        script = f.read()
    assert "X-CSRFToken" in script and 'meta[name="csrf-token"]' in script
