"""Extensions, created unbound and initialised in ``create_app``."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase
from werkzeug.routing import IntegerConverter

# Named constraints so that migrations can drop and alter them on every database.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


# A request commits as its last act (App.dispatch_request): expiring what it loaded would
# only make the response's own hooks (the signed-in user) read it all again.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate(compare_type=True, render_as_batch=True)  # include_object: create_app
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)


def one_of(column: str, values) -> str:
    """SQL for a CHECK constraint that ``column`` holds one of ``values`` (fixed strings)."""
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


# --- Statements built once -----------------------------------------------------------------
# Building a select (and then its cache key) on every call cost as much Python as running it
# (~0.3-0.9 ms for a page's typical query). The pages read most often use statements made
# once at import, with ``bindparam`` placeholders for what changes between requests.

def get_with(stmt, model, ident: int):
    """``session.get`` for a statement built once (``model`` by ``:id``, with its loader
    options): the row already in the session if there is one, else one query."""
    found = db.session.identity_map.get(db.session.identity_key(model, ident))
    if found is not None:
        return found
    return db.session.scalars(stmt, {"id": ident}).unique().first()


# --- Whole numbers the database can hold ------------------------------------------------------
# Ids and counts are PostgreSQL ``integer`` columns (32-bit). A larger number from a URL, a
# query or a form is refused as "not found" or beside its field, never sent to SQL, where
# PostgreSQL refuses it ("out of range") and SQLite's driver cannot bind it.
DB_INT_MAX = 2**31 - 1


def db_id(value) -> int | None:
    """An id as a form or a query sends it ("12"): a whole number from 1 to DB_INT_MAX, or
    None (nothing chosen, or nothing that could exist)."""
    value = str(value)
    if not (value.isascii() and value.isdigit()) or len(value) > 10:
        return None
    number = int(value)
    return number if 0 < number <= DB_INT_MAX else None


class IdConverter(IntegerConverter):
    """``<int:…>`` in routes: a number beyond the database's range matches no route (404)."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002
        kwargs.setdefault("max", DB_INT_MAX)
        super().__init__(map, *args, **kwargs)
