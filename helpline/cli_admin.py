"""``helpline centres``, ``users``, ``demo-data`` and ``demo-code``: who and what the line has."""

from __future__ import annotations

import click
from flask.cli import AppGroup, with_appcontext

from helpline.cli_support import centre_named, work
from helpline.runtime import current_runtime

centres = AppGroup("centres", help="Centres and their numbers.")
users = AppGroup("users", help="Staff accounts.")


@centres.command("add")
@click.option("--name", required=True)
@click.option("--region", required=True)
@click.option("--number", "numbers", multiple=True, required=True,
              help="A trust-line number of the centre (repeatable), e.g. +7 7172 55 51 50.")
@click.option("--timezone", default="Asia/Almaty", show_default=True)
@click.option("--languages", default="kk,ru", show_default=True, help="Menu languages, in order.")
@click.option("--max-wait", "max_wait", default=300, show_default=True, type=int,
              help="Longest wait in the queue, in seconds.")
def centres_add(name: str, region: str, numbers: tuple[str, ...], timezone: str, languages: str,
                max_wait: int) -> None:
    """Add a centre with its number(s)."""
    from helpline.services.centres import CentreError, CentreInput, add_centre

    with work(CentreError) as session:
        centre = add_centre(session, CentreInput(
            name=name, region=region, numbers=numbers, timezone=timezone,
            languages=languages.split(","), max_wait_seconds=max_wait,
        ), current_runtime().clock.now())
        said = (f"Added centre {centre.id}: {centre.name} "
                f"({', '.join(line.number for line in centre.lines)})")
    click.echo(said)


@centres.command("list")
def centres_list() -> None:
    """List centres with their numbers, zone and languages."""
    from helpline.services.centres import list_centres

    with work() as session:
        rows = list_centres(session)
        if not rows:
            click.echo("No centres yet: add one with `helpline centres add`.")
        for centre in rows:
            numbers = ", ".join(line.number for line in centre.lines)
            click.echo(f"{centre.id}\t{centre.name}\t{centre.region}\t{numbers}\t"
                       f"{centre.timezone}\t{centre.languages}\tmax wait {centre.max_wait_seconds}s")


@users.command("add")
@click.option("--username", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--role", required=True, type=click.Choice(["psychologist", "supervisor",
                                                           "administrator"]))
@click.option("--centre", "centre", help="Centre id or exact name (not for administrators).")
@click.option("--languages", default="kk,ru", show_default=True)
@click.option("--ui-language", default="kk", show_default=True, type=click.Choice(["kk", "ru", "en"]))
def users_add(username: str, password: str, role: str, centre: str | None, languages: str,
              ui_language: str) -> None:
    """Add a psychologist, supervisor or administrator."""
    from helpline.services.accounts import AccountError, NewUser, create_user

    with work(AccountError) as session:
        centre_id = centre_named(session, centre).id if centre else None
        user = create_user(session, NewUser(username, password, role, centre_id,
                                            languages.split(","), ui_language),
                           current_runtime().clock.now())
        said = f"Added {user.role} {user.username}."
    click.echo(said)


@users.command("list")
def users_list() -> None:
    """List staff accounts."""
    from helpline.services.accounts import list_users

    with work() as session:
        for user in list_users(session):
            centre = user.centre.name if user.centre else "all centres"
            status = "" if user.is_enabled else "\tswitched off"
            click.echo(f"{user.username}\t{user.role}\t{centre}\t{user.languages}{status}")


@click.command("demo-data")
@with_appcontext
def demo_data() -> None:
    """Add the demo centres and numbers (idempotent)."""
    from helpline.services.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, DEMO_USERS, load_demo_data

    rt = current_runtime()
    with work() as session:
        added = load_demo_data(session, rt.clock.now(), notes_key=rt.settings.notes_key)
    click.echo("Demo data: " + (f"added {', '.join(added)}." if added else "already present."))
    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for username, role, centre, languages, _ui in DEMO_USERS:
        click.echo(f"  {username:<18} {role:<13} {centre or 'all centres':<18} {','.join(languages)}")
    click.echo(f"Supervisors and the administrator also enter a two-factor code: add the key "
               f"{DEMO_TOTP_SECRET} to an authenticator app, or run `helpline demo-code`.")


@click.command("demo-code")
@with_appcontext
def demo_code() -> None:
    """Print the current two-factor code of the demo accounts (development only)."""
    import pyotp

    from helpline.services.demo import DEMO_TOTP_SECRET

    rt = current_runtime()
    if rt.settings.is_production:
        raise click.ClickException("demo-code: demo data only, never in production")
    click.echo(pyotp.TOTP(DEMO_TOTP_SECRET).at(rt.clock.now()))


COMMANDS = (centres, users, demo_data, demo_code)
