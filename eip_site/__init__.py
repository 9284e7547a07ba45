"""EIP site: an intranet for a partnership of schools."""

from __future__ import annotations

import os
from importlib import import_module

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from . import config as config_module
from .config import CONFIGS, INSTANCE, ROOT, ConfigError

__all__ = ["ConfigError", "create_app"]


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
    app.config.update(config_module.environment_overrides(app.config))
    app.config.update(config or {})
    app.config["ENV"] = env
    app.config["SQLALCHEMY_DATABASE_URI"] = config_module.normalise_database_url(
        app.config["SQLALCHEMY_DATABASE_URI"]
    )
    config_module.check_install()
    config_module.check(app.config)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        os.makedirs(app.instance_path, exist_ok=True)
    if app.config["PROXY_COUNT"]:
        n = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    from . import cli, errors, logs, security, throttle  # noqa: F401 (the throttle's store)

    if not app.debug and not app.testing:
        logs.configure(app)
    logs.init_app(app)
    from .extensions import IdConverter, csrf, db, limiter, login_manager, migrate
    from .text_index import include_object

    app.url_map.converters["int"] = IdConverter
    db.init_app(app)

    migrate.init_app(app, db, directory=str(ROOT / "migrations"), include_object=include_object)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    cli.init_app(app)

    _add_features(app)
    return app


# Each feature package holds its blueprint (``bp``); its views modules add the routes. Help
# requests and staff import add theirs to the directory's blueprint, so their pages keep
# their ``directory.*`` names. Reminders: each feature's ``reminders(today, now)``.
BLUEPRINTS = ("home", "auth", "admin", "directory", "reviews", "networks", "notifications",
              "files", "privacy")
VIEWS = ("home.views", "auth.views", "auth.oidc_views", "admin.views", "directory.views", "directory.profile_views",
         "directory.skill_views", "help_requests.views", "staff_import.views", "reviews.views",
         "networks.views", "notifications.views", "auth.totp_views", "files.views",
         "privacy.views")
REMINDERS = ("reviews.services.notices", "networks.minutes", "help_requests.services",
             "directory.services")


def _add_features(app: Flask) -> None:
    from .notifications.reminders import add_reminders
    from .templating import init_app as init_templating

    for name in VIEWS:
        import_module(f"{__name__}.{name}")
    for name in BLUEPRINTS:
        app.register_blueprint(import_module(f"{__name__}.{name}").bp)
    for name in REMINDERS:
        add_reminders(app, import_module(f"{__name__}.{name}").reminders)
    init_templating(app)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    """WAL for concurrent readers, enforced foreign keys, and waiting instead of failing on locks."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()
