"""Where a file's bytes live, behind one small interface: ``save`` (bytes in, a random key
out), ``open`` (a binary file to read), ``delete`` and ``keys`` (what is stored). The one
implementation is a local directory (``EIP_FILES_DIR``, by default instance/files, outside
the web root); when several instances run it is a volume they share. Another store (S3,
say) is another class with these four methods."""

from __future__ import annotations

import os
import re
import secrets
import time
from pathlib import Path
from typing import BinaryIO

from flask import current_app

from ..config import files_dir

KEY = re.compile(r"[0-9a-f]{32}")  # the only names the store writes or reads


class LocalStorage:
    def __init__(self, root: Path):
        self.root = root

    def _path(self, key: str) -> Path:
        if not KEY.fullmatch(key):
            raise ValueError("not a storage key")
        return self.root / key

    def save(self, data: bytes) -> str:
        self.root.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(16)
        partial = self.root / f".{key}.partial"
        with open(partial, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, self._path(key))
        return key

    def open(self, key: str) -> BinaryIO:
        return open(self._path(key), "rb")

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def keys(self, *, older_than: float = 0) -> list[str]:
        """The keys stored at least ``older_than`` seconds ago."""
        if not self.root.is_dir():
            return []
        cutoff = time.time() - older_than
        with os.scandir(self.root) as entries:
            return [e.name for e in entries
                    if KEY.fullmatch(e.name) and e.stat().st_mtime < cutoff]


def storage() -> LocalStorage:
    return LocalStorage(files_dir(current_app.config))
