"""The home dashboard, site search, the accessibility statement and /healthz."""

from flask import Blueprint

bp = Blueprint("home", __name__)
