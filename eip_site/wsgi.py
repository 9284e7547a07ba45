"""The app gunicorn and `flask --app eip_site.wsgi` serve, from any directory."""

import gc
import sys

from eip_site import ConfigError, create_app

try:
    app = create_app()
except ConfigError as error:  # one line for the operator, not a traceback; exit status 2
    print(f"EIP site cannot start: {error}", file=sys.stderr)
    sys.exit(2)

# A page makes a few thousand objects that die with it, yet the collector's default young
# generation (700) made the meeting page walk them once a request and, every ~100 requests,
# walk the whole heap (~30 ms). Objects made at start-up live for ever: frozen, no walk
# visits them; a larger young generation lets a page's objects die before one runs.
gc.freeze()
gc.set_threshold(50_000, 20, 100)
