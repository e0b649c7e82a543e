"""The ``helpline`` command: migrate, serve, demo data, centres, register export."""

from __future__ import annotations

import os
import sys
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import click
from flask import Flask

from helpline.config import ConfigError

DISPLAY_ZONE = ZoneInfo("Asia/Almaty")


class _State:
    def __init__(self) -> None:
        self.app: Flask | None = None
        self.overrides: dict[str, object] = {}

    def get_app(self) -> Flask:
        if self.app is None:
            from helpline import create_app

            try:
                self.app = create_app(self.overrides)
            except ConfigError as exc:
                raise click.ClickException(str(exc)) from exc
        return self.app


pass_state = click.make_pass_decorator(_State, ensure=True)


@click.group()
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Senim: the confidential trust line of the Psychological Support Centres."""
    ctx.ensure_object(_State)


# ------------------------------------------------------------------ db


@cli.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
@pass_state
def db_upgrade(state: _State, revision: str) -> None:
    """Migrate the database to the latest schema."""
    from helpline.extensions import db as database
    from helpline.schema import current_revision, upgrade

    app = state.get_app()
    with app.app_context():
        upgrade(database.engine, revision)
        click.echo(f"Database at revision {current_revision(database.engine)}.")


@db.command("current")
@pass_state
def db_current(state: _State) -> None:
    """Show the database's schema revision and the one this code needs."""
    from helpline.extensions import db as database
    from helpline.schema import current_revision, head_revision

    with state.get_app().app_context():
        click.echo(f"database: {current_revision(database.engine)}  code: {head_revision()}")


# ------------------------------------------------------------------ run


@cli.command("run")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@pass_state
def run(state: _State, host: str, port: int) -> None:
    """Serve the app (HTTP and Socket.IO). Refuses to serve an outdated schema."""
    from helpline.extensions import db as database
    from helpline.extensions import socketio
    from helpline.schema import OutdatedSchema, check_schema

    if not os.environ.get("PUBLIC_BASE_URL"):
        shown = "127.0.0.1" if host in {"0.0.0.0", "::"} else host  # noqa: S104
        state.overrides["public_base_url"] = f"http://{shown}:{port}"
    app = state.get_app()
    with app.app_context():
        try:
            check_schema(database.engine)
        except OutdatedSchema as exc:
            raise click.ClickException(str(exc)) from exc
    settings = app.extensions["helpline"].settings
    base = settings.public_base_url
    click.echo(f"Senim is serving on http://{host}:{port} (public URL {base})")
    click.echo(f"  Carrier: {settings.carrier}")
    if "carrier" in app.extensions:
        click.echo(f"  Simulated phone: {base}/simulator")
    click.echo(f"  Twilio voice URL: {base}/ivr/voice   status callback: {base}/ivr/status"
               f"   fallback: {base}/ivr/fallback")
    from scheduling.leader import schedule_in_background

    schedule_in_background(app, echo=click.echo)   # unless a `helpline scheduler` holds the lock
    socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True, use_reloader=False)


# ------------------------------------------------------------------ demo data


@cli.command("demo-data")
@pass_state
def demo_data(state: _State) -> None:
    """Add the demo centres and numbers (idempotent)."""
    from helpline.extensions import db as database
    from helpline.services.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, DEMO_USERS, load_demo_data

    app = state.get_app()
    rt = app.extensions["helpline"]
    with app.app_context():
        added = load_demo_data(database.session, rt.clock.now(), notes_key=rt.settings.notes_key)
        database.session.commit()
    click.echo("Demo data: " + (f"added {', '.join(added)}." if added else "already present."))
    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for username, role, centre, languages, _ui in DEMO_USERS:
        click.echo(f"  {username:<18} {role:<13} {centre or 'all centres':<18} {','.join(languages)}")
    click.echo(f"Supervisors and the administrator also enter a two-factor code: add the key "
               f"{DEMO_TOTP_SECRET} to an authenticator app, or run `helpline demo-code`.")


