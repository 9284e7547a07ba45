"""Types are known by their content; names are cleaned (bytes only, no database)."""

from __future__ import annotations

import pytest

from eip_site.errors import DomainError
from eip_site.files.kinds import check, clean_name

from .samples import GOOD, PDF, PNG, office, zipped


@pytest.mark.parametrize("name", sorted(GOOD))
def test_each_allowed_kind_is_known_by_its_content(name):
    data, served_as = GOOD[name]
    assert check(name, data) == served_as


@pytest.mark.parametrize("name, data, words", [
    ("paper.pdf", PNG, "its content is not that kind"),           # a PNG called .pdf
    ("photo.png", PDF, "its content is not that kind"),
    ("evil.html", b"<script>alert(1)</script>", "content is not that kind"),
    ("page.txt", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(range(32)), "must be PDF"),
    ("run.exe", b"MZ\x90\x00" + bytes(range(32)), "must be PDF"),
    ("fake.docx", zipped({"word/document.xml": b"<x/>"}), "must be PDF"),   # no content types
    ("fake.docx", office("somethingelse+xml"), "must be PDF"),
    ("sheet.docx", office("spreadsheetml.sheet.main+xml"), "content is not that kind"),
    ("broken.docx", b"PK\x03\x04 not really a zip", "must be PDF"),
    ("paper", PDF, "no extension"),
    ("empty.pdf", b"", "The file is empty"),
])
def test_content_that_is_not_allowed_or_not_what_its_name_says_is_refused(name, data, words):
    with pytest.raises(DomainError) as refused:
        check(name, data)
    assert words in refused.value.message and refused.value.field == "file"


@pytest.mark.parametrize("given, kept", [
    ("../../etc/passwd", "passwd"),
    ("C:\\Users\\me\\report.pdf", "report.pdf"),
    ("<script>alert(1)</script>.pdf", "script>.pdf"),
    ("line\r\nbreak.pdf", "linebreak.pdf"),
    ("  .hidden.pdf ", "hidden.pdf"),
    ("r\u00e9sum\u00e9 \U0001F600.pdf", "r\u00e9sum\u00e9 \U0001F600.pdf"),
])
def test_hostile_names_are_made_safe(given, kept):
    assert clean_name(given) == kept


def test_a_very_long_name_keeps_its_extension():
    name = clean_name("a" * 10_000 + ".pdf")
    assert len(name) == 200 and name.endswith("aaa.pdf")
