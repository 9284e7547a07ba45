"""The production recipe in deploy/, served for real: Debian's nginx with deploy/nginx-eip.conf
(its names, ports and paths swapped for a temporary directory's; a throwaway certificate),
in front of gunicorn started as deploy/eip-web.service starts it. All on 127.0.0.1, free ports;
nginx runs in the foreground with its own prefix, pid and logs, and stops with the test.
Skipped when nginx is not installed, except under CI=true."""

from __future__ import annotations

import configparser
import os
import re
import secrets
import shlex
import ssl

import pytest

from eip_site.config import Config

from .servers import BIN, ROOT, Browser, free_port, run, serving, site_env

DEPLOY = ROOT / "deploy"
PASSWORD = "a long passphrase for the proxy test"


def exec_start(unit: str) -> list[str]:
    """A unit file's ExecStart, with the production virtualenv's programs swapped for ours."""
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.read(DEPLOY / unit)
    command = shlex.split(parser["Service"]["ExecStart"])
    assert command[0].startswith("/srv/eip-site/.venv/bin/")
    return [str(BIN / command[0].rsplit("/", 1)[1]), *command[1:]]


def render(text: str, swaps: dict[str, str]) -> str:
    for old, new in swaps.items():
        assert old in text, f"deploy/nginx-eip.conf no longer has {old!r}"
        text = text.replace(old, new)
    return text


