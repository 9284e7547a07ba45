"""The upload form (a new file, or a new version of one) and the delete confirmation."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import StringField, TextAreaField

from ..forms import BaseForm
from .kinds import ALLOWED


def _hint(limit_mb: int) -> str:
    return f"{ALLOWED}; {limit_mb} MB or smaller."


class UploadForm(BaseForm):
    # Required is checked by the service ("Choose a file to upload."), so the message is one.
    file = FileField("File")
    title = StringField("Title", description="Leave it empty to use the file's name.")
    description = TextAreaField("Short description (optional)")

    def __init__(self, *args, limit_mb: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.file.description = _hint(limit_mb)


class ConfirmForm(BaseForm):
    """Delete, replace's confirm: nothing but the CSRF token."""
