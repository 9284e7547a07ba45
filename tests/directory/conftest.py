import pytest

from eip_site.extensions import db
from eip_site.seeds.vocabulary import install_default_vocabulary


@pytest.fixture
def vocab(app):
    """The default vocabulary, installed; returns {skill name: id}."""
    from sqlalchemy import select

    from eip_site.directory.models import Skill

    with app.app_context():
        install_default_vocabulary(db.session.connection())
        db.session.commit()
        return dict(db.session.execute(select(Skill.name, Skill.id)).all())
