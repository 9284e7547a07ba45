"""Static addresses carry a fingerprint of their file, so a proxy may let browsers keep them
a year (deploy/nginx-eip.conf) and an upgrade's changed file has a new address."""

import hashlib

from flask import url_for

from .servers import ROOT


def test_a_static_address_carries_its_files_fingerprint(app):
    digest = hashlib.sha256((ROOT / "static" / "css" / "site.css").read_bytes()).hexdigest()
    with app.test_request_context():
        address = url_for("static", filename="css/site.css")
    assert address == f"/static/css/site.css?v={digest[:12]}"
    assert app.test_client().get(address).status_code == 200
