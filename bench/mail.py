"""Mail benchmark: a request that emails someone, while the mail server takes 5 s to answer.

    .venv/bin/python bench/mail.py              # a temporary SQLite file
    .venv/bin/python bench/mail.py --requests 20 --delay 5

In process, with Flask's test client: a colleague asks another for help (`POST
/people/<id>/help`, which emails the recipient) against an SMTP server on 127.0.0.1 that
waits ``--delay`` seconds before accepting each message. The same request is timed with the
recipient's emails turned off (nothing queued), so the difference is what queueing costs.
Then the worker sends one message, to show what the request no longer waits for. Bounded:
about ``--delay`` seconds plus a second. Exit status 0 when a mailing request's median is
under 100 ms, 1 otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiosmtpd.controller import Controller  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from eip_site import create_app  # noqa: E402
from eip_site.extensions import db  # noqa: E402
from eip_site.notifications.models import Preference  # noqa: E402
from eip_site.outbox import send_batch  # noqa: E402
from eip_site.people.models import User  # noqa: E402

PASSWORD = "bench-mail-password-1"
TARGET_MS = 100.0


class SlowServer:
    def __init__(self, delay: float):
        self.delay, self.received = delay, 0

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.delay)
        self.received += 1
        return "250 OK"


def timed(client, path: str, n: int, tag: str) -> list[float]:
    out = []
    for i in range(n):
        started = time.perf_counter()
        response = client.post(path, data={"message": f"{tag} request {i}: a visit, please"})
        out.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 303, response.status_code
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--delay", type=float, default=5.0)
    args = parser.parse_args()

    server = SlowServer(args.delay)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(server, hostname="127.0.0.1", port=port)
    controller.start()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"ENV": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/b.db",
                          "SMTP_HOST": "127.0.0.1", "SMTP_PORT": controller.port,
                          "SMTP_TLS": "none", "SMTP_TIMEOUT": int(args.delay) + 5,
                          "RATELIMIT_ENABLED": False})
        with app.app_context():
            db.create_all()
            people = [User(name=n, email=f"{n.split()[0].lower()}@school.example",
                           password_hash=generate_password_hash(PASSWORD))
                      for n in ("Asker Able", "Helen Helper", "Quiet Colleague")]
            db.session.add_all(people)
            db.session.flush()
            db.session.add(Preference(user_id=people[2].id, kind="help", mode="none"))
            db.session.commit()
            helper, quiet = people[1].id, people[2].id
        client = app.test_client()
        client.post("/login", data={"email": "asker@school.example", "password": PASSWORD})
        timed(client, f"/people/{helper}/help", 2, "warm-up")
        mailing = timed(client, f"/people/{helper}/help", args.requests, "mailing")
        silent = timed(client, f"/people/{quiet}/help", args.requests, "silent")
        with app.app_context():
            started = time.perf_counter()
            sent = send_batch(limit=1)["sent"]
            worker_s = time.perf_counter() - started
    controller.stop()

    m, s = statistics.median(mailing), statistics.median(silent)
    print(f"SMTP server answers each message after {args.delay:g} s.")
    print(f"POST /people/<id>/help that emails the recipient: median {m:.1f} ms, "
          f"max {max(mailing):.1f} ms ({args.requests} requests)")
    print(f"the same with the recipient's emails off:         median {s:.1f} ms, "
          f"max {max(silent):.1f} ms")
    print(f"queueing the email costs {m - s:+.1f} ms a request")
    print(f"the worker took {worker_s:.2f} s to send {sent} message (what a request used to "
          f"wait for)")
    ok = m < TARGET_MS
    print(f"target: a mailing request's median under {TARGET_MS:g} ms: "
          f"{'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
