"""Odd input never breaks a page: walk ``app.url_map`` and send every query parameter and
form field each route reads generated odd values, as each role, failing on any 5xx.

Which names a route reads is learnt, not listed: a first pass requests every route as each
role with the request's ``args`` and ``form`` recording every name looked up in them (what
the view and its WTForms forms ask for), and adds the names of the fields in the forms the
pages draw. The ids in URLs are the world's real ones, or ones beyond the database's range.

``make test`` runs a bounded number of generated examples; ``make fuzz`` runs many more
(``EIP_FUZZ_EXAMPLES``) and the sweep: each route, each kind of odd value, as each role it
admits."""

from __future__ import annotations

import os
import re
from collections import defaultdict

import pytest
from flask import Request
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from eip_site.security import ADMIN, CHAMPION, HEAD, LEAD, PERMISSIONS, PUBLIC, SIGNED_IN

from .helpers import sign_in
from .test_permissions import build, walk  # noqa: F401  (walk: the world's users and ids)

ROLES = ("staff", CHAMPION, HEAD, LEAD, ADMIN)
EXAMPLES = int(os.environ.get("EIP_FUZZ_EXAMPLES", "40"))
FULL = bool(os.environ.get("EIP_FUZZ"))  # make fuzz: the sweep too (~3 minutes on SQLite)
# Never sent: signing out ends the walk's session, and a file upload is tested on its own.
SKIP = {"auth.logout", "static"}
NOT_FIELDS = {"csrf_token"}

BIG = ["2147483648", "-2147483649", "9223372036854775808", "99999999999999999999"]
ODD = [*BIG, "-1", "0", "NaN", "inf", "1e308", "1.5", "0x10", " 7 ", "abc", "",
       "2027-02-30", "0000-00-00", "9999-12-31", "1900-01-01", "31/12/99999", "25:61",
       "a\x00b", "\x00", "\x1b[31m\x07", "line\r\nX-Header: y", "<script>alert(1)</script>",
       "☃" * 50, "x" * 6000, "' OR 1=1 --", "%00", "../../etc/passwd", "true", "on"]
ID_VARIANTS = ("real", "2147483648", "99999999999999999999", "0")

_READ: set[str] | None = None


class _Recording(MultiDict):
    """A MultiDict remembering each name looked up in it (while learning)."""

    def _seen(self, key):
        if _READ is not None and isinstance(key, str):
            _READ.add(key)

    def __contains__(self, key):
        self._seen(key)
        return super().__contains__(key)

    def __getitem__(self, key):
        self._seen(key)
        return super().__getitem__(key)

    def get(self, key, default=None, type=None):  # noqa: A002
        self._seen(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):  # noqa: A002
        self._seen(key)
        return super().getlist(key, type)


class _LearningRequest(Request):
    parameter_storage_class = _Recording


def _roles_for(endpoint: str) -> tuple[str, ...]:
    rule = PERMISSIONS[endpoint]
    if rule in (PUBLIC, SIGNED_IN):
        return ROLES
    return tuple(r for r in ROLES if r in rule) or (ADMIN,)


def _client(app, walk, role):
    client = app.test_client()
    sign_in(client, walk["users"][role])
    return client