@cli.command("demo-code")
@pass_state
def demo_code(state: _State) -> None:
    """Print the current two-factor code of the demo accounts (development only)."""
    import pyotp

    from helpline.services.demo import DEMO_TOTP_SECRET

    app = state.get_app()
    rt = app.extensions["helpline"]
    if rt.settings.is_production:
        raise click.ClickException("demo-code: demo data only, never in production")
    click.echo(pyotp.TOTP(DEMO_TOTP_SECRET).at(rt.clock.now()))


# ------------------------------------------------------------------ centres


@cli.group()
def centres() -> None:
    """Centres and their numbers."""


@centres.command("add")
@click.option("--name", required=True)
@click.option("--region", required=True)
@click.option("--number", "numbers", multiple=True, required=True,
              help="A trust-line number of the centre (repeatable), e.g. +7 7172 55 51 50.")
@click.option("--timezone", default="Asia/Almaty", show_default=True)
@click.option("--languages", default="kk,ru", show_default=True, help="Menu languages, in order.")
@click.option("--max-wait", "max_wait", default=300, show_default=True, type=int,
              help="Longest wait in the queue, in seconds.")
@pass_state
def centres_add(state: _State, name: str, region: str, numbers: tuple[str, ...], timezone: str,
                languages: str, max_wait: int) -> None:
    """Add a centre with its number(s)."""
    from helpline.extensions import db as database
    from helpline.services.centres import CentreError, CentreInput, add_centre

    app = state.get_app()
    with app.app_context():
        try:
            centre = add_centre(database.session, CentreInput(
                name=name, region=region, numbers=numbers, timezone=timezone,
                languages=languages.split(","), max_wait_seconds=max_wait,
            ), app.extensions["helpline"].clock.now())
            database.session.commit()
        except CentreError as exc:
            database.session.rollback()
            raise click.ClickException(str(exc)) from exc
        click.echo(f"Added centre {centre.id}: {centre.name} "
                   f"({', '.join(line.number for line in centre.lines)})")


@centres.command("list")
@pass_state
def centres_list(state: _State) -> None:
    """List centres with their numbers, zone and languages."""
    from helpline.extensions import db as database
    from helpline.services.centres import list_centres

    with state.get_app().app_context():
        rows = list_centres(database.session)
        if not rows:
            click.echo("No centres yet: add one with `helpline centres add`.")
        for centre in rows:
            numbers = ", ".join(line.number for line in centre.lines)
            click.echo(f"{centre.id}\t{centre.name}\t{centre.region}\t{numbers}\t"
                       f"{centre.timezone}\t{centre.languages}\tmax wait {centre.max_wait_seconds}s")


# ------------------------------------------------------------------ users


@cli.group()
def users() -> None:
    """Staff accounts."""


@users.command("add")
@click.option("--username", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--role", required=True, type=click.Choice(["psychologist", "supervisor",
                                                           "administrator"]))
@click.option("--centre", "centre", help="Centre id or exact name (not for administrators).")
@click.option("--languages", default="kk,ru", show_default=True)
@click.option("--ui-language", default="kk", show_default=True, type=click.Choice(["kk", "ru", "en"]))
@pass_state
def users_add(state: _State, username: str, password: str, role: str, centre: str | None,
              languages: str, ui_language: str) -> None:
    """Add a psychologist, supervisor or administrator."""
    from sqlalchemy import select

    from helpline.extensions import db as database
    from helpline.models import Centre
    from helpline.services.accounts import AccountError, NewUser, create_user

    app = state.get_app()
    with app.app_context():
        centre_id = None
        if centre:
            found = database.session.scalar(select(Centre).where(
                (Centre.id == int(centre)) if centre.isdigit() else (Centre.name == centre)))
            if found is None:
                raise click.ClickException(f"centre: no centre {centre!r} (see `helpline centres list`)")
            centre_id = found.id
        try:
            user = create_user(database.session, NewUser(username, password, role, centre_id,
                                                         languages.split(","), ui_language),
                               app.extensions["helpline"].clock.now())
            database.session.commit()
        except AccountError as exc:
            database.session.rollback()
            raise click.ClickException(str(exc)) from exc
        click.echo(f"Added {user.role} {user.username}.")


