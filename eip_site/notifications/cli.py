"""`flask send-reminders`: run daily from cron (docs/deploy.md)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..clock import to_london, utcnow


@click.command("send-reminders")
@with_appcontext
def send_reminders() -> None:
    """Send due reminders and the daily digests. Each reminder goes once: running it twice
    sends nothing more."""
    from .reminders import send_reminders as run

    now = utcnow()
    counts = run(to_london(now).date(), now)
    click.echo(f"Reminders: {counts['sent']} emailed, {counts['digest']} added to digests, "
               f"{counts['off']} not wanted, {counts['already']} sent before. "
               f"Digests: {counts['digests']} emailed.")


@click.command("send-mail")
@with_appcontext
@click.option("--once", is_flag=True, help="Send what is due now and exit (cron, tests).")
def send_mail_command(once: bool) -> None:
    """Send the outbox's due messages; without --once, keep sending (as `flask worker`)."""
    from ..outbox import send_due

    if not once:
        return worker.callback()
    counts = send_due()
    click.echo(f"Mail: {counts['sent']} sent, {counts['retry']} to try again, "
               f"{counts['failed']} failed.")


@click.command("worker")
@with_appcontext
def worker() -> None:
    """Run beside the web server: send the outbox's mail as it is queued, at
    EIP_REMINDERS_HOUR (London time) each day run send-reminders, and at EIP_RETENTION_HOUR
    apply the retention schedule."""
    from flask import current_app

    from ..outbox import run_worker
    from ..privacy import retention
    from .reminders import scheduled_reminders
    from .services import daily

    config = current_app.config
    reminders_due = scheduled_reminders(config["REMINDERS_HOUR"])
    retention_due = daily(config["RETENTION_HOUR"], retention.run)

    click.echo(f"Mail worker started: looking for mail every {config['MAIL_POLL_SECONDS']} s"
               + ("" if not config["SMTP_HOST"] else f", sending through {config['SMTP_HOST']}")
               + ". Ctrl+C to stop.")
    try:
        run_worker(config["MAIL_POLL_SECONDS"],
                   tick=lambda: (reminders_due(), retention_due()))
    except KeyboardInterrupt:
        click.echo("Mail worker stopped.")
