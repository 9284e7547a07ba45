"""A network's action plan, kept by its leader, critical friend or a cluster lead."""

from __future__ import annotations

from sqlalchemy import func, select

from ..errors import DomainError, check_version, clean_text, unique_key
from ..extensions import db
from ..people.models import User
from .models import PLAN_STATUSES, Network, PlanRow
from .permissions import check_editor

def save_plan_row(*, actor: User, network: Network, row: PlanRow | None, action: str,
                  timescale: str, resources: str, involved: str, success_criteria: str,
                  status: str, progress: str, version: int | None = None) -> PlanRow:
    """The leader, critical friend or a lead keeps the network's action plan."""
    check_editor(actor, network)
    if row is not None:
        check_version(row, version)
    if status not in PLAN_STATUSES:
        raise DomainError("Choose the status from the list.", field="plan_status")
    values = dict(
        action=clean_text(action, field="action", label="the action", limit=300, required=True),
        timescale=clean_text(timescale, field="timescale", label="the timescale", limit=120),
        resources=clean_text(resources, field="resources", label="the resources", limit=300),
        involved=clean_text(involved, field="involved", label="who is involved", limit=300),
        success_criteria=clean_text(success_criteria, field="success_criteria",
                                    label="the success criteria"),
        status=status,
        progress=clean_text(progress, field="progress", label="the progress notes"))
    if row is None:
        return _new_row(network, values)
    for key, value in values.items():
        setattr(row, key, value)
    db.session.flush()
    return row


def _next_position(network: Network) -> int:
    return db.session.scalar(select(func.coalesce(func.max(PlanRow.position), 0))
                             .where(PlanRow.network_id == network.id)) + 1


def _new_row(network: Network, values: dict) -> PlanRow:
    """A row at the end of the plan. Someone adding one the same moment takes that place
    first (the unique key on the position): this one goes after theirs."""
    for _attempt in range(3):
        row = PlanRow(network_id=network.id, position=_next_position(network), **values)
        try:
            with unique_key(lambda: None):
                db.session.add(row)
            return row
        except DomainError:
            continue
    raise DomainError("Others are adding to the plan at the same moment. Save again.")
