"""Operator commands: flask --app wsgi seed-demo | totp-code | seed-bench | create-admin |
send-reminders | send-mail | worker | backup | restore | apply-retention."""

from __future__ import annotations

import click
import pyotp
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import select, text
from werkzeug.security import generate_password_hash

from .auth.services import password_problem
from .auth.totp import demo_secret
from .extensions import db
from .notifications.cli import send_mail_command, send_reminders, worker
from .people.models import User
from .security import ADMIN
from .seeds import demo


def _print_logins(logins, password: str) -> None:
    click.echo("Demo logins (password for all: %s):" % password)
    width = max(len(login.name) for login in logins)
    email_width = max(len(login.email) for login in logins)
    for login in logins:
        key = f"  two-step key {login.totp_secret}" if login.totp_secret else ""
        click.echo(f"  {login.role:<9} {login.name:<{width}}  {login.email:<{email_width}}{key}"
                   .rstrip())
    if any(login.totp_secret for login in logins):
        click.echo("Two-step code for an account with a key: flask --app wsgi totp-code EMAIL")


@click.command("totp-code")
@with_appcontext
@click.argument("email")
def totp_code(email: str) -> None:
    """Print the current two-step code of a demo account (development and testing only)."""
    from flask import current_app

    from .auth import totp

    if current_app.config["ENV"] not in ("development", "testing") or not demo.is_loaded():
        raise click.ClickException("totp-code works only on the demo partnership, with "
                                   "EIP_ENV=development or testing.")
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    row = totp.enrolment(user) if user is not None else None
    if row is None or row.confirmed_at is None:
        raise click.ClickException(f"{email} has no two-step sign-in.")
    click.echo(pyotp.TOTP(row.secret).now())


@click.command("seed-demo")
@with_appcontext
@click.option("--password", default=demo.DEFAULT_PASSWORD, show_default=True,
              help="Password for every demo account.")
@click.option("--if-empty", is_flag=True,
              help="Skip quietly when the database holds other data (for `make run`).")
def seed_demo(password: str, if_empty: bool) -> None:
    """Load the fictional demo partnership. Safe to run again; never touches real data."""
    problem = password_problem(password)
    if problem:
        raise click.BadParameter(problem, param_hint="--password")
    try:
        already = demo.is_loaded()
        logins = demo.seed(password)
    except demo.NotDemoDatabase as exc:
        db.session.rollback()
        if if_empty:
            click.echo("The database holds your own data, so the demo was not loaded.")
            return
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo("Demo partnership already loaded." if already else "Demo partnership loaded.")
    _print_logins(logins, password)


@click.command("create-admin")
@with_appcontext
@click.argument("email")
@click.option("--name", default="Site administrator", show_default=True)
@click.password_option(prompt="Password for the new administrator",
                       confirmation_prompt="Repeat the password")
def create_admin(email: str, name: str, password: str) -> None:
    """Create an administrator account (prompts for the password)."""
    email = email.strip().lower()
    if "@" not in email or len(email) > 254:
        raise click.BadParameter("Enter an email address like name@school.org.uk.",
                                 param_hint="EMAIL")
    problem = password_problem(password, email=email, name=name)
    if problem:
        raise click.ClickException(problem)
    if db.session.scalar(select(User).where(User.email == email)):
        raise click.ClickException(f"An account with the email {email} already exists.")
    user = User(name=name, email=email, password_hash=generate_password_hash(password))
    user.set_roles({ADMIN})
    db.session.add(user)
    db.session.commit()
    click.echo(f"Administrator {email} created. Sign in at /login.")


@click.command("seed-bench")
@with_appcontext
@click.option("--schools", default=200, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--staff", default=50, show_default=True, type=click.IntRange(1, 1_000),
              help="People per school.")
@click.option("--seed", default=None, type=int, help="Random seed (default: fixed).")
@click.option("--password", default=None, help="Password for every bench account.")
@click.option("--networks", default=100, show_default=True, type=click.IntRange(0, 10_000),
              help="Networks, each with --meetings meetings of --items agenda items.")
