"""Administration: the partnership, its schools and the accounts of its people."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
