"""The strengths-and-skills directory. One blueprint; its views are split by area: views
(search, strengths map), profile_views, skill_views. Requests for help (``help_requests``)
and staff import and export (``staff_import``) add their routes to this blueprint, keeping
their ``directory.`` names."""

from flask import Blueprint

bp = Blueprint("directory", __name__)
