"""The import's two forms: the file to upload, and the confirm step after its preview."""

from __future__ import annotations

from flask_login import current_user
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, SelectField

from ..errors import DomainError
from ..forms import BaseForm, db_id
from ..people import queries as people_queries
from ..people.services import manageable_school_ids
from .spreadsheets import MAX_ROWS


class UploadForm(BaseForm):
    file = FileField("Spreadsheet file", description=(
        "A CSV file or an Excel workbook (.xlsx), 5 MB or smaller, with up to "
        f"{MAX_ROWS:,} rows."),
        validators=[FileRequired("Choose a CSV or Excel file.")])
    school = SelectField("School", coerce=db_id,
                         validate_choice=False)


def upload_form() -> UploadForm:
    """The upload form; a lead or admin chooses which school it is for, a head does not."""
    form = UploadForm()
    if manageable_school_ids(current_user) is None:
        form.school.choices = {"": "All schools – each row's school_urn says which"} | {
            s.id: f"{s.name} ({s.urn})" for s in people_queries.schools()}
    else:
        form.school.choices = {}
    return form


class ConfirmForm(BaseForm):
    token = HiddenField()
    invite = BooleanField("Email invitations to the new people", description=(
        "Each new person gets a link to set their password. You can also invite them later "
        "from People."))

    refused: DomainError | None = None

    def add_error(self, error: DomainError) -> None:
        """Keep the rule confirming broke: the view shows it on the page it belongs to (the new
        preview when the directory changed, else the upload form)."""
        super().add_error(error)
        self.refused = error
