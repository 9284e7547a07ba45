import logging
import re

import pytest
from sqlalchemy.exc import OperationalError

from eip_site.extensions import db

from ..helpers import queries_during, sign_in


def test_home_greets_the_signed_in_person_and_links_to_what_they_may_use(client):
    sign_in(client, roles={"head"}, name="Sam Ortiz")
    page = client.get("/").get_data(as_text=True)
    assert "Hello, Sam" in page
    assert 'href="/admin/users"' in page  # a head manages their staff


def test_home_hides_admin_from_staff(client):
    sign_in(client)
    page = client.get("/").get_data(as_text=True)
    assert "/admin/" not in page


def test_healthz_reports_a_reachable_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_with_a_cookie_asks_only_for_the_database(app, client):
    """The request log names a user only when the request loaded one: a signed-in
    browser's health check must not cost the user's query."""
    sign_in(client)
    assert queries_during(app, lambda: client.get("/healthz")) == 1


def test_healthz_is_503_when_the_database_is_unreachable(client, monkeypatch):
    def broken(*_args, **_kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "unreachable"


def test_error_pages_are_full_pages_or_fragments(client):
    sign_in(client)
    page = client.get("/no-such-page")
    assert page.status_code == 404
    assert "<h1>Page not found</h1>" in page.get_data(as_text=True)
    fragment = client.get("/no-such-page", headers={"HX-Request": "true"})
    assert fragment.status_code == 404
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and "Page not found" in body
    assert fragment.headers["HX-Retarget"] == "#flash"


def test_405_and_403_pages(client):
    sign_in(client)
    assert client.get("/logout").status_code == 405
    forbidden = client.get("/admin/schools")
    assert forbidden.status_code == 403
    assert "You do not have access to this page" in forbidden.get_data(as_text=True)


def test_500_is_a_page_not_a_traceback(app, client, monkeypatch, caplog):
    def boom():
        raise RuntimeError("secret detail")

    monkeypatch.setitem(app.view_functions, "home.accessibility", boom)
    with caplog.at_level(logging.INFO):
        response = client.get("/accessibility")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Sorry, something went wrong" in body and "secret detail" not in body
    # The page shows the request's id; the error and the request's line are logged under it.
    reference = response.headers["X-Request-ID"]
    assert f"quote this reference: <code>{reference}</code>" in body
    error = next(r for r in caplog.records if r.levelname == "ERROR")
    assert error.request_id == reference and error.exc_info
    line = next(r for r in caplog.records if r.name == "eip_site.requests")
    assert (line.request_id, line.method, line.path, line.status) == (
        reference, "GET", "/accessibility", 500)


def test_each_request_is_one_line_with_its_id_and_user(client, caplog):
    user_id = sign_in(client)
    with caplog.at_level(logging.INFO, logger="eip_site.requests"):
        first = client.get("/?q=a%20colleague")
        given = client.get("/", headers={"X-Request-ID": "nginx-0123456789abcdef"})
        forged = client.get("/", headers={"X-Request-ID": "<script> not an id"})
    lines = [r for r in caplog.records if r.name == "eip_site.requests"]
    assert len(lines) == 3
    assert lines[0].user_id == user_id and lines[0].path == "/" and lines[0].duration_ms >= 0
    assert "colleague" not in lines[0].getMessage()  # the path, never the query
    assert first.headers["X-Request-ID"] == lines[0].request_id
    assert given.headers["X-Request-ID"] == "nginx-0123456789abcdef"
    assert forged.headers["X-Request-ID"] != "<script> not an id"


def test_json_log_lines(app):
    import json

    from eip_site.logs import JsonFormatter

    record = logging.getLogRecordFactory()("eip_site.requests", logging.INFO, __file__, 1,
                                           "GET / 200", None, None)
    record.method, record.path, record.status, record.duration_ms = "GET", "/", 200, 3.5
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "GET / 200" and line["status"] == 200 and line["path"] == "/"
    assert line["request_id"] == "-" and line["level"] == "INFO"


def test_accessibility_statement_is_public(client):
    response = client.get("/accessibility")
    assert response.status_code == 200
    assert "WCAG" in response.get_data(as_text=True)


def test_every_page_names_its_icon_so_browsers_do_not_ask_for_a_missing_one(client):
    page = client.get("/login").get_data(as_text=True)
    icon = re.search(r'<link rel="icon" href="(/static/favicon\.svg\?v=[0-9a-f]+)" '
                     r'type="image/svg\+xml">', page)
    assert icon, "the icon, with its fingerprint"
    icon = client.get(icon.group(1))
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"


@pytest.mark.parametrize("url", ["sqlite:////nonexistent-eip-dir/site.sqlite3",
                                 "postgresql://eip@127.0.0.1:1/eip"])
def test_without_its_database_the_site_answers_its_own_503(url):
    """A database that cannot be reached (SQLite's file gone, PostgreSQL's port closed)."""
    from eip_site import create_app

    down = create_app({"ENV": "testing", "SQLALCHEMY_DATABASE_URI": url}).test_client()
    page = down.get("/login")
    assert page.status_code == 503 and page.headers["Retry-After"] == "60"
    assert "cannot reach its database" in page.get_data(as_text=True)
    fragment = down.get("/login", headers={"HX-Request": "true"})
    assert fragment.status_code == 503 and fragment.headers["HX-Retarget"] == "#flash"
    assert "<html" not in fragment.get_data(as_text=True)


@pytest.mark.parametrize("method, path, data", [
    ("post", "/login", {"email": "a\x00b", "password": "x"}),
    ("get", "/admin/users", {"q": "a\x00b", "role": "\x00", "status": "\x00"}),
    ("post", "/directory/searched", {"q": "a\x00b"}),
])
def test_a_nul_byte_is_a_clear_4xx_on_either_database(client, method, path, data):
    sign_in(client, roles={"lead"}) if path != "/login" else None
    if method == "get":
        response = client.get(path, query_string=data)
    else:
        response = client.post(path, data=data)
    assert response.status_code < 500