@users.command("list")
@pass_state
def users_list(state: _State) -> None:
    """List staff accounts."""
    from helpline.extensions import db as database
    from helpline.services.accounts import list_users

    with state.get_app().app_context():
        for user in list_users(database.session):
            centre = user.centre.name if user.centre else "all centres"
            status = "" if user.is_enabled else "\tswitched off"
            click.echo(f"{user.username}\t{user.role}\t{centre}\t{user.languages}{status}")


# ------------------------------------------------------------------ calls


def _instant(value: str | None, end_of_day: bool) -> datetime | None:
    """A date (YYYY-MM-DD, in UTC+5) or an ISO datetime (naive = UTC+5) as aware UTC."""
    if not value:
        return None
    try:
        if len(value) == 10:
            day = date.fromisoformat(value) + timedelta(days=1 if end_of_day else 0)
            local = datetime.combine(day, time(0), DISPLAY_ZONE)
        else:
            local = datetime.fromisoformat(value)
            if local.tzinfo is None:
                local = local.replace(tzinfo=DISPLAY_ZONE)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r}: use YYYY-MM-DD or an ISO date-time") from exc
    return local.astimezone(UTC)


@cli.group()
def calls() -> None:
    """The anonymous call register."""


@calls.command("export")
@click.option("--since", help="First day (YYYY-MM-DD, Asia/Almaty) or ISO date-time.")
@click.option("--until", help="Last day, included (YYYY-MM-DD) or ISO date-time, excluded.")
@pass_state
def calls_export(state: _State, since: str | None, until: str | None) -> None:
    """Write the register as CSV on stdout (no caller identity is ever in it)."""
    from helpline.extensions import db as database
    from helpline.services.export import calls_between, write_calls_csv

    start, end = _instant(since, False), _instant(until, True)
    if start and end and end <= start:
        raise click.BadParameter("--until must be after --since")
    from helpline.services import audit

    app = state.get_app()
    with app.app_context():
        count = write_calls_csv(calls_between(database.session, start, end), sys.stdout)
        audit.record(database.session, app.extensions["helpline"].clock.now(), "export.calls",
                     detail=f"command line: {count} calls, {since or '-'} to {until or '-'}")
        database.session.commit()
    click.echo(f"{count} calls exported.", err=True)


# ------------------------------------------------------------------ rota


@cli.group()
def rota() -> None:
    """The on-call rota."""


def _find_centre(session, name_or_id: str):
    from sqlalchemy import select

    from helpline.models import Centre

    centre = session.scalar(select(Centre).where(
        (Centre.id == int(name_or_id)) if name_or_id.isdigit() else (Centre.name == name_or_id)))
    if centre is None:
        raise click.ClickException(f"centre: no centre {name_or_id!r} (see `helpline centres list`)")
    return centre


@rota.command("import")
@click.argument("file", type=click.File("r", encoding="utf-8-sig"))
@pass_state
def rota_import(state: _State, file) -> None:
    """Import shifts from CSV (centre,username,duty,start,end[,reason]; local times
    YYYY-MM-DD HH:MM; "CSV UTF-8" from Excel is fine). A shift that breaks a working-time rule
    needs a reason. Any bad line: nothing is imported and every bad line is listed."""
    from helpline.extensions import db as database
    from scheduling.service import RotaError, import_csv

    app = state.get_app()
    runtime = app.extensions["helpline"]
    with app.app_context():
        try:
            made = import_csv(database.session, file.read(), None, runtime.clock.now(),
                              runtime.settings)
            database.session.commit()
        except RotaError as exc:
            database.session.rollback()
            raise click.ClickException(f"nothing imported:\n{exc}") from exc
    click.echo(f"Imported {len(made)} shifts.")


