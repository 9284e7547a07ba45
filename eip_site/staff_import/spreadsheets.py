"""The directory's spreadsheet files: an upload read into rows of text, and rows written
out as CSV or XLSX.

None of this needs the database or knows who is importing, so it stays apart from the rules
in ``transfer``: what guards against a broken or hostile file can be read, and tested, on
bytes alone.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

from ..errors import DomainError
from ..directory.models import OFFERS, QUALIFICATIONS
from ..people.models import PHASES

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
MAX_COLUMNS = 60
MAX_CELL = 10_000                 # characters in one cell (60 skills fit in far fewer)
MAX_TEXT = 5_000_000              # characters in the whole file, as read
MAX_LINE = 200_000                # characters in one CSV line, checked before it is split
# An .xlsx is a zip. Its directory says how large each part unpacks to (zipfile stops at
# that size), so these are checked before openpyxl opens anything. A 5,000-row workbook
# unpacks to a few MB, each part about 12 times its packed size.
MAX_UNPACKED = 40 * 1024 * 1024
MAX_ENTRIES = 200
MAX_RATIO = 100                   # unpacked / packed, for a part over 1 MB

# The import columns, in template order, with what to put in each.
COLUMNS = {
    "email": "Email address (required). People are matched by it, whatever the capitals.",
    "name": "Full name (required).",
    "job_title": "Job title. Leave blank to keep the current one.",
    "school_urn": "The six-digit URN of the person's school. Leave blank to use the school "
                  "chosen on the import page, or to keep an existing person's school.",
    "phases": "Phases the person has taught, separated by semicolons: "
              + "; ".join(PHASES.values()) + ". Leave blank to keep the current ones.",
    "subjects": "Subjects they teach, as you would write them. Leave blank to keep the "
                "current ones.",
    "skills": "Skills and how the person relates to each, separated by semicolons, for "
              "example “Phonics: train; Reading: experience”. The words are train, mentor "
              "and experience; without a word, experience.",
    "wants_to_develop": "Skills the person wants to develop, separated by semicolons, for "
                        "example “Oracy; Metacognition”.",
    "offers": "What they offer, separated by semicolons: " + "; ".join(OFFERS.values()) + ".",
    "offers_paused": "yes while they are not taking requests, no when they are. Leave "
                     "blank to keep it as it is.",
    "hours_per_term": "Hours they can give per term, a whole number from 0 to 200.",
    "qualifications": "Separated by semicolons: " + "; ".join(QUALIFICATIONS.values()) + ".",
}
REQUIRED = ("email", "name")
ALIASES = {"email_address": "email", "full_name": "name", "urn": "school_urn",
           "title": "job_title", "develop": "wants_to_develop", "hours": "hours_per_term"}
EXPORT_ONLY = {"school"}  # the school's name, for people to read; the URN is what counts
EXPORT_COLUMNS = ["email", "name", "job_title", "school_urn", "school", "phases", "subjects",
                  "skills", "wants_to_develop", "offers", "offers_paused", "hours_per_term",
                  "qualifications"]

# Cells that a spreadsheet would run as a formula; exports prefix them with a quote.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NOT_XLSX = ("This file is not an Excel workbook. Save it from Excel (or Google Sheets) as "
            ".xlsx or as CSV. If it has a password, remove it first.")
NOT_CSV = "This file is not a CSV text file. Save the spreadsheet as CSV or .xlsx and try again."


class FileProblem(DomainError):
    """The file as a whole cannot be imported; shown beside the file field."""

    def __init__(self, message: str):
        super().__init__(message, field="file")


# --- Reading a file -------------------------------------------------------------------

@dataclass
class Table:
    filename: str
    rows: list[tuple[int, dict[str, str]]]   # (row number in the sheet, column -> text)
    ignored: list[str] = field(default_factory=list)  # headings we do not use, as written


def read_table(filename: str, data: bytes) -> Table:
    """The rows of an uploaded CSV or XLSX file, or FileProblem saying why it cannot be read."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in ("csv", "xlsx"):
        raise FileProblem("The file must be a CSV file or an Excel workbook (.xlsx)."
                          + (" Save the .xls file as .xlsx first." if ext == "xls" else ""))
    if len(data) > MAX_BYTES:
        raise FileProblem("The file must be 5 MB or smaller. Split it into smaller files.")
    if not data.strip():
        raise FileProblem("The file is empty.")
    return _table(name[:100], _csv_rows(data) if ext == "csv" else _xlsx_rows(data))


def _decode(data: bytes) -> str:
    try:
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return data.decode("utf-16")
        if b"\x00" in data:
            raise FileProblem(NOT_CSV)
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return data.decode("cp1252")  # "CSV" saved by older Excel on Windows
    except UnicodeDecodeError as exc:
        raise FileProblem("The characters in this file could not be read. Save it as "
                          "“CSV UTF-8” and try again.") from exc


def _csv_rows(data: bytes):
    text = _decode(data)
    sample = text[:4096]
    if sum(ord(c) < 32 and c not in "\t\r\n" for c in sample) > len(sample) // 100:
        raise FileProblem(NOT_CSV)
    long = re.search(rf"[^\n]{{{MAX_LINE + 1}}}", text)
    if long:
        raise FileProblem(f"Row {text.count(chr(10), 0, long.start()) + 1} is longer than "
                          f"{MAX_LINE:,} characters. Check it was saved as CSV, one person "
                          "a row.")
    first = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=max(",;\t", key=first.count))
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):
            yield number, cells
    except csv.Error as exc:
        raise FileProblem(f"Row {number + 1} could not be read as CSV ({exc}).") from exc


