"""Every page a person can reach, as each demo role: no broken link, valid HTML, no axe
violation.

The crawl follows the links each page shows, from the home page, and visits each kind of
page once per role (``/reviews/12`` and ``/reviews/13`` are one kind). The server's HTML is
checked with the Nu Html Checker (vnu.jar, the W3C's validator; htmx's ``hx-*`` attributes
aside) in one run at the end, and each kind of page gets one axe check in the browser.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from .conftest import axe_check
from .test_directory import quick_sign_in

ROLES = ("staff", "champion", "head", "lead", "admin")
PAGES_PER_ROLE = 120
# Links that are not pages: files, calendars, and the one that signs out.
NOT_PAGES = re.compile(r"(\.ics|\.pdf|\.csv|\.xlsx|/export|/data|/logout|/static/)(\?|$)|^mailto:|^tel:"
                       r"|^/files/\d+(/versions/\d+)?$")
VNU_JAR = Path(os.environ.get(
    "EIP_VNU_JAR", Path(__file__).resolve().parents[2] / ".venv/vnu/node_modules/vnu-jar/build/dist/vnu.jar"))
# htmx's attributes are not HTML's; everything else the checker says is an error.
VNU_FILTER = r".*Attribute “hx-[a-z-]+” not allowed.*"


def shape(url: str) -> str:
    """One kind of page: the path with its ids as N, and the names of its query keys."""
    parts = urlsplit(url)
    keys = sorted({k for k, v in parse_qsl(parts.query) if v})
    return re.sub(r"\d+", "N", parts.path) + ("?" + "&".join(keys) if keys else "")


def links(html: str) -> list[str]:
    return [h.replace("&amp;", "&") for h in re.findall(r'<a\s[^>]*href="(/[^"#]*)', html)]


def validator() -> list[str] | None:
    java = shutil.which("java")
    if java and VNU_JAR.is_file():
        return [java, "-Xss16m", "-jar", str(VNU_JAR)]
    message = (f"The page check needs Java and the Nu Html Checker at {VNU_JAR} "
               "(`make test` installs it with npm; Debian: `apt-get install default-jre-headless`).")
    if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def test_every_page_each_role_reaches_is_valid_and_accessible(browser, live_server, demo_logins,
                                                              demo_password, tmp_path):
    command = validator()
    saved: dict[Path, str] = {}
    checked: set[str] = set()  # page kinds that had their axe check, whoever reached them
    broken: list[str] = []
    for role in ROLES:
        context = browser.new_context(base_url=live_server, locale="en-GB",
                                      viewport={"width": 1280, "height": 800})
        context.set_default_timeout(10_000)
        quick_sign_in(context, demo_logins[role], demo_password)
        page = context.new_page()
        queue, seen = [("/", "")], {shape("/")}
        while queue and len(seen) <= PAGES_PER_ROLE:
            url, source = queue.pop(0)
            response = context.request.get(url, max_redirects=0)
            if response.status != 200:
                broken.append(f"{role}: {url} (linked from {source}) answered {response.status}")
                continue
            html = response.text()
            path = tmp_path / f"{role}-{len(saved):03d}.html"
            path.write_text(html)
            saved[path] = f"{role} {url}"
            for link in links(html):
                if not NOT_PAGES.search(link) and shape(link) not in seen:
                    seen.add(shape(link))
                    queue.append((link, url))
            if shape(url) not in checked:
                checked.add(shape(url))
                page.goto(url)
                axe_check(page)
        context.close()
    assert not broken, "Links that lead nowhere:\n" + "\n".join(broken)
    assert len(checked) > 40, f"the crawl reached only {len(checked)} kinds of page"

    result = subprocess.run([*command, "--format", "json", "--filterpattern", VNU_FILTER,
                             *map(str, saved)], capture_output=True, text=True, timeout=300)
    messages = [m for m in json.loads(result.stderr or '{"messages": []}')["messages"]
                if m.get("type") == "error"]
    lines = [f"{saved[Path(urlsplit(m['url']).path)]} line {m.get('lastLine')}: {m['message']}"
             f"  [{m.get('extract', '').strip()[:80]}]" for m in messages]
    assert not lines, f"{len(lines)} HTML error(s):\n" + "\n".join(lines[:60])
