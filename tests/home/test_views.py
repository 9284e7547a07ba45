from sqlalchemy.exc import OperationalError

from eip_site.extensions import db

from ..helpers import sign_in


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


def test_500_is_a_page_not_a_traceback(app, client, monkeypatch):
    def boom():
        raise RuntimeError("secret detail")

    monkeypatch.setitem(app.view_functions, "home.accessibility", boom)
    response = client.get("/accessibility")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Sorry, something went wrong" in body and "secret detail" not in body


def test_accessibility_statement_is_public(client):
    response = client.get("/accessibility")
    assert response.status_code == 200
    assert "WCAG" in response.get_data(as_text=True)


def test_every_page_names_its_icon_so_browsers_do_not_ask_for_a_missing_one(client):
    page = client.get("/login").get_data(as_text=True)
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
