"""``helpline calls export`` and ``helpline reports``: the register and the figures, each export
written to the audit log."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from helpline.cli_support import centre_named, first_of_month, instant, work
from helpline.runtime import current_runtime

calls = AppGroup("calls", help="The anonymous call register.")
reports = AppGroup("reports", help="Reports (counts only).")


@calls.command("export")
@click.option("--since", help="First day (YYYY-MM-DD, Asia/Almaty) or ISO date-time.")
@click.option("--until", help="Last day, included (YYYY-MM-DD) or ISO date-time, excluded.")
def calls_export(since: str | None, until: str | None) -> None:
    """Write the register as CSV on stdout (no caller identity is ever in it)."""
    from helpline.services import audit
    from helpline.services.export import calls_between, write_calls_csv

    start, end = instant(since, False), instant(until, True)
    if start and end and end <= start:
        raise click.BadParameter("--until must be after --since")
    with work() as session:
        count = write_calls_csv(calls_between(session, start, end), sys.stdout)
        audit.record(session, current_runtime().clock.now(), "export.calls",
                     detail=f"command line: {count} calls, {since or '-'} to {until or '-'}")
    click.echo(f"{count} calls exported.", err=True)


@reports.command("monthly")
@click.option("--month", required=True, help="YYYY-MM")
@click.option("--centre", help="Centre id or name (default: all centres).")
def reports_monthly(month: str, centre: str | None) -> None:
    """The monthly report to the child-rights authority (rule 22) as CSV, small counts
    suppressed."""
    from helpline.services import audit
    from helpline.services.figures import monthly_csv

    first = first_of_month(month)
    with work() as session:
        name = centre_named(session, centre).name if centre else None
        click.echo(monthly_csv(session, first, name), nl=False)
        audit.record(session, current_runtime().clock.now(), "report.monthly",
                     detail=f"command line: {month} {name or 'all centres'}")


@reports.command("period")
@click.option("--centre", "centres", multiple=True, help="Centre id or name (repeatable; default all).")
@click.option("--from", "start", required=True, help="First day, YYYY-MM-DD (UTC+5).")
@click.option("--to", "end", required=True, help="Last day, included.")
@click.option("--format", "fmt", type=click.Choice(["csv", "pdf"]), default="csv", show_default=True)
@click.option("--outside", is_flag=True, help="Suppress small counts (for use outside the centre).")
@click.option("--output", type=click.Path(dir_okay=False), help="File to write instead of stdout.")
def reports_period(centres: tuple[str, ...], start: str, end: str, fmt: str, outside: bool,
                   output: str | None) -> None:
    """Volumes and performance for a period, as CSV or PDF, on stdout or to --output."""
    from helpline.services import audit
    from helpline.services import period_report as period

    since, until = instant(start, False), instant(end, True)
    if fmt == "pdf" and not output and sys.stdout.isatty():
        raise click.BadParameter("a PDF is binary: give --output FILE or redirect stdout")
    with work() as session:
        ids = [centre_named(session, c).id for c in centres] or None
        report = period.build(session, ids, since, until)
        if fmt == "csv":
            text_out = period.to_csv(report, outside)
            if output:
                with open(output, "w", encoding="utf-8") as handle:
                    handle.write(text_out)
            else:
                click.echo(text_out, nl=False)
        elif output:
            with open(output, "wb") as handle:
                handle.write(period.to_pdf(report, outside))
        else:
            sys.stdout.buffer.write(period.to_pdf(report, outside))
            sys.stdout.flush()
        audit.record(session, current_runtime().clock.now(), f"export.report_{fmt}",
                     detail=f"command line: {start} to {end}{' suppressed' if outside else ''}")
    if output:
        click.echo(f"Wrote {output}.", err=True)


COMMANDS = (calls, reports)
