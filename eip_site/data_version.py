"""Stamps the database itself renews whenever the data behind a remembered answer changes.

A directory search costs more in reading and ranking than in showing its page, and the same
searches come back all day while the people and their skills change a few times a week. So
answers are remembered per worker process under the stamp of the data they were read from
(``Remembered``). Triggers renew the stamp in the same transaction as any change to the
watched tables, whoever makes it (this site in any worker, a script, plain SQL): an answer
is never served once its data has changed. A stamp is random rather than a counter, so a
table emptied and refilled (as the tests do) can never bring an old stamp back; with no stamp
row at all nothing is remembered.

Migrations 0012 and 0013 run ``ddl`` on a copy of ``WATCHED`` as it then was: a change to
``WATCHED`` or to the statements comes with a migration of its own, and the migration test
fails until the migrated database's triggers are those ``create_all`` makes. A batch
migration that rebuilds a watched table on SQLite drops its triggers: create them again."""

from __future__ import annotations

from functools import cache

from sqlalchemy import DDL, Boolean, Column, String, Table, case, event, literal, null, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from .extensions import db

data_version = Table(
    "data_version", db.metadata,
    Column("name", String(40), primary_key=True),
    Column("stamp", String(40), nullable=False),
)

# stamp name -> {table: the columns whose updates count (None: any change)}. Sign-ins update
# "user" (last_login_at) many times a day without changing what a search shows.
WATCHED: dict[str, dict[str, tuple[str, ...] | None]] = {
    "people": {
        "user": ("name", "job_title", "school_id", "active"),
        "user_skill": None,
        "profile": ("offers_paused",),
        "offer": None,
        "school": ("name", "phase", "active"),
    },
    # The directory's search vocabulary: the approved skills, their synonyms, the skill areas.
    "vocabulary": {
        "skill": ("name", "category_id", "synonyms", "status"),
        "skill_category": ("slug", "name", "position"),
    },
    # A review's team picker: who may review, where they work, their days off and bookings
    # (with the booked review's school), their strengths in the review's focus area, and
    # how many reviews they are on that academic year.
    "reviewers": {
        "user": ("name", "school_id", "active"),
        "school": ("name",),
        "qualification": None,
        "user_role": None,
        "unavailable": None,
        "booking": None,
        "review": ("host_school_id", "start_date", "state"),
        "review_member": None,
        "user_skill": None,
        "skill": ("name", "category_id"),
        "skill_category": ("slug",),
    },
    # The header search's networks, meetings and reviews, and who may see which meetings.
    "records": {
        "network": ("name", "purpose", "priority", "is_open", "leader_id",
                    "critical_friend_id"),
        "network_member": None,
        "meeting": ("starts_at", "state", "network_id"),
        "agenda_item": ("title", "meeting_id"),
        "review": ("focus", "start_date", "days", "state",
                   "host_school_id"),
        "school": ("name",),
    },
    # The review list's themes: a year of findings by focus area, and the areas' names.
    "themes": {
        "review": ("focus_area", "to_develop", "state", "start_date"),
        "skill_category": ("slug", "name"),
    },
    # The home page's partnership panels for leads: reviews awaiting their host, searches
    # that found nobody, networks without their critical friend this term, overdue actions.
    "partnership": {
        "review": ("state", "start_date", "days", "host_school_id"),
        "school": ("name",),
        "search_miss": None,
        "network": ("name", "status", "critical_friend_id"),
        "meeting": ("starts_at", "network_id"),
        "attendance": None,
        "action": ("status", "due_on", "network_id"),
    },
}

_FUNCTION = "eip_data_changed"
_RENEWED = "eip.renewed_"  # PostgreSQL: a setting for the transaction, "y" once renewed


def _trigger(table: str, name: str) -> str:
    return f"{table}_{name}_changed"


