"""flask backup carries the uploaded files beside the database, and flask restore puts them
back, on the suite's database (SQLite or PostgreSQL)."""

from __future__ import annotations

import io
import tarfile

from flask_migrate import upgrade
from werkzeug.datastructures import FileStorage

from eip_site import create_app
from eip_site.backup import backup, files_archive, restore
from eip_site.extensions import db
from eip_site.files import services
from eip_site.files.models import Attachment
from eip_site.files.storage import storage

from .. import factories
from ..helpers import sign_in
from .samples import PDF, PNG


def site(url: str, files_dir):
    return create_app({"ENV": "testing", "SQLALCHEMY_DATABASE_URI": url,
                       "FILES_DIR": str(files_dir)})


def test_a_backup_carries_the_files_and_a_restore_puts_them_back(spare_databases, tmp_path):
    source = site(spare_databases[0], tmp_path / "files")
    target = site(spare_databases[1], tmp_path / "restored-files")
    with source.app_context():
        upgrade()
        network = factories.network(name="Maths")
        leader = network.leader
        paper = services.upload(actor=leader, kind="network", parent=network,
                                upload=FileStorage(io.BytesIO(PDF), "guide.pdf"))
        services.replace(actor=leader, attachment=paper, parent=network,
                         upload=FileStorage(io.BytesIO(PNG), "guide.png"))
        db.session.commit()
        paper_id, leader_id = paper.id, leader.id
        counts = backup(str(tmp_path / "site.backup"))
    assert counts["attachment"] == 1 and counts["attachment_version"] == 1
    with tarfile.open(files_archive(str(tmp_path / "site.backup"))) as tar:
        assert len(tar.getnames()) == 2

    with target.app_context():
        assert restore(str(tmp_path / "site.backup")) == counts
        assert len(list(storage().root.iterdir())) == 2
    client = target.test_client()
    sign_in(client, leader_id)
    assert client.get(f"/files/{paper_id}").data == PNG
    assert client.get(f"/files/{paper_id}/versions/1").data == PDF
    with target.app_context():
        db.session.remove()
        db.engine.dispose()
    with source.app_context():
        db.engine.dispose()


def test_a_restore_writes_only_plain_names_from_the_archive(spare_databases, tmp_path):
    source = site(spare_databases[0], tmp_path / "files")
    with source.app_context():
        upgrade()
        backup(str(tmp_path / "site.backup"))
    archive = files_archive(str(tmp_path / "site.backup"))
    with tarfile.open(archive, "w") as tar:  # a hostile archive in its place
        for name in ("../escaped", ".hidden", "a" * 32):
            info = tarfile.TarInfo(name)
            info.size = 2
            tar.addfile(info, io.BytesIO(b"hi"))
    target = site(spare_databases[1], tmp_path / "restored")
    with target.app_context():
        restore(str(tmp_path / "site.backup"))
        assert [p.name for p in storage().root.iterdir()] == ["a" * 32]
        assert Attachment.query.count() == 0
        db.engine.dispose()
    assert not (tmp_path / "escaped").exists()
    with source.app_context():
        db.engine.dispose()
