"""``helpline ivr`` and ``helpline prompts``: the voice menu's fallback document, and the Kazakh
prompts as audio files (Twilio has no Kazakh voice)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from helpline.runtime import current_runtime

ivr = AppGroup("ivr", help="The voice menu.")
prompts = AppGroup("prompts", help="The voice menu's prompts as audio files.")


@ivr.command("fallback-twiml")
def fallback_twiml() -> None:
    """Print the static fallback TwiML (host it anywhere as the number's fallback URL)."""
    from ivr.routes import fallback_document

    click.echo(fallback_document(current_runtime(), audio=False))


@prompts.command("build")
@click.option("--key", "keys", multiple=True,
              help="Only this prompt (repeatable), e.g. --key greeting; default: all.")
def prompts_build(keys: tuple[str, ...]) -> None:
    """Synthesise every Kazakh prompt and its variants with numbers (espeak-ng, voice kk) into
    PROMPTS_BUILD_PATH. Unchanged prompts are kept; files no prompt uses are removed. A person's
    recording in PROMPTS_RECORDINGS_PATH/kk/<name>.wav is played instead of the built file."""
    from ivr.synth import SynthError, build

    settings = current_runtime().settings
    try:
        report = build(settings, keys)
    except SynthError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Prompts in {settings.prompts_build_path}: {len(report.built)} built, "
               f"{len(report.kept)} unchanged, {len(report.removed)} removed.")


def init_app(app: Flask) -> None:
    app.cli.add_command(ivr)
    app.cli.add_command(prompts)
