"""``helpline rota`` (the rota from and to spreadsheets, its checks, minimum staffing, the hours
sheet) and ``helpline scheduler`` (the deployment's one active scheduler)."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup

from helpline.cli_support import centre_named, first_of_month, instant, pass_state, work
from helpline.runtime import current_runtime
from helpline.vocabulary import local

rota = AppGroup("rota", help="The on-call rota.")


@rota.command("import")
@click.argument("file", type=click.File("r", encoding="utf-8-sig"))
def rota_import(file) -> None:
    """Import shifts from CSV (centre,username,duty,start,end[,reason]; local times
    YYYY-MM-DD HH:MM; "CSV UTF-8" from Excel is fine). A shift that breaks a working-time rule
    needs a reason. Any bad line: nothing is imported and every bad line is listed."""
    from scheduling.service import RotaError, import_csv

    runtime = current_runtime()
    with work(RotaError, said="nothing imported:\n") as session:
        made = import_csv(session, file.read(), None, runtime.clock.now(), runtime.settings)
    click.echo(f"Imported {len(made)} shifts.")


@rota.command("export")
@click.option("--centre", help="Centre id or name (default: all).")
@click.option("--from", "start", required=True, help="First day, YYYY-MM-DD (UTC+5).")
@click.option("--to", "end", required=True, help="Last day, included.")
def rota_export(centre: str | None, start: str, end: str) -> None:
    """Write the shifts as CSV on stdout (the import format)."""
    from scheduling.service import export_csv

    since, until = instant(start, False), instant(end, True)
    with work() as session:
        found = centre_named(session, centre) if centre else None
        click.echo(export_csv(session, found, since, until), nl=False)


def _range(text: str, top: int, names: dict[str, int] | None = None) -> list[int]:
    """"all", "8-20" (end excluded for hours), "mon-fri", "0,2,4"."""
    names = names or {}
    text = text.strip().lower()
    if text == "all":
        return list(range(top))
    values: list[int] = []
    for part in text.split(","):
        if "-" in part:
            a, b = (names.get(x, None) if x in names else int(x) for x in part.split("-", 1))
            values += list(range(a, b + (1 if names else 0)))
        else:
            values.append(names[part] if part in names else int(part))
    return values


@rota.command("minimum")
@click.option("--centre", required=True, help="Centre id or name.")
@click.option("--days", default="all", show_default=True, help="all, mon-fri, sat,sun or 0-6.")
@click.option("--hours", required=True, help="Local hours, e.g. 8-20 (20 excluded) or all.")
@click.option("--people", required=True, type=int, help="People needed on line duty.")
def rota_minimum(centre: str, days: str, hours: str, people: int) -> None:
    """Set the minimum staffing for hours of the week (defaults: 2 by day, 1 at night)."""
    from scheduling.service import RotaError, set_minimum

    weekday_names = {n: i for i, n in enumerate(["mon", "tue", "wed", "thu", "fri", "sat", "sun"])}
    try:
        weekdays = _range(days, 7, weekday_names)
        hour_list = _range(hours, 24)
    except (ValueError, TypeError) as exc:
        raise click.BadParameter("days like mon-fri or 0,6; hours like 8-20") from exc
    with work(RotaError) as session:
        found = centre_named(session, centre)
        name = found.name
        count = set_minimum(session, found, weekdays, hour_list, people)
    click.echo(f"{name}: {people} on line duty for {count} hours of the week.")


@rota.command("hours")
@click.option("--centre", required=True, help="Centre id or name.")
@click.option("--month", required=True, help="YYYY-MM (in the centre's zone).")
def rota_hours(centre: str, month: str) -> None:
    """The month's hours sheet per person for payroll (total, night, weekend and holiday,
    overtime), as CSV on stdout."""
    from helpline import csvout
    from scheduling import payroll

    first = first_of_month(month)
    with work() as session:
        rows = payroll.monthly_hours(session, centre_named(session, centre), first.year,
                                     first.month, current_runtime().settings)
    writer = csvout.writer(sys.stdout)
    writer.writerow(payroll.COLUMNS)
    for username, sheet in rows:
        writer.writerow(payroll.row(username, sheet))


@rota.command("check")
@click.option("--centre", required=True, help="Centre id or name.")
@click.option("--from", "start", required=True, help="First day, YYYY-MM-DD (UTC+5).")
@click.option("--to", "end", required=True, help="Last day, included.")
def rota_check(centre: str, start: str, end: str) -> None:
    """Print coverage gaps and working-time violations; exit 1 when there are any."""
    from helpline.models import User
    from scheduling.service import check

    since, until = instant(start, False), instant(end, True)
    with work() as session:
        found = centre_named(session, centre)
        result = check(session, found, since, until, current_runtime().settings)
        names = {u.id: u.username for u in session.query(User)}
        fmt = "%Y-%m-%d %H:%M"
        for gap in result.gaps:
            click.echo(f"GAP {gap.duty:<10} {local(gap.start, found).strftime(fmt)} - "
                       f"{local(gap.end, found).strftime(fmt)}  {gap.have}/{gap.need} on duty")
        for v in result.violations:
            click.echo(f"VIOLATION {names.get(v.user_id, v.user_id)}: {v.kind}: {v.detail}")
        click.echo(f"{len(result.gaps)} gaps, {len(result.violations)} violations "
                   f"({found.name}, {start} to {end}, times {found.timezone})")
    if result.gaps or result.violations:
        sys.exit(1)


@click.command("scheduler")
@click.option("--metrics-bind", default="", metavar="HOST:PORT",
              help="Serve this scheduler's /metrics there (to METRICS_ALLOWED addresses).")
@pass_state
def scheduler(state, metrics_bind: str) -> None:
    """Run the deployment's one scheduler (routing clock, shift checks, reminders, coverage
    forecast, retention, monthly reports); its job store is in the database. Start two: the
    one holding the scheduler lock runs the jobs, the other waits and takes over."""
    from scheduling.jobs import JOBS, start_scheduler
    from scheduling.leader import ACTIVE, LOST_LOCK_EXIT, LostLock, lock_for, run_exclusively

    app = state.get_app()
    settings = app.extensions["helpline"].settings
    if metrics_bind:
        from helpline.metrics import serve_in_background

        serve_in_background(metrics_bind, settings.metrics_allowed, app, extra=[ACTIVE])
    click.echo(f"Scheduler: {', '.join(JOBS)}. Ctrl-C to stop.")
    try:   # one active scheduler per deployment: the others wait as standby
        run_exclusively(lock_for(settings), lambda: start_scheduler(app), echo=click.echo)
    except LostLock as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(LOST_LOCK_EXIT)
    except KeyboardInterrupt:
        click.echo("Scheduler stopped.")


def init_app(app: Flask) -> None:
    app.cli.add_command(rota)
    app.cli.add_command(scheduler)
