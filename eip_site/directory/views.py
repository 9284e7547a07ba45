"""Directory search and the strengths map."""

from __future__ import annotations

from flask import request, session
from flask_login import current_user

from .. import clock
from ..forms import search_words
from ..htmx import is_htmx, render_page
from ..people.queries import active_school_names
from ..security import ADMIN, LEAD
from . import bp, queries
from . import strengths as strengths_map
from .forms import SearchForm
from .matching import normalise


def search_form(vocab: queries.SearchVocabulary, stamp: str | None) -> SearchForm:
    form = SearchForm(request.args)
    form.school.choices = {"": "All schools"}
    if not is_htmx():  # the results fragment never shows the list of 200 schools
        form.school.choices |= dict(active_school_names(stamp))
    form.category.choices = {"": "Any skill area"} | {c.slug: c.name for c in vocab.categories}
    return form


@bp.route("/directory/")
def index():
    vocab, stamp = queries.search_context()
    form = search_form(vocab, stamp)
    if not form.validate():  # a filter it cannot use counts as "any", its message beside it
        for f in form:
            if f.errors:
                f.data = f.default
    filters = queries.Filters(
        q=form.q.data or "", skill=form.skill.data, school=form.school.data, phase=form.phase.data or "",
        category=form.category.data or "", offer=form.offer.data or "",
        relation=form.relation.data or "", available=bool(form.available.data),
        page=max(1, form.page.data or 1))
    result = queries.search(filters, vocab, stamp)
    missed = bool(filters.q.strip()) and not result.page.total and filters.page == 1
    if missed and not is_htmx():  # a page loaded: no script, or a link, is a settled search
        _count_unmet(filters.q)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_page("directory/index.html", "directory/_results.html", form=form,
                       search=result, args=args, settle=missed and is_htmx())


@bp.post("/directory/searched")
def searched():
    """Typed words the results stayed on for a while: the results that found nobody, swapped
    in as someone types, ask for this after a pause (none is asked once they are replaced)."""
    _count_unmet(search_words(request.form.get("q", "")))
    return "", 204


def _count_unmet(q: str) -> None:
    """Unmet demand: words that find nobody in the whole directory and name nobody (nor
    look like a name), counted once a session; saved as the request ends."""
    term = normalise(q)[:100]
    counted = session.get("unmet_searches", [])
    if term and term not in counted and queries.unmet(q):
        queries.record_miss(q, clock.today().strftime("%Y-%m"))
        session["unmet_searches"] = [*counted, term][-20:]


@bp.route("/directory/strengths")
def strengths():
    """Skills (or skill areas) × schools; for leads, the searches that found nobody."""
    view = "categories" if request.args.get("view") == "categories" else "skills"
    misses = strengths_map.search_misses() if current_user.has_role(LEAD, ADMIN) else None
    return render_page("directory/strengths.html", map=strengths_map.strengths_map(view),
                       misses=misses, levels=strengths_map.LEVELS)
