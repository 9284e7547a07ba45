"""Hostile spreadsheets: a workbook whose parts unpack to far more than the file (a zip
bomb), too many rows, columns or zip entries, a huge cell, a file that only poses as .xlsx.
Each is refused with a message beside the file field, before the workbook is expanded, and
the memory used stays small."""

from __future__ import annotations

import csv
import io
import secrets
import tracemalloc
import zipfile

import openpyxl
import pytest

from eip_site.errors import DomainError
from eip_site.staff_import import spreadsheets

from ..helpers import sign_in

PARTS = {
    "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org'
                           '/package/2006/content-types"/>',
    "xl/workbook.xml": '<?xml version="1.0"?><workbook/>',
}


def bomb(megabytes: int = 100) -> bytes:
    """A few hundred KB: a workbook whose sharedStrings.xml is ``megabytes`` of one repeated
    string, written in chunks so the test itself stays small."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in PARTS.items():
            archive.writestr(name, text)
        chunk = ("<si><t>" + "safeguarding " * 600 + "</t></si>").encode() * 128
        with archive.open("xl/sharedStrings.xml", "w") as part:
            for _ in range(megabytes * 1024 * 1024 // len(chunk)):
                part.write(chunk)
    return out.getvalue()


def many_entries(n: int = 2000) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in PARTS.items():
            archive.writestr(name, text)
        for i in range(n):
            archive.writestr(f"xl/media/image{i}.png", "")
    return out.getvalue()


def workbook(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_of(rows: list[list]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


@pytest.fixture
def never_opened(monkeypatch):
    """Fails the test if openpyxl is asked to open the file: the zip's own directory must
    be enough to refuse it."""
    def refuse(*args, **kwargs):
        raise AssertionError("openpyxl opened a file the zip check should have refused")
    monkeypatch.setattr(openpyxl, "load_workbook", refuse)


def refused(filename: str, data: bytes) -> str:
    with pytest.raises(DomainError) as problem:
        spreadsheets.read_table(filename, data)
    assert problem.value.field == "file"
    return problem.value.message


def test_a_zip_bomb_is_refused_from_the_zip_directory_with_little_memory(never_opened):
    data = bomb()
    assert len(data) < 1024 * 1024
    tracemalloc.start()
    try:
        message = refused("staff.xlsx", data)
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "too large once unpacked" in message
    assert peak < 2 * 1024 * 1024, peak  # the file itself aside, next to nothing was read


def test_a_highly_compressed_part_is_refused_even_when_small_enough_overall(never_opened):
    data = bomb(megabytes=8)  # under the total, but 8 MB from a few KB: no workbook does that
    assert "too large once unpacked" in refused("staff.xlsx", data)


def test_a_zip_of_thousands_of_entries_is_refused(never_opened):
    assert "too many parts" in refused("staff.xlsx", many_entries())


def test_a_file_posing_as_xlsx_is_refused():
    assert "not an Excel workbook" in refused("staff.xlsx", b"email,name\na@b.example,Ann\n")
    assert "not an Excel workbook" in refused("staff.xlsx", b"PK\x05\x06" + b"\x00" * 18)


def test_one_huge_cell_is_refused_with_its_row():
    big = secrets.token_hex(spreadsheets.MAX_CELL)  # random: not a compression trick
    for name, data in (("staff.xlsx", workbook([["email", "name"], ["a@b.example", big]])),
                       ("staff.csv", csv_of([["email", "name"], ["a@b.example", big]]))):
        message = refused(name, data)
        assert "Row 2 has a cell of more than 10,000 characters" in message, name


def test_one_string_shared_by_many_cells_is_capped_by_the_total_text(monkeypatch):
    """A workbook can repeat one long shared string in every cell; what is read is capped."""
    monkeypatch.setattr(spreadsheets, "MAX_TEXT", 100_000)
    long = "Phonics: train; " * 600
    data = workbook([["email", "name", "skills"]]
                    + [[f"p{i}@x.example", f"P {i}", long] for i in range(20)])
    for name, body in (("staff.xlsx", data), ("staff.csv", csv_of(
            [["email", "name", "skills"]] + [[f"p{i}@x.example", "P", long] for i in range(20)]))):
        assert "more than 100,000 characters of text" in refused(name, body), name


def test_too_many_columns_are_refused():
    wide = [["email", "name"] + [f"c{i}" for i in range(spreadsheets.MAX_COLUMNS)],
            ["a@b.example", "Ann"]]
    for name, data in (("staff.xlsx", workbook(wide)), ("staff.csv", csv_of(wide))):
        assert "more than 60 columns" in refused(name, data), name
    # Empty cells past the last column (as Excel's CSV can write) are no problem.
    table = spreadsheets.read_table("staff.csv", b"email,name" + b"," * 500 + b"\n"
                                    + b"a@b.example,Ann" + b"," * 500 + b"\n")
    assert table.rows == [(2, {"email": "a@b.example", "name": "Ann"})]


def test_a_very_long_csv_line_is_refused_before_it_is_split():
    line = b"a@b.example,Ann," + b"x," * spreadsheets.MAX_LINE
    assert "Row 2 is longer than" in refused("staff.csv", b"email,name\n" + line + b"\n")


def test_too_many_rows_are_refused():
    rows = [["email", "name"]] + [[f"p{i}@x.example", "P"]
                                  for i in range(spreadsheets.MAX_ROWS + 1)]
    for name, data in (("staff.xlsx", workbook(rows)), ("staff.csv", csv_of(rows))):
        assert "more than 5,000 rows" in refused(name, data), name


def test_the_import_page_refuses_a_zip_bomb_beside_the_file_field(client, vocab, never_opened):
    sign_in(client, roles={"head"})
    for name, data, message in (("staff.xlsx", bomb(), "too large once unpacked"),
                                ("staff.xlsx", many_entries(), "too many parts")):
        response = client.post("/directory/import",
                               data={"file": (io.BytesIO(data), name)},
                               content_type="multipart/form-data")
        assert response.status_code == 422
        body = response.get_data(as_text=True)
        assert message in body and 'id="file-error"' in body