def ddl(dialect: str, watched: dict = WATCHED) -> list[str]:
    """The statements that make the triggers of every watched table, and the first stamps."""
    fresh = "gen_random_uuid()::text" if dialect == "postgresql" else "hex(randomblob(16))"
    statements = [f"INSERT INTO data_version (name, stamp) VALUES ('{name}', {fresh}) "
                  "ON CONFLICT (name) DO NOTHING" for name in watched]
    if dialect == "postgresql":  # one trigger a statement, with its stamp name as argument
        # Once a transaction: renewing one row on every statement of a bulk load made
        # PostgreSQL walk an ever longer chain of that row's versions (seed-bench went from
        # 150 s to over 300 s). The transaction's own reads then remember nothing
        # (``stamp_of``), so none is kept under a stamp its later writes do not renew.
        statements.append(
            f"CREATE OR REPLACE FUNCTION {_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN IF current_setting('{_RENEWED}' || TG_ARGV[0], true) IS DISTINCT FROM 'y' "
            "THEN INSERT INTO data_version (name, stamp) "
            f"VALUES (TG_ARGV[0], {fresh}) "
            "ON CONFLICT (name) DO UPDATE SET stamp = excluded.stamp; "
            f"PERFORM set_config('{_RENEWED}' || TG_ARGV[0], 'y', true); END IF; "
            "RETURN NULL; END $$")
        for name, tables in watched.items():
            for table, columns in tables.items():
                update = f"UPDATE OF {', '.join(columns)}" if columns else "UPDATE"
                statements.append(
                    f"CREATE OR REPLACE TRIGGER {_trigger(table, name)} "
                    f'AFTER INSERT OR {update} OR DELETE OR TRUNCATE ON "{table}" '
                    f"FOR EACH STATEMENT EXECUTE FUNCTION {_FUNCTION}('{name}')")
        return statements
    for name, tables in watched.items():  # SQLite: row triggers, one per kind of change
        renew = (f"INSERT INTO data_version (name, stamp) VALUES ('{name}', {fresh}) "
                 "ON CONFLICT (name) DO UPDATE SET stamp = excluded.stamp;")
        for table, columns in tables.items():
            for when, event_ in (("ai", "INSERT"), ("ad", "DELETE"), ("au", "UPDATE")):
                if event_ == "UPDATE" and columns:
                    event_ = f"UPDATE OF {', '.join(columns)}"
                statements.append(
                    f"CREATE TRIGGER IF NOT EXISTS {_trigger(table, name)}_{when} AFTER {event_} "
                    f'ON "{table}" BEGIN {renew} END')
    return statements


def _triggers(dialect: str, watched: dict):
    """(table, trigger name) of every trigger ``ddl`` makes."""
    for name, tables in watched.items():
        for table in tables:
            if dialect == "postgresql":
                yield table, _trigger(table, name)
            else:
                yield from ((table, f"{_trigger(table, name)}_{when}")
                            for when in ("ai", "ad", "au"))


def drop_ddl(dialect: str, watched: dict = WATCHED, function: bool = True) -> list[str]:
    """The statements that drop the triggers of ``watched`` and its stamps (and, with
    ``function``, PostgreSQL's trigger function, which every stamp shares)."""
    stamps = [f"DELETE FROM data_version WHERE name = '{name}'" for name in watched]
    if dialect == "postgresql":
        return [*(f'DROP TRIGGER IF EXISTS {trigger} ON "{table}"'
                  for table, trigger in _triggers(dialect, watched)), *stamps,
                *([f"DROP FUNCTION IF EXISTS {_FUNCTION}()"] if function else [])]
    return [*(f"DROP TRIGGER IF EXISTS {trigger}"
              for _table, trigger in _triggers(dialect, watched)), *stamps]


def trigger_names(dialect: str) -> set[str]:
    """What the database should list as triggers (for the migration test)."""
    return {trigger for _table, trigger in _triggers(dialect, WATCHED)}


# create_all makes the triggers once every table exists (the migrations run ``ddl``).
for _dialect in ("sqlite", "postgresql"):
    for _statement in ddl(_dialect):
        event.listen(db.metadata, "after_create", DDL(_statement).execute_if(dialect=_dialect))
event.listen(db.metadata, "after_drop",
             DDL(f"DROP FUNCTION IF EXISTS {_FUNCTION}()").execute_if(dialect="postgresql"))


class _RenewedHere(FunctionElement):
    """Whether this transaction has renewed the stamp named by its argument (PostgreSQL's
    triggers renew once a transaction; SQLite's on every change, so never)."""
    type = Boolean()
    inherit_cache = True


@compiles(_RenewedHere)
def _renewed_here(element, compiler, **kw):
    return "1 = 0"


@compiles(_RenewedHere, "postgresql")
def _renewed_here_on_postgresql(element, compiler, **kw):
    name = compiler.process(element.clauses, **kw)
    return f"current_setting('{_RENEWED}' || {name}, true) IS NOT DISTINCT FROM 'y'"


def stamp_of(name: str):
    """The stamp ``name`` as a scalar expression, to read in the same statement as something
    else: NULL, so nothing is remembered, while there is none or while this transaction has
    changed its data."""
    return case((_RenewedHere(literal(name)), null()), else_=select(data_version.c.stamp)
                .where(data_version.c.name == name).scalar_subquery())


@cache
def _stamps_statement(names: tuple[str, ...]):
    return select(*(stamp_of(name) for name in names))


def stamps(*names: str) -> tuple:
    """The stamps ``names``, in one query."""
    return tuple(db.session.connection().execute(_stamps_statement(names)).one())


class Remembered:
    """Answers kept under their stamp, at most ``size`` of them (then all are forgotten: the
    same few searches soon come back). Plain values only: they are shared between requests."""

    def __init__(self, size: int = 500):
        self.size = size
        self._answers: dict = {}

    def get(self, stamp, key, compute):
        """``compute()``, or what it gave before for ``key`` under this ``stamp``."""
        if stamp is None:
            return compute()
        key = (stamp, key)
        found = self._answers.get(key)
        if found is None:
            found = compute()
            if len(self._answers) >= self.size:
                self._answers.clear()
            self._answers[key] = found
        return found
