"""The test OpenID provider (``provider.mjs``, the npm package oidc-provider on Node.js), run
on 127.0.0.1 on a free port for a test session. ``make test`` installs the package into
``.venv/oidc``; without it (or without Node.js) the single sign-on tests are skipped, except
under CI, where they fail."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
MODULES = ROOT / ".venv" / "oidc" / "node_modules"
SCRIPT = Path(__file__).with_name("provider.mjs")
CLIENT_ID, CLIENT_SECRET = "eip-site", "test-only-client-secret"


@dataclass
class Provider:
    issuer: str

    def settings(self, name: str = "local", **extra) -> dict:
        """The site's configuration for this provider as ``name``."""
        key = f"OIDC_{name.upper()}_"
        return {"OIDC_PROVIDERS": name, key + "ISSUER": self.issuer, key + "CLIENT_ID": CLIENT_ID,
                key + "CLIENT_SECRET": CLIENT_SECRET, key + "LABEL": "Test provider",
                **{key + k.upper(): v for k, v in extra.items()}}

    def next_id_token(self, how: str) -> None:
        """Make the next ID token wrong: ``aud``, ``iss``, ``exp`` or ``sig``."""
        requests.post(self.issuer + "/test/next-id-token", data=how, timeout=5).raise_for_status()

    def sign_in(self, browser: requests.Session, authorize_url: str, account: str,
                amr: str = "pwd") -> str:
        """As a person at the provider's sign-in page: choose ``account`` and submit the form
        (a plain POST). Returns the address the provider sends the person back to."""
        response = self._walk(browser, browser.get(authorize_url, allow_redirects=False))
        if isinstance(response, str):
            return response  # already signed in at the provider
        assert response.status_code == 200, response.text
        uid = response.url.rstrip("/").rsplit("/", 1)[-1]
        answer = browser.post(f"{self.issuer}/interaction/{uid}/login",
                              data={"login": account, "amr": amr}, allow_redirects=False)
        back = self._walk(browser, answer)
        assert isinstance(back, str), back.text
        return back

    def _walk(self, browser, response):
        """Follow the provider's own redirects; the first address off the provider is returned."""
        while response.is_redirect:
            url = urljoin(response.url, response.headers["Location"])
            if not url.startswith(self.issuer + "/"):
                return url
            response = browser.get(url, allow_redirects=False)
        return response


def _unavailable(reason: str):
    if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running(redirect_uris: list[str], accounts: dict | None = None):
    node = shutil.which("node")
    if node is None or not (MODULES / "oidc-provider").is_dir():
        _unavailable("The single sign-on tests need Node.js and the npm package oidc-provider "
                     "in .venv/oidc (make test installs it; npm could not fetch it).")
    port = free_port()
    with tempfile.TemporaryFile("w+") as log:
        process = subprocess.Popen(
            [node, str(SCRIPT)], stdout=log, stderr=subprocess.STDOUT,
            env={**os.environ, "OIDC_MODULES": str(MODULES), "PORT": str(port),
                 "CLIENT_ID": CLIENT_ID, "CLIENT_SECRET": CLIENT_SECRET,
                 "REDIRECT_URIS": ",".join(redirect_uris),
                 "EXTRA_ACCOUNTS": json.dumps(accounts or {})})
        try:
            deadline = time.monotonic() + 60
            while True:
                log.seek(0)
                output = log.read()
                if "ready" in output.splitlines():
                    break
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"The test OpenID provider did not start:\n{output}")
                time.sleep(0.1)
            yield Provider(issuer=f"http://127.0.0.1:{port}")
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
