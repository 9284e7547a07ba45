"""gunicorn reads this file from the working directory (the checkout); elsewhere, pass
`-c python:eip_site.gunicorn_conf` (docs/deploy.md)."""

from eip_site.gunicorn_conf import on_starting, workers  # noqa: F401
