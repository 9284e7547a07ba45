"""Real servers for the deployment tests: processes on 127.0.0.1 and free ports, each in its
own process group, stopped (and killed if need be) when the test ends; a small browser."""

from __future__ import annotations

import functools
import http.client
import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def need(program: str) -> str:
    """The program's path; without it the test is skipped, or fails under CI=true."""
    path = shutil.which(program) or next(
        (p for p in (f"/usr/sbin/{program}", f"/usr/bin/{program}") if os.access(p, os.X_OK)), None)
    if path is None:
        message = f"{program} is not installed (Debian: apt-get install {program})"
        if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
            pytest.fail(message + "; CI must run this test")
        pytest.skip(message)
    return path


def site_env(database_url: str, **more: str) -> dict[str, str]:
    """The environment of a production site on ``database_url``, none of the suite's own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EIP_", "SECRET_KEY"))}
    return env | {"EIP_ENV": "production", "EIP_SECRET_KEY": "s" * 40,
                  "DATABASE_URL": database_url} | more


def run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, **kwargs)
    assert done.returncode == 0, f"{cmd}: {done.stdout[-1500:]}{done.stderr[-1500:]}"
    return done


def wait_until_up(up: str | int, process: subprocess.Popen, log: Path, seconds: float = 30,
                  **kw):
    """Until ``up`` answers: an address that answers HTTP, or a port that takes connections."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{process.args[0]} stopped: {log.read_text()[-2000:]}")
        try:
            if isinstance(up, int):
                socket.create_connection(("127.0.0.1", up), timeout=2).close()
            else:
                urllib.request.urlopen(up, timeout=2, **kw)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{up} did not answer in {seconds} s: {log.read_text()[-2000:]}")


@contextmanager
def serving(cmd: list[str], up: str | int, log: Path, *, cwd, env=None, **kw):
    """Run ``cmd`` until the block ends, once ``up`` answers; its output goes to ``log``."""
    with open(log, "ab") as out:
        process = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_until_up(up, process, log, **kw)
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)  # gunicorn, nginx and Redis: stop at once
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def gunicorn(python: str, port: int, log: Path, *, cwd, env, workers: int = 1):
    """The site as docs/deploy.md serves it, from any directory."""
    return serving([python, "-m", "gunicorn", "-c", "python:eip_site.gunicorn_conf",
                    "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
                    "eip_site.wsgi:app"], f"http://127.0.0.1:{port}/healthz", log,
                   cwd=cwd, env=env)


class _Form(HTMLParser):
    """The fields a page's forms would send (inputs, checked boxes, textareas, selections)."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, list[str]] = {}
        self._textarea = self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and (a.get("type") not in ("checkbox", "radio", "submit")
                                        or "checked" in a):
            self.fields.setdefault(name, []).append(a.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields.setdefault(name, []).append("")
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.fields.setdefault(self._select, []).append(a.get("value") or "")

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


class Browser:
    """One person's cookies; ``base`` can change between requests (another instance). Over
    HTTPS, ``context`` trusts the test's certificate and ``source`` is the address its
    connections come from (any 127.x.y.z is this machine)."""

    def __init__(self, base: str, context=None, source: str | None = None):
        self.base, self.jar = base, http.cookiejar.CookieJar()
        handlers = [urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()]
        if context is not None:
            handlers.append(_HTTPSFrom(context, source))
        self.opener = urllib.request.build_opener(*handlers)
        self.headers: dict[str, str] = {}

    def request(self, path: str, data: dict | None = None, *, base: str | None = None):
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        # A form's page is its Referer (the CSRF check asks for one over HTTPS).
        headers = self.headers | ({"Referer": (base or self.base) + path} if body else {})
        request = urllib.request.Request((base or self.base) + path, body, headers)
        try:
            with self.opener.open(request, timeout=20) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode()

    def form(self, path: str, *, base: str | None = None) -> dict[str, list[str]]:
        status, _, page = self.request(path, base=base)
        assert status == 200, (path, status)
        parser = _Form()
        parser.feed(page)
        token = re.search(r'name="csrf-token" content="([^"]+)"', page)
        return parser.fields | ({"csrf_token": [token.group(1)]} if token else {})

    def sign_in(self, email: str, password: str, *, base: str | None = None) -> int:
        """The password, then the two-step code when asked (the demo's accounts that must
        have one are enrolled with the demo's fixed keys)."""
        fields = self.form("/login", base=base) | {"email": [email], "password": [password]}
        status, headers, _ = self.request("/login", fields, base=base)
        if status != 303 or not headers["Location"].endswith("/login/code"):
            return status
        import pyotp

        from eip_site.auth.totp import demo_secret

        fields = self.form("/login/code", base=base) | {
            "code": [pyotp.TOTP(demo_secret(email)).now()]}
        return self.request("/login/code", fields, base=base)[0]


class _HTTPSFrom(urllib.request.HTTPSHandler):
    def __init__(self, context, source: str | None):
        super().__init__(context=context)
        self.source = (source, 0) if source else None

    def https_open(self, req):
        return self.do_open(functools.partial(http.client.HTTPSConnection,
                                              source_address=self.source), req,
                            context=self._context)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 302 is an answer to look at, not to follow
