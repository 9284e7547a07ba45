"""Small files of each kind, made here (bytes only)."""

from __future__ import annotations

import io
import zipfile

OOXML = "application/vnd.openxmlformats-officedocument."


def zipped(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def office(main: str) -> bytes:
    types = (f'<?xml version="1.0"?><Types><Override PartName="/x.xml" ContentType="{OOXML}'
             f'{main}"/></Types>').encode()
    return zipped({"[Content_Types].xml": types, "x.xml": b"<x/>"})


def opendocument(kind: str) -> bytes:
    return zipped({"mimetype": f"application/vnd.oasis.opendocument.{kind}".encode(),
                   "content.xml": b"<x/>"})


PDF = b"%PDF-1.4\n% a paper\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 20
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 40
GOOD = {
    "paper.pdf": (PDF, "application/pdf"),
    "notes.docx": (office("wordprocessingml.document.main+xml"),
                   OOXML + "wordprocessingml.document"),
    "sums.xlsx": (office("spreadsheetml.sheet.main+xml"), OOXML + "spreadsheetml.sheet"),
    "slides.pptx": (office("presentationml.presentation.main+xml"),
                    OOXML + "presentationml.presentation"),
    "old.doc": (OLE2, "application/msword"),
    "old.xls": (OLE2, "application/vnd.ms-excel"),
    "old.ppt": (OLE2, "application/vnd.ms-powerpoint"),
    "text.odt": (opendocument("text"), "application/vnd.oasis.opendocument.text"),
    "sheet.ods": (opendocument("spreadsheet"), "application/vnd.oasis.opendocument.spreadsheet"),
    "talk.odp": (opendocument("presentation"), "application/vnd.oasis.opendocument.presentation"),
    "photo.png": (PNG, "image/png"),
    "photo.jpg": (b"\xff\xd8\xff\xe0" + b"\0" * 20, "image/jpeg"),
    "anim.gif": (b"GIF89a" + b"\0" * 20, "image/gif"),
    "pic.webp": (b"RIFF\x10\0\0\0WEBPVP8 " + b"\0" * 10, "image/webp"),
    "marks.csv": (b"name,mark\nAnn,7\n", "text/csv"),
    "readme.txt": ("Plain words, caf\u00e9.\n".encode(), "text/plain"),
}
