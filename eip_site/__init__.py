"""EIP site: an intranet for a partnership of schools."""

from __future__ import annotations

import logging
import os

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from . import config as config_module
from .config import CONFIGS, DEV_SECRET_KEY, INSTANCE, ROOT


class ConfigError(RuntimeError):
    pass


class App(Flask):
    def dispatch_request(self):
        """The one transaction boundary. A request whose answer succeeds (status below 400)
        commits, here and only here; any other answer rolls back, here, and an exception
        rolls back in the error handler that answers it. Views never commit or roll back.
        Pages that only read commit too: a ROLLBACK makes psycopg forget its prepared
        statements, and PostgreSQL would plan every query of every page anew."""
        from .extensions import db

        response = self.make_response(super().dispatch_request())
        if response.status_code < 400:
            db.session.commit()
        else:
            db.session.rollback()
        return response


def create_app(config: dict | None = None) -> Flask:
    """Build the app. ``config`` (tests) wins over the environment, which wins over defaults."""
    env = (config or {}).get("ENV") or os.environ.get("EIP_ENV", "production")
    if env not in CONFIGS:
        raise ConfigError(f"EIP_ENV must be one of {', '.join(CONFIGS)}, not {env!r}.")
    app = App(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(INSTANCE),
    )
    app.config.from_object(CONFIGS[env])
    app.config.update(config_module.environment_overrides())
    app.config.from_prefixed_env("EIP")
    app.config.update(config or {})
    app.config["ENV"] = env
    app.config["SQLALCHEMY_DATABASE_URI"] = config_module.normalise_database_url(
        app.config["SQLALCHEMY_DATABASE_URI"]
    )
    _check_secret_key(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        os.makedirs(app.instance_path, exist_ok=True)
    if int(app.config["PROXY_COUNT"]):
        n = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO)

    from . import cli, errors, security
    from .extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)

    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    cli.init_app(app)

    from .admin.views import bp as admin_bp
    from .auth.views import bp as auth_bp
    from .home.views import bp as home_bp

    app.register_blueprint(home_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp)
    from .directory import register as register_directory
    from .help_requests import register as register_help_requests
    from .staff_import import register as register_staff_import

    register_help_requests(app)  # these two add routes to the directory's blueprint,
    register_staff_import(app)   # so they come before it is registered
    register_directory(app)
    from .reviews import register as register_reviews

    register_reviews(app)
    from .networks import register as register_networks

    register_networks(app)
    from .notifications import register as register_notifications

    register_notifications(app)

    from .templating import init_app as init_templating

    init_templating(app)
    return app


def _check_secret_key(app: Flask) -> None:
    key = app.config.get("SECRET_KEY") or ""
    if app.config["ENV"] == "production" and (len(key) < 32 or key == DEV_SECRET_KEY):
        raise ConfigError(
            "EIP_SECRET_KEY must be set to a random value of at least 32 characters in "
            "production (e.g. python -c 'import secrets; print(secrets.token_hex(32))')."
        )


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    """WAL for concurrent readers, enforced foreign keys, and waiting instead of failing on locks."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()