def _xlsx_rows(data: bytes):
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise FileProblem(NOT_XLSX) from exc
    if "xl/workbook.xml" not in {p.filename for p in parts}:
        raise FileProblem(NOT_XLSX)
    if len(parts) > MAX_ENTRIES:
        raise FileProblem("This workbook has too many parts (pictures, sheets) to be a staff "
                          "list. Save the staff sheet on its own as CSV or .xlsx.")
    if sum(p.file_size for p in parts) > MAX_UNPACKED or any(
            p.file_size > 1024 * 1024 and p.file_size > MAX_RATIO * max(p.compress_size, 1)
            for p in parts):
        raise FileProblem("This workbook is too large once unpacked. Save it as CSV, or "
                          "split it into smaller files.")
    import openpyxl

    rows, blank_run, kept, read = [], 0, 0, 0
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            sheet = book.worksheets[0].iter_rows(values_only=True, max_col=MAX_COLUMNS + 1)
            for number, cells in enumerate(sheet, start=1):
                blank = all(c is None or str(c).strip() == "" for c in cells)
                blank_run = blank_run + 1 if blank else 0
                if not blank:  # cells hold the shared strings themselves, not copies
                    kept += 1
                    read += sum(len(c) for c in cells if isinstance(c, str))
                    rows.append((number, cells))
                # Formatted-but-empty rows to the bottom of the sheet; or more rows or text
                # than is allowed (header, rows, one too many): _table says which.
                if blank_run > 1000 or kept > MAX_ROWS + 2 or read > MAX_TEXT:
                    break
            book.close()
    except Exception as exc:  # openpyxl raises many kinds on a damaged or foreign file
        raise FileProblem(NOT_XLSX) from exc
    return iter(rows)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, (datetime, date)):
        value = value.isoformat()
    text = str(value).strip()
    # Undo the quote our own export puts before a formula-like cell.
    if text[:1] == "'" and text[1:2] and text[1] in "=+-@":
        text = text[1:]
    return text


def _column(heading: str) -> str:
    key = re.sub(r"[^a-z0-9]+", "_", heading.strip().lower()).strip("_")
    return ALIASES.get(key, key)


def _table(filename: str, raw) -> Table:
    header = next(raw, None)
    headings = [_text(h) for h in header[1]] if header else []
    keys = [_column(h) for h in headings]
    if not any(keys):
        raise FileProblem("The first row must hold the column names, as in the template.")
    for key in COLUMNS:
        if keys.count(key) > 1:
            raise FileProblem(f"The column “{key}” appears twice. Keep one.")
    for key in REQUIRED:
        if key not in keys:
            raise FileProblem(f"The file has no “{key}” column. The first row must hold the "
                              "column names, as in the template.")
    ignored = [h[:40] for h, k in zip(headings, keys) if h and k not in COLUMNS.keys() | EXPORT_ONLY]
    rows, total = [], 0
    for number, cells in raw:
        texts = [_text(c) for c in cells]
        if not any(texts):
            continue
        if any(texts[MAX_COLUMNS:]) or len(keys) > MAX_COLUMNS and any(keys[MAX_COLUMNS:]):
            raise FileProblem(f"The file has more than {MAX_COLUMNS} columns. Keep the "
                              "template's columns.")
        if max(map(len, texts)) > MAX_CELL:
            raise FileProblem(f"Row {number} has a cell of more than {MAX_CELL:,} characters. "
                              "Shorten it.")
        total += sum(map(len, texts))
        if total > MAX_TEXT:
            raise FileProblem(f"The file holds more than {MAX_TEXT:,} characters of text. "
                              "Split it into smaller files.")
        if len(rows) == MAX_ROWS:
            raise FileProblem(f"The file has more than {MAX_ROWS:,} rows. Split it into "
                              "smaller files.")
        rows.append((number, {k: texts[i] for i, k in enumerate(keys)
                              if k in COLUMNS and i < len(texts) and texts[i]}))
    if not rows:
        raise FileProblem("The file has column names but no rows of people.")
    return Table(filename, rows, ignored[:10])


# --- Writing a file ----------------------------------------------------------------------

def safe_cell(value):
    """Neutralise a cell a spreadsheet would run as a formula (CSV/formula injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def to_csv(header: list[str], rows: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([safe_cell(v) for v in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")  # the BOM tells Excel it is UTF-8


def to_xlsx(sheets: list[tuple[str, list[str], list[list]]]) -> bytes:
    """``sheets``: (title, header, rows). The header row is bold and frozen and carries a
    filter; each column is as wide as its longest text in the first rows (within reason)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = book.create_sheet(title)
        sheet.freeze_panes = "A2"
        for i, text in enumerate(header):
            longest = max([len(str(text))] + [len(str(r[i])) for r in rows[:200]])
            sheet.column_dimensions[get_column_letter(i + 1)].width = min(max(longest, 8), 60) + 2
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{len(rows) + 1}"
        bold = []
        for text in header:
            cell = WriteOnlyCell(sheet, value=text)
            cell.font = Font(bold=True)
            bold.append(cell)
        sheet.append(bold)
        for row in rows:
            sheet.append([safe_cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
