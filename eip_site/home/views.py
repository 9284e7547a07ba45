from __future__ import annotations

import logging

from flask import jsonify, request
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db, limiter
from .. import clock
from ..forms import search_words
from ..htmx import render_page
from . import bp, queries

log = logging.getLogger(__name__)


@bp.route("/")
def index():
    today = clock.today()
    return render_page("home/index.html", board=queries.dashboard(current_user, today),
                       today=today)


@bp.route("/search")
def search():
    results = queries.site_search(current_user, search_words(request.args.get("q", "")))
    return render_page("home/search.html", "home/_search_results.html", results=results)


@bp.route("/accessibility")
def accessibility():
    return render_page("home/accessibility.html")


@bp.route("/healthz")
@limiter.exempt
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        log.exception("Health check: database unreachable")
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")
