"""Minutes are written in Markdown; what is shown is rendered and then sanitised."""

from __future__ import annotations

import re

import markdown
import nh3
from markupsafe import Markup

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "code", "pre",
                "h3", "h4", "a", "hr"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
# An HTML tag as a browser reads one: "<" then the name at once ("a < b and c > d" is text,
# and Markdown's autolinks such as <https://example.org> are not tags).
_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9-]*(\s[^<>]*)?/?>")
# Markdown's images, as it renders them (its alt text already escaped): the site shows no
# images, so each becomes a visible note rather than vanishing.
_IMG = re.compile(r"<img\b[^>]*?>")
_ALT = re.compile(r'\balt="([^"]*)"')


def _image_note(found: re.Match) -> str:
    alt = _ALT.search(found.group(0))
    text = alt.group(1).strip() if alt else ""
    return f"<em>[image not shown{': ' + text if text else ''}]</em>"


def html_tag_in(text: str) -> str | None:
    """The first HTML tag typed into Markdown text, if any."""
    found = _TAG.search(text or "")
    return found.group(0)[:40] if found else None


def render_markdown(text: str) -> Markup:
    """Markdown to HTML, with only a small set of tags and no attributes but link targets:
    scripts, styles, event handlers and hx-* attributes never survive, and an image is a
    note saying it is not shown."""
    html = markdown.markdown(text or "", extensions=["sane_lists"], output_format="html")
    html = _IMG.sub(_image_note, html)
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                      url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer")
    return Markup(clean)
