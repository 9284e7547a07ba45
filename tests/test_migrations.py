"""The migrations build exactly the models' schema, triggers included, and go down and up again,
on this database."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from eip_site.data_version import trigger_names
from eip_site.extensions import db
from eip_site.text_index import POSTGRES_ONLY_INDEXES, include_object
from eip_site.text_index import SQLITE_TEXT_INDEXES

from .conftest import reset_schema


def _drop_everything():
    db.drop_all()
    with db.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")


def _triggers() -> dict[str, str]:
    """Every trigger (and PostgreSQL's trigger function), as the database gives its definition."""
    if db.engine.dialect.name == "postgresql":
        sql = ("SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal "
               "UNION ALL SELECT proname, pg_get_functiondef(oid) FROM pg_proc "
               "WHERE left(proname::text, 4) = 'eip_'")
    else:
        sql = "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
    with db.engine.connect() as conn:
        return dict(conn.exec_driver_sql(sql).all())


def test_migrations_match_the_models_and_round_trip(app):
    with app.app_context():
        try:
            reset_schema()
            from_models = _triggers()  # data_version.WATCHED and text_index, as they are now
            _drop_everything()
            upgrade()
            migrated = _triggers()
            assert migrated == from_models, (
                "The migrated database's triggers are not those the models make: a change to "
                "data_version.WATCHED (or to a trigger's statements) needs a migration. "
                f"Only migrated: {sorted(migrated.items() - from_models.items())}; "
                f"only from the models: {sorted(from_models.items() - migrated.items())}")
            with db.engine.connect() as conn:
                diff = compare_metadata(MigrationContext.configure(
                    conn, opts={"include_object": include_object}), db.metadata)
            assert diff == [], f"Models and migrations disagree: {diff}"
            if db.engine.dialect.name == "postgresql":  # substring search by trigram index
                indexes = {i["name"] for t in ("user", "agenda_item")
                           for i in inspect(db.engine).get_indexes(t)}
                assert POSTGRES_ONLY_INDEXES <= indexes
            else:  # SQLite's FTS5 tables, kept in step by triggers (text_index)
                triggers = {name for (name,) in db.session.execute(text(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger'"))}
                assert {f"{t}_text_{when}" for t in SQLITE_TEXT_INDEXES
                        for when in ("ai", "ad", "au")} <= triggers

            triggers = {name for (name,) in db.session.execute(text(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
                if db.engine.dialect.name == "postgresql"
                else "SELECT name FROM sqlite_master WHERE type = 'trigger'"))}
            assert trigger_names(db.engine.dialect.name) <= triggers  # data_version's stamps
            db.session.rollback()

            downgrade(revision="base")
            assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}

            upgrade()
            tables = set(inspect(db.engine).get_table_names())
            assert {t.name for t in db.metadata.sorted_tables} <= tables
        finally:
            reset_schema()


def test_every_revision_upgrades_to_head_with_the_demo_data_in_it(spare_databases):
    """Down to each earlier revision with the demo loaded, and up again: the rows of every
    table that revision has come back as they were (an upgrade from any release keeps data)."""
    from alembic.script import ScriptDirectory

    from eip_site import create_app
    from eip_site.seeds import demo

    site = create_app({"ENV": "testing", "SQLALCHEMY_DATABASE_URI": spare_databases[0]})
    with site.app_context():
        upgrade()
        demo.seed("a-long-demo-password")
        db.session.commit()
        script = ScriptDirectory(site.extensions["migrate"].directory)
        revisions = [r.revision for r in script.walk_revisions()][1:]  # newest first, head off

        def counts():
            with db.engine.connect() as conn:
                names = inspect(conn).get_table_names()
                return {n: conn.exec_driver_sql(f'SELECT count(*) FROM "{n}"').scalar_one()
                        for n in names if n != "alembic_version"}

        before = counts()
        for revision in revisions:
            db.session.remove()
            downgrade(revision=revision)
            kept = set(inspect(db.engine).get_table_names())
            upgrade()
            after = counts()
            assert {n: after[n] for n in kept if n in before} == \
                   {n: before[n] for n in kept if n in before}, f"from {revision}"
        assert demo.is_loaded()
        db.session.remove()
        db.engine.dispose()
