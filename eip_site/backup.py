"""Backups a site can be restored from: taken while it serves, checked once written.

SQLite is copied through its online backup API, which takes a consistent snapshot of the
database *and* its write-ahead log while others write (a plain file copy of a WAL database
can hold no tables at all). PostgreSQL is dumped by ``pg_dump`` in its custom format, from
one snapshot. Restoring refuses a database that holds data unless asked to replace it, then
brings the schema up to date; both ends report the rows of every table they wrote.

Uploaded files (EIP_FILES_DIR) travel beside the database, in ``<backup>.files.tar``,
written after the database's snapshot: it holds every file the snapshot's rows name (files
are written before their rows commit) and perhaps a few newer ones. Restore puts them back.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path

from flask import current_app
from flask_migrate import upgrade
from sqlalchemy import inspect, text

from .config import files_dir
from .extensions import db


class BackupError(RuntimeError):
    """What went wrong, in one line for the operator."""


def _url():
    return db.engine.url


def _is_sqlite() -> bool:
    return _url().get_backend_name() == "sqlite"


def _sqlite_path() -> str:
    database = _url().database
    if not database or database == ":memory:":
        raise BackupError("The database is in memory: there is nothing on disk to back up.")
    return database


def _tool(name: str) -> str:
    """pg_dump or pg_restore: on the PATH, or in the newest PostgreSQL's bin directory."""
    found = shutil.which(name) or next(
        (str(p) for p in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
                                key=lambda p: int(p.parts[-3]), reverse=True)), None)
    if found is None:
        raise BackupError(f"{name} is missing: install PostgreSQL's client tools "
                          "(Debian: apt-get install postgresql-client).")
    return found


def _libpq_url() -> str:
    """The database URL as pg_dump reads it (no SQLAlchemy driver name)."""
    return _url().set(drivername="postgresql").render_as_string(hide_password=False)


def table_counts() -> dict[str, int]:
    """Rows in every table of the site's database, by name."""
    with db.engine.connect() as connection:
        names = sorted(inspect(connection).get_table_names())
        return {name: connection.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one()
                for name in names}


def _sqlite_counts(path: str) -> dict[str, int]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        names = [r[0] for r in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite~_%' "
            "ESCAPE '~' ORDER BY name")]
        return {name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
                for name in names}


def _check_sqlite(path: str) -> None:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
            result = connection.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a readable SQLite database: {error}.") from None
    if result != "ok":
        raise BackupError(f"{path} fails SQLite's integrity check: {result}")


def backup(destination: str) -> dict[str, int]:
    """Write a backup to ``destination`` and check it; returns the rows of each table in it."""
    target = Path(destination)
    if target.exists():
        raise BackupError(f"{destination} already exists: choose a new name for each backup.")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    if _is_sqlite():
        source = sqlite3.connect(_sqlite_path())
        copy = sqlite3.connect(partial)
        try:
            with copy:
                source.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        finally:
            copy.close()
            source.close()
        _check_sqlite(str(partial))
        counts = _sqlite_counts(str(partial))
    else:
        counts = _pg_dump(str(partial))
    os.replace(partial, target)
    _backup_files(files_archive(destination))
    return counts


def files_archive(backup_path: str) -> Path:
    """Where a backup's uploaded files are: beside it."""
    return Path(backup_path + ".files.tar")


def _stored_files(root: Path) -> list[Path]:
    """The files the store holds (not its half-written ``.partial`` ones)."""
    return sorted(p for p in root.iterdir() if p.is_file() and not p.name.startswith(".")) \
        if root.is_dir() else []


def _backup_files(archive: Path) -> int:
    partial = archive.with_name(archive.name + ".partial")
    files = _stored_files(files_dir(current_app.config))
    with tarfile.open(partial, "w") as tar:
        for path in files:
            tar.add(path, arcname=path.name, recursive=False)
    os.replace(partial, archive)
    return len(files)


