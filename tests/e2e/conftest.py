"""Browser journeys: the demo partnership served by a live server, driven by Chromium.

One server and one browser for the whole run; a fresh browser context (cookies, storage)
for every test. The live server shares the session ``app`` (and its database) with the
other tests, so it seeds the demo data itself, and every test checks that it is still there.

Chromium comes from ``PLAYWRIGHT_CHROMIUM_EXECUTABLE`` or ``/usr/bin/chromium``
(``apt-get install chromium``); without one the journeys are skipped, except under CI.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pyotp
import pytest
from sqlalchemy import select, update
from werkzeug.serving import WSGIRequestHandler, make_server

from eip_site.auth.models import UserTotp
from eip_site.extensions import db, limiter
from eip_site.people.models import User
from eip_site.seeds import demo

from ..conftest import truncate_all

E2E_PASSWORD = "e2e-kingsmere-journeys-2026"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Every test in this folder is a browser journey (the top-level _clean fixture reads it)."""
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.e2e)


# --- Server -----------------------------------------------------------------------------

class _QuietHandler(WSGIRequestHandler):
    """No access log on stderr: a journey makes dozens of requests."""

    def log_request(self, *args, **kwargs):
        pass


def _load_demo() -> None:
    truncate_all()
    demo.seed(E2E_PASSWORD)
    db.session.commit()


@pytest.fixture(scope="session")
def demo_password() -> str:
    return E2E_PASSWORD


_LIVE: dict = {}  # the live server's app, for the two-step helpers below


@pytest.fixture(scope="session")
def live_server(app):
    """Serve the app with the demo data on 127.0.0.1; yields the base URL."""
    _LIVE["app"] = app
    with app.app_context():
        _load_demo()
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="e2e-live-server", daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    try:
        yield f"http://{host}:{port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def demo_logins(app, live_server) -> dict[str, demo.DemoLogin]:
    """role -> DemoLogin (name, email) for staff, champion, head, lead and admin."""
    with app.app_context():
        return {login.role: login for login in demo.logins()}


@pytest.fixture(autouse=True)
def _live_state(app, live_server):
    """Per test: CSRF on (as in production), no login throttle, demo data present.

    CSRF is switched on only while an e2e test runs and restored afterwards, because the
    session-scoped server outlives this folder and the view tests that run after it rely
    on WTF_CSRF_ENABLED being False.
    """
    previous = app.config.get("WTF_CSRF_ENABLED")
    app.config["WTF_CSRF_ENABLED"] = True
    with app.app_context():
        limiter.reset()
    with app.app_context():
        if not demo.is_loaded():  # another test truncated the tables in between
            _load_demo()
    yield
    app.config["WTF_CSRF_ENABLED"] = previous


# --- Browser ----------------------------------------------------------------------------

def chromium_executable() -> str | None:
    configured = os.environ.get("PLAYWRIGHT_CHROMIUM_EXECUTABLE")
    if configured:
        return configured if (Path(configured).is_file() or shutil.which(configured)) else None
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else None


@pytest.fixture(scope="session")
def browser():
    executable = chromium_executable()
    if executable is None:
        configured = os.environ.get("PLAYWRIGHT_CHROMIUM_EXECUTABLE")
        message = (
            (f"PLAYWRIGHT_CHROMIUM_EXECUTABLE={configured!r} is not an executable. "
             if configured else "No Chromium at /usr/bin/chromium. ")
            + "The browser tests need one: install it (Debian/Ubuntu: `apt-get install "
            "chromium`) or set PLAYWRIGHT_CHROMIUM_EXECUTABLE to a Chromium binary."
        )
        if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def context(browser, live_server):
    context = browser.new_context(
        base_url=live_server, viewport={"width": 1280, "height": 800}, locale="en-GB"
    )
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page(context):
    return context.new_page()


# --- Helpers ----------------------------------------------------------------------------

def axe_check(page) -> None:
    """Run axe-core (WCAG 2.0/2.1 A and AA, 2.2 AA) on the page; fail on any violation."""
    from axe_playwright_python.sync_playwright import Axe

    # Layout read before the stylesheet arrives (a busy machine) would be judged unstyled.
    page.wait_for_load_state("load")
    results = Axe().run(
        page, options={"runOnly": {"type": "tag", "values": AXE_TAGS},
                       "resultTypes": ["violations"]}
    )
    violations = results.response["violations"]
    if violations:
        lines = [f"{len(violations)} accessibility violation(s) on {page.url}:"]
        for v in violations:
            lines.append(f"- {v['id']} ({v['impact']}): {v['help']}  [{v['helpUrl']}]")
            for node in v["nodes"]:
                target = " ".join(str(t) for t in node["target"])
                lines.append(f"    at {target}: {node.get('failureSummary', '').strip()}"
                             .replace("\n", " | "))
        pytest.fail("\n".join(lines), pytrace=False)


def demo_code(email: str) -> str:
    """The current two-step code of a demo account (from its fixed key). Its last used
    time-step is forgotten first, so a journey may sign in as one person twice within the
    30 seconds a code lasts (the site refuses a code used before: tests/auth/test_totp.py)."""
    with _LIVE["app"].app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == email.lower()))
        db.session.execute(update(UserTotp).where(UserTotp.user_id == user_id)
                           .values(last_step=None))
        db.session.commit()
        secret = db.session.get(UserTotp, user_id).secret
    return pyotp.TOTP(secret).now()


def second_step(page, email: str) -> None:
    """After the password, as the person would: enter the code from their app, or set up
    two-step sign-in when the site sends them there (reading the key off the page)."""
    page.wait_for_load_state("load")
    path = urlsplit(page.url).path
    if path == "/login/code":
        page.get_by_label("Code", exact=True).fill(demo_code(email))
        page.get_by_role("button", name="Continue").click()
    elif path == "/account/two-step":
        secret = page.locator("#totp-secret").inner_text().replace(" ", "")
        page.get_by_label("Code from your authenticator app").fill(pyotp.TOTP(secret).now())
        page.get_by_role("button", name="Turn on two-step sign-in").click()
        page.get_by_role("link", name="I have kept my codes: continue").click()


def second_step_request(context, response, email: str) -> None:
    """``second_step`` for a sign-in posted with ``context.request``."""
    location = response.headers.get("location", "")
    if location not in ("/login/code", "/account/two-step"):
        return
    html = context.request.get(location).text()
    token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
    if location == "/login/code":
        value = demo_code(email)
    else:
        secret = re.search(r'id="totp-secret">([^<]+)<', html).group(1).replace(" ", "")
        value = pyotp.TOTP(secret).now()
    answer = context.request.post(location, form={"csrf_token": token, "code": value},
                                  max_redirects=0)
    assert answer.status in (200, 303), f"second step as {email} failed ({answer.status})"


def screenshot(page, name: str) -> Path | None:
    """Refresh the README's screenshots only when asked (EIP_SCREENSHOTS=1 make test),
    so an ordinary test run leaves the working tree clean."""
    if os.environ.get("EIP_SCREENSHOTS") != "1":
        return None
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    page.screenshot(path=str(path), full_page=True)
    return path