_FIELD = re.compile(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"')


def _routes(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint in SKIP:
            continue
        for method in ("GET", "POST"):
            if method in rule.methods:
                yield rule, method


@pytest.fixture
def targets(app, walk):
    """[(rule, method, role, names read)], learnt by requesting each route as each role it
    admits: GETs first, then empty POSTs (which may change the world)."""
    global _READ
    names: dict = defaultdict(set)
    rules = {}
    page_fields: dict = defaultdict(set)  # form action path -> field names drawn
    clients = {role: _client(app, walk, role) for role in ROLES}
    old = app.request_class
    app.request_class = _LearningRequest
    try:
        for rule, method in sorted(_routes(app), key=lambda rm: rm[1] != "GET"):
            url = build(rule, walk["args"])
            for role in _roles_for(rule.endpoint):
                _READ = set()
                response = clients[role].open(url, method=method)
                rules[rule.rule, rule.endpoint] = rule
                names[(rule.rule, rule.endpoint), method, role] |= _READ
                if method == "GET" and response.mimetype == "text/html":
                    for form in re.finditer(r'<form([^>]*)>(.*?)</form>',
                                            response.get_data(as_text=True), re.S):
                        action = re.search(r'action="([^"?]*)', form.group(1))
                        page_fields[action.group(1) if action else url] |= set(
                            _FIELD.findall(form.group(2)))
    finally:
        _READ = None
        app.request_class = old
    out = []
    for (key, method, role), read in names.items():
        rule = rules[key]
        drawn = page_fields.get(build(rule, walk["args"]), set())
        out.append((rule, method, role, sorted((read | drawn) - NOT_FIELDS)))
    return out


def _url(rule, walk, variant: str) -> str:
    if variant == "real":
        return build(rule, walk["args"])
    args = {**walk["args"], **{k: variant for k in rule.arguments
                               if isinstance(walk["args"].get(k), int)}}
    return rule.build({k: args[k] for k in rule.arguments}, append_unknown=False)[1]


def _send(client, rule, method, url, values: MultiDict, htmx: bool = False):
    headers = {"HX-Request": "true"} if htmx else {}
    if method == "GET":
        return client.get(url, query_string=values, headers=headers)
    return client.post(url, data=values, headers=headers)


def _failure(response, rule, method, role, url, values) -> str | None:
    if response.status_code < 500:
        return None
    shown = {k: (v[:40] + "…" if len(v) > 40 else v) for k, v in values.items(multi=True)}
    return f"{response.status_code} {method} {url} as {role} with {shown!r}"


@pytest.mark.skipif(not FULL, reason="the full sweep runs under make fuzz")
def test_every_route_refuses_each_kind_of_odd_value(app, walk, targets):
    """The sweep: for every route and role, each odd value in every field it reads at once,
    repeated, and the URL's ids replaced by ones beyond the database's range."""
    clients = {role: _client(app, walk, role) for role in ROLES}
    failures = []
    # GETs first: POSTs may change the world.
    for rule, method, role, names in sorted(targets, key=lambda t: t[1] != "GET"):
        url = build(rule, walk["args"])
        cases = [MultiDict()]
        cases += [MultiDict([(n, v) for n in names]) for v in ODD if names]
        cases += [MultiDict([(n, v) for n in names for v in ("1", BIG[-1])])] if names else []
        for values in cases:
            for u in {url, *(_url(rule, walk, v) for v in ID_VARIANTS[1:])} if not values else (url,):
                failure = _failure(_send(clients[role], rule, method, u, values), rule, method,
                                   role, u, values)
                if failure:
                    failures.append(failure)
    assert not failures, f"{len(failures)} answers of 5xx:\n" + "\n".join(failures[:80])


_odd = st.one_of(
    st.sampled_from(ODD),
    st.integers().map(str),
    st.floats().map(str),
    st.dates().map(str),
    st.text(max_size=30),
    st.text(alphabet=st.characters(max_codepoint=31), min_size=1, max_size=5),
    st.text(min_size=3000, max_size=6000, alphabet="ab\x00é"),
)


@settings(max_examples=EXAMPLES, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(data=st.data())
def test_generated_odd_values_never_answer_5xx(app, walk, targets, data):
    rule, method, role, names = data.draw(st.sampled_from(targets), label="route")
    url = _url(rule, walk, data.draw(st.sampled_from(ID_VARIANTS), label="ids"))
    pairs = data.draw(st.lists(st.tuples(st.sampled_from(names or ["q"]), _odd), max_size=8),
                      label="fields")
    values = MultiDict(pairs)
    htmx = data.draw(st.booleans(), label="htmx")
    response = _send(_client(app, walk, role), rule, method, url, values, htmx)
    failure = _failure(response, rule, method, role, url, values)
    assert failure is None, failure