@rota.command("export")
@click.option("--centre", help="Centre id or name (default: all).")
@click.option("--from", "start", required=True, help="First day, YYYY-MM-DD (UTC+5).")
@click.option("--to", "end", required=True, help="Last day, included.")
@pass_state
def rota_export(state: _State, centre: str | None, start: str, end: str) -> None:
    """Write the shifts as CSV on stdout (the import format)."""
    from helpline.extensions import db as database
    from scheduling.service import export_csv

    since, until = _instant(start, False), _instant(end, True)
    with state.get_app().app_context():
        found = _find_centre(database.session, centre) if centre else None
        click.echo(export_csv(database.session, found, since, until), nl=False)


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
@pass_state
def rota_minimum(state: _State, centre: str, days: str, hours: str, people: int) -> None:
    """Set the minimum staffing for hours of the week (defaults: 2 by day, 1 at night)."""
    from helpline.extensions import db as database
    from scheduling.service import RotaError, set_minimum

    weekday_names = {n: i for i, n in enumerate(["mon", "tue", "wed", "thu", "fri", "sat", "sun"])}
    try:
        weekdays = _range(days, 7, weekday_names)
        hour_list = _range(hours, 24)
    except (ValueError, TypeError) as exc:
        raise click.BadParameter("days like mon-fri or 0,6; hours like 8-20") from exc
    app = state.get_app()
    with app.app_context():
        found = _find_centre(database.session, centre)
        try:
            name = found.name
            count = set_minimum(database.session, found, weekdays, hour_list, people)
            database.session.commit()
        except RotaError as exc:
            database.session.rollback()
            raise click.ClickException(str(exc)) from exc
    click.echo(f"{name}: {people} on line duty for {count} hours of the week.")


@rota.command("hours")
@click.option("--centre", required=True, help="Centre id or name.")
@click.option("--month", required=True, help="YYYY-MM (in the centre's zone).")
@pass_state
def rota_hours(state: _State, centre: str, month: str) -> None:
    """The month's hours sheet per person for payroll (total, night, weekend and holiday,
    overtime), as CSV on stdout."""
    from datetime import timedelta as _td
    from zoneinfo import ZoneInfo

    from helpline import csvout
    from helpline.extensions import db as database
    from helpline.models import User
    from scheduling import rota as rota_rules
    from scheduling import service

    try:
        year, number = (int(part) for part in month.split("-"))
        first = date(year, number, 1)
    except ValueError as exc:
        raise click.BadParameter("--month: YYYY-MM") from exc
    app = state.get_app()
    settings = app.extensions["helpline"].settings
    with app.app_context():
        found = _find_centre(database.session, centre)
        zone = ZoneInfo(found.timezone)
        start = datetime.combine(first, time(0), zone) - _td(days=7)
        end = datetime.combine(first + _td(days=40), time(0), zone)
        shifts = service.current_shifts(database.session, found.id, start, end)
        people = sorted({s.user_id for s in shifts})
        sheets = rota_rules.monthly_sheet(
            service.spans(shifts), service.absences(database.session, people, start, end), year,
            number, zone, service.holidays_from(settings), service.rules_from(settings))
        names = {u.id: u.username for u in database.session.query(User).filter(User.id.in_(people))}
        writer = csvout.writer(sys.stdout)
        writer.writerow(["username", "shifts", "hours", "night_hours", "weekend_holiday_hours",
                         "overtime_hours"])
        for user_id, sheet in sorted(sheets.items(), key=lambda item: names[item[0]]):
            writer.writerow([names[user_id], sheet.shifts, sheet.total, sheet.night,
                             sheet.weekend_holiday, sheet.overtime])


@rota.command("check")
@click.option("--centre", required=True, help="Centre id or name.")
@click.option("--from", "start", required=True, help="First day, YYYY-MM-DD (UTC+5).")
@click.option("--to", "end", required=True, help="Last day, included.")
@pass_state
def rota_check(state: _State, centre: str, start: str, end: str) -> None:
    """Print coverage gaps and working-time violations; exit 1 when there are any."""
    from zoneinfo import ZoneInfo

    from helpline.extensions import db as database
    from helpline.models import User
    from scheduling.service import check

    app = state.get_app()
    since, until = _instant(start, False), _instant(end, True)
    with app.app_context():
        found = _find_centre(database.session, centre)
        result = check(database.session, found, since, until, app.extensions["helpline"].settings)
        zone = ZoneInfo(found.timezone)
        names = {u.id: u.username for u in database.session.query(User)}
        fmt = "%Y-%m-%d %H:%M"
        for gap in result.gaps:
            click.echo(f"GAP {gap.duty:<10} {gap.start.astimezone(zone).strftime(fmt)} - "
                       f"{gap.end.astimezone(zone).strftime(fmt)}  {gap.have}/{gap.need} on duty")
        for v in result.violations:
            click.echo(f"VIOLATION {names.get(v.user_id, v.user_id)}: {v.kind}: {v.detail}")
        click.echo(f"{len(result.gaps)} gaps, {len(result.violations)} violations "
                   f"({found.name}, {start} to {end}, times {found.timezone})")
    if result.gaps or result.violations:
        sys.exit(1)


