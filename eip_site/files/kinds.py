"""Which files the site keeps, known by their content: magic bytes, and for the zip-based
formats the part inside that names the format (an Office file's [Content_Types].xml, an
OpenDocument file's ``mimetype``). The name's extension must agree with the content, so a
download opens in the program its name promises. Bytes only, no database."""

from __future__ import annotations

import io
import unicodedata
import zipfile

from ..errors import DomainError

OOXML = "application/vnd.openxmlformats-officedocument."
ODF = "application/vnd.oasis.opendocument."
# extension -> the type it is served as
TYPES = {
    "pdf": "application/pdf",
    "docx": OOXML + "wordprocessingml.document",
    "xlsx": OOXML + "spreadsheetml.sheet",
    "pptx": OOXML + "presentationml.presentation",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
    "odt": ODF + "text",
    "ods": ODF + "spreadsheet",
    "odp": ODF + "presentation",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "csv": "text/csv",
    "txt": "text/plain",
}
ALLOWED = ("PDF, Word, Excel or PowerPoint (also the older .doc, .xls, .ppt), OpenDocument, "
           "an image (PNG, JPEG, GIF, WebP), CSV or plain text")
NOT_ALLOWED = f"The file must be {ALLOWED}."
# An Office file's main part, as its [Content_Types].xml declares it.
OOXML_MAIN = {"wordprocessingml.document.main+xml": ("docx",),
              "spreadsheetml.sheet.main+xml": ("xlsx",),
              "presentationml.presentation.main+xml": ("pptx",)}
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the container of .doc, .xls and .ppt
MAX_PART = 1024 * 1024  # the naming part read from a zip: larger is not an Office file
MAX_NAME = 200


def clean_name(name: str | None) -> str:
    """The uploaded name as a person would want it back: its last path part only, without
    control characters (CR/LF), NFC, at most 200 characters with the extension kept."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", "".join(
        c for c in name if unicodedata.category(c)[0] != "C")).strip().lstrip(".").strip()
    if len(name) > MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        ext = ext[:12] if dot else ""
        name = (stem if dot else name)[:MAX_NAME - len(ext) - 1].rstrip() + (f".{ext}" if ext else "")
    return name


def extension(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem else ""


def _zip_kinds(data: bytes) -> tuple[str, ...]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = {info.filename: info for info in archive.infolist()}
        if "mimetype" in parts and parts["mimetype"].file_size <= 100:
            declared = archive.read("mimetype").decode("ascii", "replace").strip()
            return tuple(ext for ext, kind in TYPES.items()
                         if kind == declared and kind.startswith(ODF))
        info = parts.get("[Content_Types].xml")
        if info is not None and info.file_size <= MAX_PART:
            types = archive.read(info).decode("utf-8", "replace")
            return next((exts for main, exts in OOXML_MAIN.items() if OOXML + main in types), ())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError,
            ValueError, EOFError, OSError):
        pass
    return ()


def _is_text(data: bytes) -> bool:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            return False
    return not any(unicodedata.category(c) == "Cc" and c not in "\t\r\n\f" for c in text)


def kinds_of(data: bytes) -> tuple[str, ...]:
    """The extensions the content can be: ("pdf",), ("doc", "xls", "ppt"), () for none."""
    if data.startswith(b"%PDF-"):
        return ("pdf",)
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return ("png",)
    if data.startswith(b"\xff\xd8\xff"):
        return ("jpg", "jpeg")
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return ("gif",)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ("webp",)
    if data.startswith(OLE2):
        return ("doc", "xls", "ppt")
    if data.startswith(b"PK\x03\x04"):
        return _zip_kinds(data)
    if _is_text(data):
        return ("csv", "txt")
    return ()


def check(name: str, data: bytes) -> str:
    """The type to serve the file as, or a DomainError beside the file field."""
    if not data:
        raise DomainError("The file is empty. Choose the file again, or another one.",
                          field="file")
    ext, kinds = extension(name), kinds_of(data)
    if not kinds:
        raise DomainError(NOT_ALLOWED, field="file")
    if ext not in kinds:
        named = f"“.{ext}”" if ext else "no extension"
        raise DomainError(f"The file's name has {named} but its content is not that kind of "
                          f"file. {NOT_ALLOWED}", field="file")
    return TYPES[ext]
