"""What the app holds besides Flask: settings, clock, live-call store, prompts, the duty roster,
dispatcher, the call's lifecycle and the carrier. Built once by the composition root
(``create_app``) and never changed: a test that needs other parts passes them to ``create_app``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from flask import current_app
from sqlalchemy.orm import Session

from helpline.carrier import Carrier
from helpline.clock import Clock
from helpline.config import Settings
from helpline.live import LiveCallStore
from helpline.roster import DutyRoster
from helpline.services.dispatch import Dispatcher
from helpline.services.lifecycle import CallLifecycle


class PromptSource(Protocol):
    """How each prompt is heard (``ivr.prompts.PromptBook`` implements it)."""

    def prompt(self, language: str, key: str, *, audio: bool = True, **values: object) -> Any: ...

    def audio_file(self, language: str, filename: str) -> Path | None: ...


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    clock: Clock
    live: LiveCallStore
    prompts: PromptSource
    roster: DutyRoster
    dispatcher: Dispatcher
    #: The call's life, driving the carrier's control.
    lifecycle: CallLifecycle
    carrier: Carrier

    @property
    def provider_purge(self):
        """Deletes ended calls' records at the voice provider (the real carrier only)."""
        return self.carrier.purge

    def availability(self, session: Session, centre_id: int | None, now: datetime) -> int:
        """How many psychologists are signed in and working (the IVR's queue limit depends on it)."""
        return self.dispatcher.working_agents(session, centre_id, now)


def current_runtime() -> Runtime:
    return current_app.extensions["helpline"]
