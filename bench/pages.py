"""Page benchmark: a local-authority-sized partnership behind gunicorn, measured locally.

    .venv/bin/python bench/pages.py                       # temporary SQLite file
    .venv/bin/python bench/pages.py --postgres postgresql://eip@127.0.0.1:5433/eip_bench
    .venv/bin/python bench/pages.py --suite reviews       # only the review pages

Builds the data with `flask seed-bench` (200 schools x 50 staff), serves it with gunicorn on
127.0.0.1 (as docs/deploy.md serves it: one single-threaded worker per CPU), signs in as the
bench lead, then sends a bounded number of requests per endpoint from 8 concurrent clients
and prints p50/p95/p99 and requests/second against the targets (fragment p95 <= 50 ms, full
page p95 <= 80 ms). Everything it creates (the SQLite file, the PostgreSQL tables, the
gunicorn processes) is removed at the end, also on Ctrl+C or an error. Standard library
only, run with the project's virtualenv.
Exit status: 0 when every target is met, 1 when one is missed, 2 when the run failed.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
FRAGMENT_P95_MS = 50.0
PAGE_P95_MS = 80.0
REQUEST_TIMEOUT = 30.0


@dataclass
class Endpoint:
    label: str
    path: str
    htmx: bool = False
    target_ms: float | None = None  # p95 target; None: measured, not judged
    paths: tuple[str, ...] = ()  # if given, request n asks for paths[n % len(paths)]


@dataclass
class Result:
    endpoint: Endpoint
    timings: list[float] = field(default_factory=list)  # seconds
    errors: int = 0
    cpu_seconds: float | None = None  # server CPU used by the whole run (warm-up included)
    first_start: float = float("inf")  # perf_counter of the first timed request
    last_end: float = 0.0
    first_error: str = ""
    warmup: int = 0


class BenchError(RuntimeError):
    pass


def venv_bin(name: str) -> str:
    for folder in (Path(sys.executable).parent, ROOT / ".venv" / "bin"):
        if (folder / name).exists():
            return str(folder / name)
    raise BenchError(f"{name} not found next to {sys.executable} or in .venv/bin; run make setup.")


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def bench_env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EIP_")}
    env.update({
        "EIP_ENV": "production",
        "EIP_SECRET_KEY": secrets.token_hex(20),  # 40 characters, new for every run
        "DATABASE_URL": database_url,
        "EIP_LOGIN_LIMIT_ACCOUNT": "1000 per minute",
        "EIP_LOGIN_LIMIT_ADDRESS": "1000 per minute",
        # Plain http on the loopback: the production Secure cookies would never be sent back.
        "EIP_SESSION_COOKIE_SECURE": "false",
        "EIP_REMEMBER_COOKIE_SECURE": "false",
        "PYTHONUNBUFFERED": "1",
    })
    return env


def flask(env: dict[str, str], *args: str, timeout: float = 300) -> str:
    cmd = [venv_bin("flask"), "--app", "wsgi", *args]
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout)
    if done.returncode != 0:
        raise BenchError(f"`flask {' '.join(args)}` failed ({done.returncode}):\n"
                         f"{done.stdout}{done.stderr}")
    return done.stdout


def postgres_tables(url: str) -> list[str]:
    from sqlalchemy import create_engine, inspect

    engine = create_engine(_psycopg(url))
    try:
        return inspect(engine).get_table_names()
    finally:
        engine.dispose()


def drop_postgres_tables(url: str) -> None:
    from sqlalchemy import MetaData, create_engine

    engine = create_engine(_psycopg(url))
    try:
        metadata = MetaData()
        metadata.reflect(engine)
        metadata.drop_all(engine)
    finally:
        engine.dispose()


def _psycopg(url: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Client:
    """One keep-alive connection to the bench server, carrying the signed-in cookie."""

    def __init__(self, port: int, cookie: str = ""):
        self.port, self.cookie = port, cookie
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: str | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, dict, bytes]:
        headers = dict(headers or {})
        if self.cookie:
            headers["Cookie"] = self.cookie
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=REQUEST_TIMEOUT)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self.close()
                return response.status, dict(response.getheaders()), data
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()  # the server closed an idle keep-alive connection: reconnect once
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def set_cookies(headers_list: list[tuple[str, str]]) -> dict[str, str]:
    cookies = {}
    for name, value in headers_list:
        if name.lower() == "set-cookie":
            pair = value.split(";", 1)[0]
            key, _, val = pair.partition("=")
            cookies[key.strip()] = val.strip()
    return cookies


def sign_in(port: int, email: str, password: str) -> str:
    """Sign in through the forms (the password, then the two-step code seed-bench's key
    gives, when asked); return the session cookie."""
    conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    cookies: dict[str, str] = {}

    def jar() -> str:
        return "; ".join(f"{k}={v}" for k, v in cookies.items())

    def submit(path: str, fields: dict) -> http.client.HTTPResponse:
        """GET ``path`` for its CSRF token, POST ``fields``; a 303 is the form accepted."""
        conn.request("GET", path, headers={"Cookie": jar()})
        response = conn.getresponse()
        match = re.search(r'<meta name="csrf-token" content="([^"]+)"', response.read().decode())
        cookies.update(set_cookies(response.getheaders()))
        if response.status != 200 or not match:
            raise BenchError(f"GET {path} answered {response.status} without a CSRF token.")
        conn.request("POST", path, body=urllib.parse.urlencode(
            fields | {"csrf_token": match.group(1)}), headers={
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": jar(),
            "Referer": f"http://{HOST}:{port}{path}"})
        response = conn.getresponse()
        response.read()
        cookies.update(set_cookies(response.getheaders()))
        if response.status != 303:
            raise BenchError(f"Signing in as {email} ({path}) answered {response.status}.")
        return response

    try:
        answer = submit("/login", {"email": email, "password": password})
        if (answer.getheader("Location") or "").endswith("/login/code"):
            import pyotp

            from eip_site.auth.totp import demo_secret

            submit("/login/code", {"code": pyotp.TOTP(demo_secret(email)).now()})
        return jar()
    finally:
        conn.close()


def wait_healthy(port: int, server: subprocess.Popen, limit: float = 60) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchError(f"gunicorn exited with status {server.returncode}.")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return
            conn.close()
        except OSError:
            pass
        time.sleep(0.2)
    raise BenchError(f"/healthz did not answer within {limit:.0f} s.")


def measure(port: int, cookie: str, endpoint: Endpoint, *, clients: int, count: int,
            warmup: int, deadline: float) -> Result:
    """``count`` requests shared by ``clients`` threads (each its own connection), timed
    from sending to the last byte, after ``warmup`` untimed ones; stops at ``deadline``."""
    headers = {"HX-Request": "true"} if endpoint.htmx else {}
    result = Result(endpoint, warmup=warmup)
    lock = threading.Lock()
    tickets = iter(range(warmup + count))
    stop = threading.Event()

    def worker() -> None:
        client = Client(port, cookie)
        try:
            while not stop.is_set() and time.monotonic() < deadline:
                with lock:
                    n = next(tickets, None)
                if n is None:
                    return
                started = time.perf_counter()
                try:
                    path = endpoint.paths[n % len(endpoint.paths)] if endpoint.paths \
                        else endpoint.path
                    status, _, _ = client.request("GET", path, headers=headers)
                    error = "" if status == 200 else f"status {status}"
                except OSError as exc:
                    client.close()
                    error = f"{type(exc).__name__}: {exc}"
                elapsed = time.perf_counter() - started
                if n < warmup:
                    continue
                with lock:
                    result.first_start = min(result.first_start, started)
                    result.last_end = max(result.last_end, started + elapsed)
                    if error:
                        result.errors += 1
                        result.first_error = result.first_error or error
                    else:
                        result.timings.append(elapsed)
        finally:
            client.close()

    # The first ``warmup`` tickets are sent by all clients but not timed.
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(clients)]
    for t in threads:
        t.start()
    try:
        for t in threads:
            while t.is_alive():
                t.join(0.2)
    finally:
        stop.set()
    return result


def server_cpu_seconds(master: int) -> float | None:
    """User + system CPU seconds of gunicorn's master and workers so far (Linux /proc), so
    the cost per request can be read apart from whatever else runs on the machine."""
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total, found = 0, False
    try:
        pids = [p for p in os.listdir("/proc") if p.isdigit()]
    except OSError:
        return None
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(pid) == master or int(fields[1]) == master:  # fields[1] is the parent pid
            total += int(fields[11]) + int(fields[12])  # utime, stime
            found = True
    return total / ticks if found else None


def percentile(sorted_values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    if not sorted_values:
        return float("nan")
    rank = max(1, -(-len(sorted_values) * pct // 100))
    return sorted_values[int(rank) - 1]


def report(results: list[Result]) -> bool:
    print()
    width = max(len(r.endpoint.label) for r in results)
    head = (f"{'endpoint':<{width}}  {'requests':>8}  {'errors':>6}  {'p50 ms':>7}  "
            f"{'p95 ms':>7}  {'p99 ms':>7}  {'req/s':>7}  {'cpu ms':>6}  target")
    print(head)
    print("-" * len(head) + "--------------")
    ok = True
    for r in results:
        values = sorted(r.timings)
        p50, p95, p99 = (percentile(values, p) * 1000 for p in (50, 95, 99))
        # Throughput over the timed part: first timed request sent to last one answered.
        span = r.last_end - r.first_start
        rps = len(values) / span if values and span > 0 else 0.0
        if r.endpoint.target_ms is None:
            verdict = "—"
        else:
            passed = bool(values) and r.errors == 0 and p95 <= r.endpoint.target_ms
            ok &= passed
            verdict = f"{'PASS' if passed else 'FAIL'} (p95 ≤ {r.endpoint.target_ms:.0f} ms)"
        sent = len(values) + r.errors + r.warmup
        cpu = f"{r.cpu_seconds * 1000 / sent:6.1f}" if r.cpu_seconds is not None and sent \
            else f"{'—':>6}"
        print(f"{r.endpoint.label:<{width}}  {len(values):>8}  {r.errors:>6}  {p50:>7.1f}  "
              f"{p95:>7.1f}  {p99:>7.1f}  {rps:>7.1f}  {cpu}  {verdict}")
        if r.first_error:
            print(f"{'':<{width}}  first error: {r.first_error}")
    return ok


def school_ids(port: int, cookie: str) -> list[str]:
    status, _, body = Client(port, cookie).request("GET", "/directory/")
    if status != 200:
        raise BenchError(f"GET /directory/ answered {status} for the signed-in lead.")
    select = re.search(r'<select[^>]*name="school"[^>]*>(.*?)</select>', body.decode(), re.S)
    ids = re.findall(r'<option[^>]*value="(\d+)"', select.group(1)) if select else []
    if not ids:
        raise BenchError("No school to filter by in the directory's school list.")
    return ids


def new_searches(schools: list[str]) -> tuple[str, ...]:
    """Every skill of the default vocabulary in every school (~20,000 searches), in a fixed
    shuffled order: none is asked twice in a run, so none is answered from a worker's memory
    of searches (see eip_site/data_version.py)."""
    import random

    from eip_site.seeds.vocabulary import VOCABULARY

    skills = [name for _category, (_title, items) in VOCABULARY.items() for name, _ in items]
    searches = [f"/directory/?{urllib.parse.urlencode({'q': skill, 'school': school})}"
                for skill in skills for school in schools]
    random.Random(7).shuffle(searches)
    return tuple(searches)


def directory_endpoints(port: int, cookie: str) -> list[Endpoint]:
    schools = school_ids(port, cookie)
    school = schools[len(schools) // 2]
    return [
        Endpoint("GET /directory/?q=phonics (fragment)", "/directory/?q=phonics",
                 htmx=True, target_ms=FRAGMENT_P95_MS),
        Endpoint("GET /directory/?q=phonics (page)", "/directory/?q=phonics",
                 target_ms=PAGE_P95_MS),
        Endpoint(f"GET /directory/?q=behavour&school={school} (fragment)",
                 f"/directory/?q=behavour&school={school}", htmx=True,
                 target_ms=FRAGMENT_P95_MS),
        Endpoint("GET /directory/ (page)", "/directory/", target_ms=PAGE_P95_MS),
        # Repeated searches are remembered: this shows what a search no one made before costs.
        Endpoint("GET /directory/?q=<a skill>&school=<a school>, each search new (fragment)",
                 "/directory/", htmx=True, paths=new_searches(schools)),
    ]


def review_endpoints(port: int, cookie: str) -> list[Endpoint]:
    """The review list, a month of the calendar and a review page (as the lead, who also
    gets the team picker)."""
    status, _, body = Client(port, cookie).request("GET", "/reviews/?state=confirmed")
    found = re.search(r'href="/reviews/(\d+)"', body.decode()) if status == 200 else None
    if not found:
        raise BenchError("No confirmed review in the bench data to open.")
    month = time.strftime("%Y-%m")
    return [
        Endpoint("GET /reviews/ (page)", "/reviews/", target_ms=PAGE_P95_MS),
        Endpoint("GET /reviews/?state=confirmed (fragment)", "/reviews/?state=confirmed",
                 htmx=True, target_ms=PAGE_P95_MS),
        Endpoint(f"GET /reviews/calendar?month={month} (page)",
                 f"/reviews/calendar?month={month}", target_ms=PAGE_P95_MS),
        Endpoint(f"GET /reviews/{found.group(1)} (page)", f"/reviews/{found.group(1)}",
                 target_ms=PAGE_P95_MS),
    ]


def _first_link(port: int, cookie: str, page: str, pattern: str) -> str:
    status, _, body = Client(port, cookie).request("GET", page)
    found = re.search(pattern, body.decode()) if status == 200 else None
    if not found:
        raise BenchError(f"No link matching {pattern!r} on {page} ({status}).")
    return found.group(1)


def network_endpoints(port: int, cookie: str) -> list[Endpoint]:
    """A network page, a meeting page (its agenda) and My actions."""
    network = _first_link(port, cookie, "/networks/", r'href="/networks/(\d+)"')
    meeting = _first_link(port, cookie, f"/networks/{network}", r'href="/meetings/(\d+)"')
    return [
        Endpoint(f"GET /networks/{network} (page)", f"/networks/{network}",
                 target_ms=PAGE_P95_MS),
        Endpoint(f"GET /meetings/{meeting} (page)", f"/meetings/{meeting}",
                 target_ms=PAGE_P95_MS),
        Endpoint("GET /actions/ (page)", "/actions/", target_ms=PAGE_P95_MS),
    ]


def home_endpoints(port: int, cookie: str) -> list[Endpoint]:
    """The dashboard, and the header search's live results."""
    return [
        Endpoint("GET / (dashboard)", "/", target_ms=PAGE_P95_MS),
        Endpoint("GET /search?q=phonics (fragment)", "/search?q=phonics", htmx=True,
                 target_ms=FRAGMENT_P95_MS),
    ]