@click.option("--meetings", default=30, show_default=True, type=click.IntRange(1, 1_000))
@click.option("--items", default=10, show_default=True, type=click.IntRange(5, 100))
def seed_bench(schools: int, staff: int, seed: int | None, password: str | None,
               networks: int, meetings: int, items: int) -> None:
    """Fill an EMPTY, separate database with a local-authority-sized partnership for
    benchmarks (point DATABASE_URL at it). Refuses a database that holds any account."""
    import time

    from .seeds import bench as bench_data

    password = password or bench_data.DEFAULT_PASSWORD
    problem = password_problem(password)
    if problem:
        raise click.BadParameter(problem, param_hint="--password")
    started = time.perf_counter()
    try:
        counts = bench_data.seed_bench(
            schools=schools, staff=staff, password=password,
            seed=bench_data.DEFAULT_SEED if seed is None else seed, networks=networks,
            meetings_per_network=meetings, items_per_meeting=items)
    except bench_data.BenchNotEmpty as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        # Statistics now, as after any bulk load: autovacuum would gather them only a minute
        # or so later, and until then the planner guesses at tables of unknown size.
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    seconds = time.perf_counter() - started
    click.echo(f"Bench partnership loaded in {seconds:.1f} s: {counts.schools} schools, "
               f"{counts.users} people, {counts.skill_links} skill links over {counts.skills} "
               f"skills, {counts.profiles} profiles, {counts.offers} offers, "
               f"{counts.qualifications} qualifications.")
    if counts.extra:
        click.echo("Also: " + ", ".join(f"{n:,} {k.replace('_', ' ')}"
                                        for k, n in counts.extra.items()) + ".")
    click.echo(f"Lead login: {counts.lead_email}  password: {password}  "
               f"two-step key: {demo_secret(counts.lead_email)}")


def _report(verb: str, path: str, counts: dict[str, int]) -> None:
    click.echo(f"{verb} {path}: {len(counts)} tables, {sum(counts.values())} rows, checked.")
    for name, n in counts.items():
        click.echo(f"  {name:<32} {n}")


@click.command("backup")
@with_appcontext
@click.argument("destination")
def backup_command(destination: str) -> None:
    """Write a consistent backup to DESTINATION while the site serves, and check it."""
    from .backup import BackupError, backup

    try:
        _report("Backed up to", destination, backup(destination))
    except BackupError as error:
        raise click.ClickException(str(error)) from None


@click.command("restore")
@with_appcontext
@click.argument("source")
@click.option("--replace", is_flag=True, help="Overwrite a database that already holds data.")
def restore_command(source: str, replace: bool) -> None:
    """Load the backup SOURCE into the database, then bring its schema up to date."""
    from .backup import BackupError, restore

    try:
        _report("Restored from", source, restore(source, replace=replace))
    except BackupError as error:
        raise click.ClickException(str(error)) from None


@click.command("apply-retention")
@with_appcontext
@click.option("--dry-run", is_flag=True, help="Say what would be removed, and remove nothing.")
def apply_retention(dry_run: bool) -> None:
    """Apply the retention schedule (EIP_RETENTION_*): erase long-deactivated accounts,
    delete old findings, unmet searches, audit entries, used links and sent mail."""
    from .privacy.retention import run

    rules = run(dry_run=dry_run)
    click.echo("Retention (dry run, nothing removed):" if dry_run else "Retention applied:")
    for rule in rules:
        click.echo(f"  {rule.name:<46} {rule.count}" + (f"  ({rule.skipped})" if rule.skipped
                                                          else ""))


def init_app(app: Flask) -> None:
    app.cli.add_command(apply_retention)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(seed_demo)
    app.cli.add_command(create_admin)
    app.cli.add_command(seed_bench)
    app.cli.add_command(totp_code)
    app.cli.add_command(send_reminders)
    app.cli.add_command(send_mail_command)
    app.cli.add_command(worker)
