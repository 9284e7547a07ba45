"""The one HTMX helper: a URL answers with its full page, or with its fragment for htmx."""

from __future__ import annotations

from flask import Response, current_app, make_response, render_template, request
from markupsafe import Markup


def is_htmx() -> bool:
    """An htmx request that wants a fragment (not a boosted navigation or a history restore)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-Boosted") != "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def render_page(template: str, fragment: str | None = None, /, *, status: int = 200,
                **ctx) -> Response:
    """Render ``template``, or ``fragment`` for htmx; validation errors pass ``status=422``."""
    if fragment and is_htmx():
        body = str(_title(template, ctx)) + render_template(fragment, **ctx)
    else:
        body = render_template(template, **ctx)
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response


def _title(template: str, ctx: dict) -> Markup:
    """The page's <title>, for htmx to put on the tab: the title follows a search or filter
    made in place, as it does when the whole page loads. Only the block is rendered, so a
    page's title must not use variables the page sets outside its blocks."""
    page = current_app.jinja_env.get_template(template)
    if request.method != "GET" or "title" not in page.blocks:
        return Markup("")
    context = dict(ctx)
    current_app.update_template_context(context)
    title = "".join(page.blocks["title"](page.new_context(context))).strip()
    return Markup("<title>{} – {}</title>\n").format(Markup(title),
                                                      context["partnership_name"]())


def hx_redirect(url: str) -> Response:
    """Navigate after a write: HX-Redirect for htmx (a 3xx would be swapped in), else 303."""
    if request.headers.get("HX-Request") == "true":
        response = make_response("", 200)
        response.headers["HX-Redirect"] = url
        return response
    response = make_response("", 303)
    response.headers["Location"] = url
    return response