SUITES = {"directory": directory_endpoints, "reviews": review_endpoints,
          "networks": network_endpoints, "home": home_endpoints}


def _interrupt(*_) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", metavar="URL",
                        help="an EMPTY PostgreSQL database to use instead of a temporary "
                             "SQLite file (its tables are dropped at the end)")
    parser.add_argument("--requests", type=int, default=400, help="timed requests per endpoint")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests per endpoint")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="gunicorn worker processes (default: one per CPU, as deployed)")
    parser.add_argument("--threads", type=int, default=1,
                        help="threads per gunicorn worker (default 1: gunicorn's sync worker)")
    parser.add_argument("--schools", type=int, default=200)
    parser.add_argument("--staff", type=int, default=50)
    parser.add_argument("--suite", choices=["all", *SUITES], default="all",
                        help="which pages to measure (default: all)")
    parser.add_argument("--time-limit", type=float, default=120,
                        help="seconds at most per endpoint")
    args = parser.parse_args(argv)
    if not (1 <= args.requests <= 100_000 and 0 <= args.warmup <= 10_000
            and 1 <= args.clients <= 64):
        parser.error("--requests 1..100000, --warmup 0..10000, --clients 1..64")

    # Ctrl+C and a polite kill both unwind through the finally below.
    signal.signal(signal.SIGTERM, _interrupt)
    tmp = Path(tempfile.mkdtemp(prefix="eip-bench-"))
    server: subprocess.Popen | None = None
    created_tables = False
    log = None
    try:
        if args.postgres:
            tables = postgres_tables(args.postgres)
            if tables:
                raise BenchError(f"The PostgreSQL database is not empty ({len(tables)} tables, "
                                 f"e.g. {', '.join(sorted(tables)[:3])}); give an empty one.")
            database_url, database = args.postgres, "PostgreSQL " + args.postgres.rsplit("@", 1)[-1]
        else:
            database_url, database = f"sqlite:///{tmp / 'bench.sqlite3'}", "SQLite (temporary file)"
        env = bench_env(database_url)
        print(f"Database: {database}")
        created_tables = True
        flask(env, "db", "upgrade")
        started = time.perf_counter()
        seeded = flask(env, "seed-bench", "--schools", str(args.schools),
                       "--staff", str(args.staff))
        seed_wall = time.perf_counter() - started
        for line in seeded.splitlines():
            print(f"  {line}")
        print(f"  seed-bench command: {seed_wall:.1f} s wall time (including start-up)")
        login = re.search(r"Lead login: (\S+)\s+password: (.+?)(?:  two-step key: \S+)?$", seeded, re.M)
        if not login:
            raise BenchError("seed-bench did not print the lead's login.")
        email, password = login.group(1), login.group(2).strip()

        port = free_port()
        log = open(tmp / "gunicorn.log", "w")
        server = subprocess.Popen(
            [venv_bin("gunicorn"), "-w", str(args.workers), "--threads", str(args.threads),
             "-b", f"{HOST}:{port}", "wsgi:app"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        wait_healthy(port, server)
        print(f"gunicorn: {args.workers} workers x {args.threads} threads on {HOST}:{port}; "
              f"{args.clients} clients, {args.requests} requests per endpoint after "
              f"{args.warmup} warm-up; {os.cpu_count()} CPUs, load average "
              f"{os.getloadavg()[0]:.2f} before the run")
        cookie = sign_in(port, email, password)
        endpoints = [Endpoint("GET /healthz", "/healthz")]
        for suite in SUITES if args.suite == "all" else [args.suite]:
            endpoints += SUITES[suite](port, cookie)
        results = []
        for endpoint in endpoints:
            cpu_before = server_cpu_seconds(server.pid)
            result = measure(port, cookie, endpoint, clients=args.clients,
                             count=args.requests, warmup=args.warmup,
                             deadline=time.monotonic() + args.time_limit)
            cpu_after = server_cpu_seconds(server.pid)
            if cpu_before is not None and cpu_after is not None:
                result.cpu_seconds = cpu_after - cpu_before
            results.append(result)
            if server.poll() is not None:
                raise BenchError(f"gunicorn exited with status {server.returncode}.")
        ok = report(results)
        print("cpu ms: gunicorn CPU time per request (warm-up included), which other work on "
              "the machine does not inflate.")
        print(f"Load average after the run: {os.getloadavg()[0]:.2f} "
              "(other work on this machine skews the latencies).")
        print()
        loaded = re.search(r"loaded in ([\d.]+) s", seeded)
        print(f"seed-bench: {loaded.group(1) if loaded else '?'} s loading, {seed_wall:.1f} s "
              "wall time with start-up.")
        print(f"Targets: fragment p95 ≤ {FRAGMENT_P95_MS:.0f} ms, full page p95 ≤ "
              f"{PAGE_P95_MS:.0f} ms: {'all met' if ok else 'MISSED'}.")
        return 0 if ok else 1
    except BenchError as exc:
        print(f"Benchmark failed: {exc}", file=sys.stderr)
        if log is not None:
            log.flush()
            tail = (tmp / "gunicorn.log").read_text()[-3000:]
            if tail:
                print("gunicorn log (end):\n" + tail, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nInterrupted; cleaning up.", file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        if server is not None and server.poll() is None:
            server.terminate()  # gunicorn's master stops its workers gracefully
            try:
                server.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)  # the group it leads: its workers
                server.wait(5)
        if log is not None:
            log.close()
        if args.postgres and created_tables:
            try:
                drop_postgres_tables(args.postgres)
            except Exception as exc:  # noqa: BLE001 - report, keep cleaning up
                print(f"Could not drop the bench tables: {exc}", file=sys.stderr)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
