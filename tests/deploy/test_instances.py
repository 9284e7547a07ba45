"""Several machines: two gunicorn instances (real processes) on one PostgreSQL database, the
throttle's counts in one Redis (EIP_RATELIMIT_STORAGE_URI=redis://), and a browser going to
either. Needs EIP_TEST_DATABASE_URL (skipped on SQLite-only runs) and Debian's redis-server
(skipped without it, except under CI=true). Every process on 127.0.0.1, stopped at the end."""

from __future__ import annotations

import os
import re
import sys
import uuid
from contextlib import ExitStack

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from eip_site.config import normalise_database_url

from .servers import BIN, Browser, free_port, gunicorn, need, run, serving, site_env

PASSWORD = "a long passphrase for two instances"


@pytest.fixture(scope="module")
def database():
    """A new PostgreSQL database on the suite's server, dropped at the end."""
    url = os.environ.get("EIP_TEST_DATABASE_URL")
    if not url:
        pytest.skip("several instances share a PostgreSQL database: set EIP_TEST_DATABASE_URL")
    server = create_engine(normalise_database_url(url), isolation_level="AUTOCOMMIT")
    name = f"eip_instances_{uuid.uuid4().hex[:8]}"
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(normalise_database_url(url)).set(database=name).render_as_string(
        hide_password=False)
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    server.dispose()


@pytest.fixture(scope="module")
def instances(database, tmp_path_factory):
    """(first, second, the demo's logins by role, the database's engine)."""
    redis_server = need("redis-server")
    tmp = tmp_path_factory.mktemp("instances")
    redis_port = free_port()
    env = site_env(database, EIP_RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{redis_port}/0",
                   EIP_SESSION_COOKIE_SECURE="false", EIP_REMEMBER_COOKIE_SECURE="false")
    flask = [str(BIN / "flask"), "--app", "eip_site.wsgi"]
    run([*flask, "db", "upgrade"], cwd=tmp, env=env)
    seeded = run([*flask, "seed-demo", "--password", PASSWORD], cwd=tmp, env=env).stdout
    logins = dict(re.findall(r"^\s+(\w+)\s.*?(\S+@\S+)(?:\s+two-step key \S+)?$", seeded, re.M))
    ports = free_port(), free_port()
    with ExitStack() as stack:
        stack.enter_context(serving(
            [redis_server, "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--daemonize", "no"], redis_port, tmp / "redis.log", cwd=tmp))
        for port in ports:
            stack.enter_context(gunicorn(sys.executable, port, tmp / f"gunicorn-{port}.log",
                                         cwd=tmp, env=env))
        engine = create_engine(normalise_database_url(database))
        yield (*(f"http://127.0.0.1:{port}" for port in ports), logins, engine)
        engine.dispose()


def test_failed_sign_ins_on_both_instances_reach_the_limit_together(instances):
    first, second, _, engine = instances
    browser = Browser(first)
    statuses = []
    for n in range(7):
        base = (first, second)[n % 2]
        fields = browser.form("/login", base=base) | {"email": ["nobody@school.example"],
                                                      "password": ["not the password at all"]}
        statuses.append(browser.request("/login", fields, base=base)[0])
    assert statuses == [422] * 5 + [429] * 2
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM rate_limit")).scalar() == 0, \
            "the counts are in Redis"


def test_a_session_made_on_one_instance_is_good_on_the_other(instances):
    first, second, logins, _ = instances
    browser = Browser(first)
    assert browser.sign_in(logins["staff"], PASSWORD) == 303
    status, _, page = browser.request("/", base=second)
    assert status == 200 and "Farah Hughes" in page


def test_an_edit_through_one_instance_shows_at_once_through_the_other(instances):
    first, second, logins, _ = instances
    reader, editor = Browser(first), Browser(second)
    assert reader.sign_in(logins["lead"], PASSWORD) == 303
    assert editor.sign_in(logins["champion"], PASSWORD) == 303
    for _ in range(2):  # the second answer is the one the first instance remembered
        _, _, page = reader.request("/directory/?q=Deepa")
        assert "Deepa Ahmed" in page and "Trust lead for curriculum" not in page
    fields = editor.form("/profile/edit") | {"job_title": ["Trust lead for curriculum"]}
    assert editor.request("/profile/edit", fields)[0] == 303
    _, _, page = reader.request("/directory/?q=Deepa")
    assert "Trust lead for curriculum" in page


def test_a_deactivation_on_one_instance_ends_the_session_on_the_other(instances):
    first, second, logins, engine = instances
    admin, person = Browser(first), Browser(second)
    assert admin.sign_in(logins["admin"], PASSWORD) == 303
    assert person.sign_in(logins["head"], PASSWORD) == 303
    assert person.request("/")[0] == 200
    with engine.connect() as connection:
        user_id = connection.execute(text('SELECT id FROM "user" WHERE email = :e'),
                                     {"e": logins["head"]}).scalar_one()
    token = admin.form(f"/admin/users/{user_id}")["csrf_token"]
    assert admin.request(f"/admin/users/{user_id}/active",
                         {"csrf_token": token, "active": "0"})[0] == 303
    status, headers, _ = person.request("/")
    assert status in (302, 303) and "/login" in headers["Location"]
