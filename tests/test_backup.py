"""flask backup and flask restore, on the database the suite runs on (SQLite or PostgreSQL):
a backup taken while rows are being written restores to exactly the rows it counted."""

from __future__ import annotations

import threading

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from eip_site import create_app
from eip_site.backup import BackupError, backup, restore, table_counts
from eip_site.config import normalise_database_url
from eip_site.extensions import db
from eip_site.seeds import demo


def site(url: str):
    return create_app({"ENV": "testing", "SQLALCHEMY_DATABASE_URI": url})


def test_a_backup_taken_during_writes_restores_to_the_rows_it_counted(spare_databases, tmp_path):
    source, target = site(spare_databases[0]), site(spare_databases[1])
    with source.app_context():
        upgrade()
        demo.seed("a-long-demo-password")
        db.session.commit()

    stop, written = threading.Event(), []

    def write():  # another process's writes: its own connection, a commit each
        engine = create_engine(normalise_database_url(spare_databases[0]))
        with engine.connect() as connection:
            while not stop.is_set() and len(written) < 5000:
                connection.execute(text(
                    "INSERT INTO search_miss (term, month, count) VALUES (:t, '2026-12', 1)"),
                    {"t": f"stream {len(written)}"})
                connection.commit()
                written.append(1)
        engine.dispose()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        with source.app_context():
            while len(written) < 20:  # the stream is flowing before the backup starts
                threading.Event().wait(0.01)
            counts = backup(str(tmp_path / "site.backup"))
            with pytest.raises(BackupError, match="already exists"):
                backup(str(tmp_path / "site.backup"))
    finally:
        stop.set()
        writer.join(timeout=30)
    assert counts["user"] > 10 and counts["search_miss"] >= 20

    with target.app_context():
        assert restore(str(tmp_path / "site.backup")) == counts
        with pytest.raises(BackupError, match="already holds data"):
            restore(str(tmp_path / "site.backup"))
        assert restore(str(tmp_path / "site.backup"), replace=True) == counts
        assert demo.is_loaded()
        db.engine.dispose()
    with source.app_context():
        assert table_counts()["search_miss"] >= counts["search_miss"]
        db.engine.dispose()


def test_a_file_that_is_not_a_backup_is_refused(spare_databases, tmp_path):
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a database at all" * 100)
    with site(spare_databases[1]).app_context():
        with pytest.raises(BackupError):
            restore(str(junk))
        with pytest.raises(BackupError, match="is not a file"):
            restore(str(tmp_path / "missing"))
        db.engine.dispose()
