"""`flask --app wsgi` and `gunicorn wsgi:app` from the checkout; installed, the same app is
`eip_site.wsgi` (docs/deploy.md), which runs from any directory."""

from eip_site.wsgi import app  # noqa: F401
