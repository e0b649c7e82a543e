"""``helpline prompts``: the Kazakh prompts as audio files (Twilio has no Kazakh voice)."""

from __future__ import annotations

import click


@click.group("prompts")
def prompts() -> None:
    """The voice menu's prompts as audio files."""


@prompts.command("build")
@click.option("--key", "keys", multiple=True,
              help="Only this prompt (repeatable), e.g. --key greeting; default: all.")
@click.pass_obj
def prompts_build(state, keys: tuple[str, ...]) -> None:
    """Synthesise every Kazakh prompt and its variants with numbers (espeak-ng, voice kk) into
    PROMPTS_BUILD_PATH. Unchanged prompts are kept; files no prompt uses are removed. A person's
    recording in PROMPTS_RECORDINGS_PATH/kk/<name>.wav is played instead of the built file."""
    from ivr.synth import SynthError, build

    settings = state.get_app().extensions["helpline"].settings
    try:
        report = build(settings, keys)
    except SynthError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Prompts in {settings.prompts_build_path}: {len(report.built)} built, "
               f"{len(report.kept)} unchanged, {len(report.removed)} removed.")