@pytest.fixture(scope="module")
def proxied(tmp_path_factory):
    """(https address, http address, certificate): nginx in front of gunicorn on a fresh
    SQLite site with one administrator."""
    from .servers import need

    nginx = need("nginx")
    tmp = tmp_path_factory.mktemp("nginx")
    env = site_env(f"sqlite:///{tmp / 'site.sqlite3'}", EIP_PROXY_COUNT="1",
                   EIP_LOGIN_LIMIT_ADDRESS="3 per 15 minutes")
    flask = [str(BIN / "flask"), "--app", "eip_site.wsgi"]
    run([*flask, "db", "upgrade"], cwd=tmp, env=env)
    run([*flask, "create-admin", "admin@partnership.example", "--name", "Ada Admin",
         "--password", PASSWORD], cwd=tmp, env=env)
    run(exec_start("eip-worker.service") + ["--help"], cwd=tmp, env=env)

    cert, key = tmp / "cert.pem", tmp / "key.pem"
    run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext",
         "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)])
    app_port, http_port, https_port = free_port(), free_port(), free_port()
    site = render((DEPLOY / "nginx-eip.conf").read_text(), {
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen [::]:80;": "",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        "listen [::]:443 ssl http2;": "",
        "/etc/letsencrypt/live/eip.partnership.example/fullchain.pem": str(cert),
        "/etc/letsencrypt/live/eip.partnership.example/privkey.pem": str(key),
        "/srv/eip-site/static/": f"{ROOT / 'static'}/",
        "127.0.0.1:8000": f"127.0.0.1:{app_port}",
        "eip.partnership.example": "127.0.0.1",
    })
    (tmp / "eip.conf").write_text(site)
    temp_paths = "\n".join(f"    {kind}_temp_path {tmp / kind};"
                           for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (tmp / "nginx.conf").write_text(f"""
{"user root;" if os.geteuid() == 0 else ""}
daemon off;
worker_processes 1;
pid {tmp / 'nginx.pid'};
error_log {tmp / 'error.log'};
events {{ worker_connections 64; }}
http {{
    types {{ text/html html; text/css css; application/javascript js; image/svg+xml svg; }}
    default_type application/octet-stream;
    access_log {tmp / 'access.log'};
{temp_paths}
    include {tmp / 'eip.conf'};
}}
""")
    gunicorn = [part.replace("127.0.0.1:8000", f"127.0.0.1:{app_port}")
                for part in exec_start("eip-web.service")]
    context = ssl.create_default_context(cafile=str(cert))
    with serving(gunicorn, f"http://127.0.0.1:{app_port}/healthz", tmp / "gunicorn.log",
                 cwd=tmp, env=env), \
         serving([nginx, "-p", f"{tmp}/", "-c", str(tmp / "nginx.conf"), "-e",
                  str(tmp / "error.log")], f"https://127.0.0.1:{https_port}/healthz",
                 tmp / "nginx.out", cwd=tmp, context=context):
        yield f"https://127.0.0.1:{https_port}", f"http://127.0.0.1:{http_port}", context


def test_https_answers_with_hsts_once_and_plain_http_is_sent_to_https(proxied):
    https, http_, context = proxied
    status, headers, _ = Browser(https, context).request("/login")
    assert status == 200
    assert headers.get_all("Strict-Transport-Security") == ["max-age=31536000; includeSubDomains"]
    status, headers, _ = Browser(http_).request("/login")
    assert status == 301 and headers["Location"] == "https://127.0.0.1/login"


def test_signing_in_through_the_proxy_gives_a_secure_session(proxied):
    https, _, context = proxied
    browser = Browser(https, context)
    fields = browser.form("/login") | {"email": ["admin@partnership.example"],
                                       "password": [PASSWORD]}
    status, headers, _ = browser.request("/login", fields)
    assert status == 303, "signed in"
    cookie = next(c for c in headers.get_all("Set-Cookie") if c.startswith("eip_session="))
    assert "; Secure" in cookie and "; HttpOnly" in cookie
    # An administrator must set up two-step sign-in first: the session is held to that page.
    status, headers, _ = browser.request("/")
    assert status in (302, 303) and headers["Location"].endswith("/account/two-step")
    status, _, page = browser.request("/account/two-step")
    assert status == 200 and "Ada Admin" in page


def test_the_throttle_counts_each_client_and_a_forged_address_changes_nothing(proxied):
    https, _, context = proxied

    def failed_sign_in(browser: Browser) -> int:
        fields = browser.form("/login") | {"email": [f"{secrets.token_hex(4)}@school.example"],
                                           "password": ["not the password at all"]}
        return browser.request("/login", fields)[0]

    # The limit per address is 3 here; each try names a new account, so only it applies.
    one = Browser(https, context, "127.0.0.2")
    assert [failed_sign_in(one) for _ in range(4)] == [422, 422, 422, 429]
    forging = Browser(https, context, "127.0.0.2")
    forged = []
    for n in range(3):
        forging.headers["X-Forwarded-For"] = f"10.9.8.{n}"
        forged.append(failed_sign_in(forging))
    assert forged == [429] * 3, "a made-up X-Forwarded-For is not the client's address"
    other = Browser(https, context, "127.0.0.3")
    assert failed_sign_in(other) == 422, "another client is counted on its own"


def test_nginx_serves_static_files_to_be_kept_a_year(proxied):
    https, _, context = proxied
    _, _, page = Browser(https, context).request("/login")
    stylesheet = re.search(r'href="(/static/css/site\.css\?v=[0-9a-f]+)"', page).group(1)
    status, headers, body = Browser(https, context).request(stylesheet)
    assert status == 200 and body == (ROOT / "static" / "css" / "site.css").read_text()
    assert headers["Cache-Control"] == "max-age=31536000"
    assert "Content-Security-Policy" not in headers, "nginx answered, not the site"
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_nginx_takes_uploads_as_large_as_the_site_does():
    size = re.search(r"client_max_body_size (\d+)m;", (DEPLOY / "nginx-eip.conf").read_text())
    assert int(size.group(1)) == Config.MAX_UPLOAD_MB + 1  # a paper and the rest of its form


def test_the_services_run_the_commands_the_docs_give():
    deploy_md = (ROOT / "docs" / "deploy.md").read_text()
    for name in ("eip-web.service", "eip-worker.service", "nginx-eip.conf", "eip.env",
                 "logrotate-eip", "journald-eip.conf"):
        assert (DEPLOY / name).read_text().strip() in deploy_md, f"docs/deploy.md quotes {name}"
