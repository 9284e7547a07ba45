import pytest

from eip_site.extensions import db

from .. import factories


@pytest.fixture
def vocab(app) -> dict[str, int]:
    """The default skills, installed and committed: {skill name: id}."""
    with app.app_context():
        skills = factories.vocabulary()
        db.session.commit()
        return skills