def _restore_files(archive: Path) -> int:
    """The files of a backup put back in the store; only plain names are written, so an
    archive naming ``../`` or a link cannot write anywhere else. None beside an older
    backup: the store is left as it is."""
    if not archive.is_file():
        return 0
    root = files_dir(current_app.config)
    root.mkdir(parents=True, exist_ok=True)
    count = 0
    try:
        with tarfile.open(archive, "r") as tar:
            for member in tar:
                name = member.name
                if not member.isfile() or "/" in name or "\\" in name or name.startswith("."):
                    continue
                source = tar.extractfile(member)
                partial = root / f".{name}.partial"
                with open(partial, "wb") as out:
                    shutil.copyfileobj(source, out)
                os.replace(partial, root / name)
                count += 1
    except tarfile.TarError as error:
        raise BackupError(f"{archive} is not a readable archive of files: {error}.") from None
    return count


def _pg_dump(path: str) -> dict[str, int]:
    """pg_dump from a snapshot this transaction holds and counts in: the counts are the
    rows the dump holds, however many are written meanwhile."""
    tool = _tool("pg_dump")
    with db.engine.connect() as connection:
        connection.execute(text("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"))
        snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        names = sorted(inspect(connection).get_table_names())
        counts = {name: connection.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one()
                  for name in names}
        done = subprocess.run([tool, "--format=custom", "--no-owner", f"--snapshot={snapshot}",
                               f"--file={path}", _libpq_url()], capture_output=True, text=True)
        connection.execute(text("COMMIT"))
    if done.returncode:
        Path(path).unlink(missing_ok=True)
        raise BackupError("pg_dump failed: " + (done.stderr.strip().splitlines() or ["?"])[-1])
    if set(_dump_tables(path)) < {n for n, rows in counts.items() if rows}:
        raise BackupError(f"{path} lacks the data of some tables.")
    return counts


def _dump_tables(path: str) -> list[str]:
    """The tables whose data a custom-format dump holds (pg_restore reads its table of
    contents, so a truncated or foreign file is refused)."""
    done = subprocess.run([_tool("pg_restore"), "--list", path], capture_output=True, text=True)
    if done.returncode:
        raise BackupError(f"{path} is not a readable PostgreSQL dump: "
                          + (done.stderr.strip().splitlines() or ["?"])[-1])
    tables = [line.split()[-2] for line in done.stdout.splitlines()
              if " TABLE DATA " in line and not line.startswith(";")]
    if "alembic_version" not in tables:
        raise BackupError(f"{path} is not a backup of this site (no alembic_version table).")
    return sorted(tables)


def holds_data() -> bool:
    counts = table_counts()
    return any(n for name, n in counts.items() if name != "alembic_version")


def restore(source: str, *, replace: bool = False) -> dict[str, int]:
    """Load ``source`` into the site's database, then migrate it to this version of the
    site; returns the rows of each table afterwards."""
    if not Path(source).is_file():
        raise BackupError(f"{source} is not a file.")
    if holds_data() and not replace:
        raise BackupError("The database already holds data: restore with --replace to "
                          "overwrite it (take a backup of it first).")
    if _is_sqlite():
        _check_sqlite(source)
        db.engine.dispose()
        incoming = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        target = sqlite3.connect(_sqlite_path())
        try:
            with target:
                incoming.backup(target)
        finally:
            target.close()
            incoming.close()
    else:
        _dump_tables(source)
        db.session.remove()
        db.engine.dispose()
        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        db.engine.dispose()
        done = subprocess.run([_tool("pg_restore"), "--no-owner", "--exit-on-error",
                               f"--dbname={_libpq_url()}", source],
                              capture_output=True, text=True)
        if done.returncode:
            raise BackupError("pg_restore failed: "
                              + (done.stderr.strip().splitlines() or ["?"])[-1])
    db.engine.dispose()
    upgrade()
    _restore_files(files_archive(source))
    return table_counts()

