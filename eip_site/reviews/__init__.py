"""Peer-review scheduling: book reviews that keep the rules, and follow them through."""

from flask import Blueprint

bp = Blueprint("reviews", __name__)
