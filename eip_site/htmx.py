"""The one HTMX helper: a URL answers with its full page, or with its fragment for htmx."""

from __future__ import annotations

from flask import Response, make_response, render_template, request


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
    chosen = fragment if fragment and is_htmx() else template
    response = make_response(render_template(chosen, **ctx), status)
    response.vary.add("HX-Request")
    return response


def hx_redirect(url: str) -> Response:
    """Navigate after a write: HX-Redirect for htmx (a 3xx would be swapped in), else 303."""
    if request.headers.get("HX-Request") == "true":
        response = make_response("", 200)
        response.headers["HX-Redirect"] = url
        return response
    response = make_response("", 303)
    response.headers["Location"] = url
    return response
