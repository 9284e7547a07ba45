"""The README's configuration table and htmx checksum stay true."""

import hashlib
import re
from pathlib import Path

from eip_site.config import Config

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
# Read from DATABASE_URL, or fixed by the code (the CSRF token lives as long as the session).
INTERNAL = ("SQLALCHEMY_", "WTF_")


def test_every_operator_setting_is_in_the_configuration_table():
    settings = [k for k in vars(Config) if k.isupper() and not k.startswith(INTERNAL)]
    missing = [k for k in settings if f"EIP_{k}" not in README]
    assert not missing, f"Settings missing from README: {missing}"


def test_vendored_htmx_checksum_matches_the_readme():
    (path,) = (ROOT / "static" / "vendor").glob("htmx-2.0.*.min.js")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert digest in README
    assert re.search(r"htmx-2\.0\.\d+\.min\.js", README)[0] == path.name


def test_the_demo_logins_in_the_readme_are_the_real_ones(app):
    from eip_site.extensions import db
    from eip_site.seeds import demo

    from .conftest import truncate_all

    with app.app_context():
        demo.seed()
        db.session.commit()
        logins = demo.logins()
        truncate_all()
    for login in logins:
        assert f"| {login.role} | {login.name} | {login.email} |" in README
    assert demo.DEFAULT_PASSWORD in README
