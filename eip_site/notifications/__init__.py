"""Notifications people control: per kind, email now, a daily digest, or none; one signed
unsubscribe link in every email; reminders sent once each by `flask send-reminders`."""

from flask import Blueprint

bp = Blueprint("notifications", __name__)
