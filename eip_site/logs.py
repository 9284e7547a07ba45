"""Logs that help: one line per request with an id, the same id on every line the request
logs and on its 500 page, so a user can quote it and an operator can find it.

The line holds the method, the path (never the query string: searches name colleagues), the
status, the time taken and the user's id. ``EIP_LOG_FORMAT=json`` writes each line as one
JSON object, for a log collector; the default is plain text.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import time

from flask import Flask, g, has_request_context, request

from .security import loaded_user

log = logging.getLogger("eip_site.requests")
HEADER = "X-Request-ID"
# An id given by the proxy in front (nginx's $request_id) is kept when it looks like one.
GIVEN_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
FIELDS = ("request_id", "method", "path", "status", "duration_ms", "user_id")


def request_id() -> str | None:
    return g.get("request_id") if has_request_context() else None


_make_record = logging.getLogRecordFactory()


def _record_with_id(*args, **kwargs) -> logging.LogRecord:
    """Every record logged while a request is answered carries its id, whichever logger
    and handler it goes through."""
    record = _make_record(*args, **kwargs)
    record.request_id = request_id() or "-"
    return record


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"), "level": record.levelname,
                "logger": record.name, "message": record.getMessage()}
        line |= {k: getattr(record, k) for k in FIELDS if getattr(record, k, None) is not None}
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def configure(app: Flask) -> None:
    """The root handler: plain or JSON lines on standard error, each with its request id."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if app.config["LOG_FORMAT"] == "json" else
                         logging.Formatter("%(asctime)s %(levelname)s %(name)s "
                                           "[%(request_id)s] %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)


def _start() -> None:
    given = request.headers.get(HEADER, "")
    g.request_id = given if GIVEN_ID.fullmatch(given) else secrets.token_hex(8)
    g.request_started = time.perf_counter()


def _finish(response):
    if "request_id" not in g:  # refused before _start ran (an over-long address)
        _start()
    response.headers[HEADER] = g.request_id
    took = round((time.perf_counter() - g.request_started) * 1000, 1)
    user = loaded_user()
    user_id = user.id if user is not None else None
    log.info("%s %s %s %.1f ms user=%s", request.method, request.path, response.status_code,
             took, user_id or "-", extra={"method": request.method, "path": request.path,
                                         "status": response.status_code, "duration_ms": took,
                                         "user_id": user_id})
    return response


def init_app(app: Flask) -> None:
    logging.setLogRecordFactory(_record_with_id)
    app.before_request_funcs.setdefault(None, []).insert(0, _start)  # before the gate
    app.after_request(_finish)
