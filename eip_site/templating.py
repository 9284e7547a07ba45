"""Every template global and filter, registered in one place."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from flask import Flask, g
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from .clock import to_london
from .directory.models import OFFERS, QUALIFICATIONS, RELATIONS
from .directory.services import completeness
from .forms import form_token, options
from .networks.markup import render_markdown
from .people.models import PHASES, Partnership
from .reviews.models import STATES
from .reviews.scheduling import dates_text, span_text
from .security import ROLE_LABELS, can_see


def _partnership_name() -> str:
    return Partnership.current().name


def csrf() -> Markup:
    """A form's hidden CSRF field, made once a request: as a macro calling Flask-WTF it cost
    ~60 µs a form, and the meeting page has a form on every agenda item."""
    field = g.get("csrf_field")
    if field is None:
        field = g.csrf_field = Markup('<input type="hidden" name="csrf_token" value="%s">') \
            % generate_csrf()
    return field


@cache
def fingerprint(folder: str, filename: str) -> str | None:
    """A static file's content, in short: its address changes when an upgrade changes it."""
    try:
        return hashlib.sha256(Path(folder, filename).read_bytes()).hexdigest()[:12]
    except OSError:
        return None


def init_app(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")

    @app.url_defaults
    def _static_fingerprint(endpoint, values):
        """Static addresses carry their file's fingerprint (?v=), so the proxy may let
        browsers keep them a year (deploy/nginx-eip.conf) and new files still arrive."""
        if endpoint == "static" and "v" not in values:
            values["v"] = fingerprint(app.static_folder, values.get("filename", ""))
    app.jinja_env.globals.update(
        can_see=can_see,
        csrf=csrf,
        form_token=form_token,
        ROLE_LABELS=ROLE_LABELS,
        RELATIONS=RELATIONS,
        PHASES=PHASES,
        OFFERS=OFFERS,
        QUALIFICATIONS=QUALIFICATIONS,
        # Navigation and home links appear as each feature's routes exist.
        has_endpoint=app.view_functions.__contains__,
        profile_completeness=completeness,
        options=options,
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def _globals():
        # The user itself, not the proxy: a page asks for it dozens of times.
        return {"partnership_name": _partnership_name,
                "current_user": current_user._get_current_object()}

    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["review_days"] = span_text
    app.jinja_env.filters["review_dates"] = dates_text
    app.jinja_env.globals["STATES_LABELS"] = STATES

    @app.template_filter("london")
    def _london(value, fmt="%-d %B %Y, %H:%M"):
        local = to_london(value)
        return local.strftime(fmt) if local else "—"
