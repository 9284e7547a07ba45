"""A network's action plan, kept by its leader, critical friend or a cluster lead."""

from __future__ import annotations

from sqlalchemy import func, select

from ..errors import DomainError, check_version, clean_text
from ..extensions import db
from ..people.models import User
from .models import PLAN_STATUSES, Network, PlanRow
from .permissions import check_editor

def save_plan_row(*, actor: User, network: Network, row: PlanRow | None, action: str,
                  timescale: str, resources: str, involved: str, success_criteria: str,
                  status: str, progress: str, version: int | None = None) -> PlanRow:
    """The leader, critical friend or a lead keeps the network's action plan."""
    check_editor(actor, network)
    if row is None:
        row = PlanRow(network_id=network.id, position=db.session.scalar(
            select(func.coalesce(func.max(PlanRow.position), 0))
            .where(PlanRow.network_id == network.id)) + 1)
        db.session.add(row)
    else:
        check_version(row, version)
    if status not in PLAN_STATUSES:
        raise DomainError("Choose the status from the list.", field="plan_status")
    row.action = clean_text(action, field="action", label="the action", limit=300, required=True)
    row.timescale = clean_text(timescale, field="timescale", label="the timescale", limit=120)
    row.resources = clean_text(resources, field="resources", label="the resources", limit=300)
    row.involved = clean_text(involved, field="involved", label="who is involved", limit=300)
    row.success_criteria = clean_text(success_criteria, field="success_criteria",
                                 label="the success criteria")
    row.status = status
    row.progress = clean_text(progress, field="progress", label="the progress notes")
    db.session.flush()
    return row
