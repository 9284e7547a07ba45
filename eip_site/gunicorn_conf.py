"""gunicorn's settings for the site (`gunicorn -c python:eip_site.gunicorn_conf`, or the
checkout's gunicorn.conf.py). The settings are checked once, in the master, before any
worker starts: a mistake stops gunicorn with one line and exit status 2, instead of workers
failing to boot one after another."""

import multiprocessing
import sys

# Sync workers, one per CPU (docs/deploy.md says why); --workers overrides it.
workers = multiprocessing.cpu_count()


def on_starting(server):
    from eip_site import ConfigError, create_app

    try:
        create_app()
    except ConfigError as error:
        print(f"EIP site cannot start: {error}", file=sys.stderr)
        sys.exit(2)
