"""`pip install` of the site into a fresh virtualenv outside the checkout runs from any
directory: it migrates a database and serves pages, templates and static files included;
an install missing one of its folders says so in one line, with status 2."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import urllib.request
from pathlib import Path

import pytest

from .servers import ROOT, free_port, gunicorn, run, site_env

SOURCES = ["pyproject.toml", "setup.py", "eip_site", "templates", "static", "migrations"]


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A copy of the checkout's sources, installed (not editable) into a new virtualenv that
    borrows the suite's dependencies (a .pth file), so it stays fast and offline."""
    tmp = tmp_path_factory.mktemp("install")
    (tmp / "src").mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, tmp / "src" / name,
                            ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(ROOT / name, tmp / "src" / name)
    run([sys.executable, "-m", "venv", "--without-pip", str(tmp / "venv")])
    python = tmp / "venv" / "bin" / "python"
    purelib = run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]
                  ).stdout.strip()
    (Path(purelib) / "borrowed.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--no-index", str(tmp / "src")], cwd=tmp)
    elsewhere = tmp / "elsewhere"
    elsewhere.mkdir()
    return tmp, str(python), elsewhere, purelib


def test_an_install_migrates_and_serves_from_any_directory(installed):
    tmp, python, elsewhere, purelib = installed
    env = site_env(f"sqlite:///{tmp / 'site.sqlite3'}")
    where = run([python, "-c", "import eip_site; print(eip_site.__file__)"], cwd=elsewhere, env=env)
    assert where.stdout.startswith(purelib), "the installed copy, not the checkout"
    run([python, "-m", "flask", "--app", "eip_site.wsgi", "db", "upgrade"], cwd=elsewhere, env=env)
    port = free_port()
    with gunicorn(python, port, tmp / "gunicorn.log", cwd=elsewhere, env=env):
        base = f"http://127.0.0.1:{port}"
        with urllib.request.urlopen(base + "/healthz", timeout=10) as response:
            assert json.loads(response.read()) == {"database": "ok", "status": "ok"}
        with urllib.request.urlopen(base + "/login", timeout=10) as response:
            assert response.status == 200 and b"Sign in" in response.read()
        with urllib.request.urlopen(base + "/static/css/site.css", timeout=10) as response:
            assert response.status == 200 and response.read()


def test_an_install_without_its_templates_says_so_in_one_line(installed):
    tmp, python, elsewhere, purelib = installed
    broken = tmp / "broken"
    shutil.copytree(f"{purelib}/eip_site", broken / "eip_site")
    shutil.rmtree(broken / "eip_site" / "templates")
    env = site_env(f"sqlite:///{tmp / 'broken.sqlite3'}", PYTHONPATH=str(broken))
    done = subprocess.run([python, "-m", "flask", "--app", "eip_site.wsgi", "routes"],
                          cwd=elsewhere, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr[-2000:]
    assert [line for line in done.stderr.splitlines() if "cannot start" in line] == [
        f"EIP site cannot start: The site is installed without its templates folder "
        f"({broken / 'eip_site' / 'templates'}): install it again with pip install . "
        "from the checkout."]
    assert "Traceback" not in done.stderr
