"""The sign-in throttle holds across gunicorn's workers: a real two-worker server on
127.0.0.1, its counts in the site's database (memory:// counted per worker: nine tries
got through a limit of five)."""

from __future__ import annotations

import http.cookiejar
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def two_workers(spare_databases):
    env = {k: v for k, v in os.environ.items() if not k.startswith("EIP_")}
    env |= {"EIP_ENV": "production", "EIP_SECRET_KEY": secrets.token_hex(20),
            "DATABASE_URL": spare_databases[0], "EIP_SESSION_COOKIE_SECURE": "false",
            "EIP_REMEMBER_COOKIE_SECURE": "false"}
    subprocess.run([str(BIN / "flask"), "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env,
                   check=True, capture_output=True, timeout=120)
    port = free_port()
    server = subprocess.Popen([str(BIN / "gunicorn"), "--workers", "2", "--bind",
                               f"127.0.0.1:{port}", "wsgi:app"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60  # a busy machine starts gunicorn slowly
        while True:
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"gunicorn did not answer /healthz (exit {server.poll()})")
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_five_failed_sign_ins_then_429_whichever_worker_answers(two_workers):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(two_workers + "/login", timeout=10).read().decode()
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    statuses = []
    for _ in range(7):  # gunicorn's sync workers close each connection: a new one each time
        body = urllib.parse.urlencode({"csrf_token": token, "email": "head@school.example",
                                       "password": "not the password at all"}).encode()
        try:
            statuses.append(opener.open(two_workers + "/login", body, timeout=10).status)
        except urllib.error.HTTPError as error:
            statuses.append(error.code)
    assert statuses == [422] * 5 + [429] * 2