# ------------------------------------------------------------------ reports


@cli.group()
def reports() -> None:
    """Reports (counts only)."""


@reports.command("monthly")
@click.option("--month", required=True, help="YYYY-MM")
@click.option("--centre", help="Centre id or name (default: all centres).")
@pass_state
def reports_monthly(state: _State, month: str, centre: str | None) -> None:
    """The monthly report to the child-rights authority (rule 22) as CSV, small counts
    suppressed."""
    from helpline.extensions import db as database
    from helpline.services import audit
    from helpline.services.figures import monthly_csv

    try:
        year, number = (int(part) for part in month.split("-"))
        first = date(year, number, 1)
    except ValueError as exc:
        raise click.BadParameter("--month: YYYY-MM") from exc
    app = state.get_app()
    with app.app_context():
        name = _find_centre(database.session, centre).name if centre else None
        click.echo(monthly_csv(database.session, first, name), nl=False)
        audit.record(database.session, app.extensions["helpline"].clock.now(), "report.monthly",
                     detail=f"command line: {month} {name or 'all centres'}")
        database.session.commit()


@reports.command("period")
@click.option("--centre", "centres", multiple=True, help="Centre id or name (repeatable; default all).")
@click.option("--from", "start", required=True, help="First day, YYYY-MM-DD (UTC+5).")
@click.option("--to", "end", required=True, help="Last day, included.")
@click.option("--format", "fmt", type=click.Choice(["csv", "pdf"]), default="csv", show_default=True)
@click.option("--outside", is_flag=True, help="Suppress small counts (for use outside the centre).")
@click.option("--output", type=click.Path(dir_okay=False), help="File to write instead of stdout.")
@pass_state
def reports_period(state: _State, centres: tuple[str, ...], start: str, end: str, fmt: str,
                   outside: bool, output: str | None) -> None:
    """Volumes and performance for a period, as CSV or PDF, on stdout or to --output."""
    from helpline.extensions import db as database
    from helpline.services import audit
    from helpline.services import period_report as period

    since, until = _instant(start, False), _instant(end, True)
    if fmt == "pdf" and not output and sys.stdout.isatty():
        raise click.BadParameter("a PDF is binary: give --output FILE or redirect stdout")
    app = state.get_app()
    with app.app_context():
        ids = [_find_centre(database.session, c).id for c in centres] or None
        report = period.build(database.session, ids, since, until)
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
        audit.record(database.session, app.extensions["helpline"].clock.now(), f"export.report_{fmt}",
                     detail=f"command line: {start} to {end}{' suppressed' if outside else ''}")
        database.session.commit()
    if output:
        click.echo(f"Wrote {output}.", err=True)


# ------------------------------------------------------------------ ivr


@cli.group()
def ivr() -> None:
    """The voice menu."""


@ivr.command("fallback-twiml")
@pass_state
def fallback_twiml(state: _State) -> None:
    """Print the static fallback TwiML (host it anywhere as the number's fallback URL)."""
    from ivr.routes import fallback_document

    app = state.get_app()
    with app.app_context():
        click.echo(fallback_document(app.extensions["helpline"], audio=False))


from helpline.cli_keys import keys  # noqa: E402  (its own module: this one is long enough)
from helpline.cli_prompts import prompts  # noqa: E402

cli.add_command(keys)
cli.add_command(prompts)

from helpline.cli_backup import db_backup, db_restore  # noqa: E402
from helpline.cli_serve import scheduler, serve  # noqa: E402

cli.add_command(serve)
cli.add_command(scheduler)
db.add_command(db_backup)
db.add_command(db_restore)


def main() -> None:
    cli(prog_name="helpline")
