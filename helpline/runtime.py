"""What the app holds besides Flask: settings, clock, live-call store, prompts, availability."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy.orm import Session

from helpline.clock import Clock
from helpline.config import Settings
from helpline.live import LiveCallStore
from helpline.services.dispatch import Dispatcher
from helpline.services.lifecycle import CallLifecycle
from ivr.prompts import PromptBook


@dataclass
class Runtime:
    settings: Settings
    clock: Clock
    live: LiveCallStore
    prompts: PromptBook
    dispatcher: Dispatcher
    #: The call's life (built once the carrier control exists).
    lifecycle: CallLifecycle | None = None
    #: Deletes ended calls' records at the voice provider (the real carrier only).
    provider_purge: object | None = None

    def availability(self, session: Session, centre_id: int | None, now: datetime) -> int:
        """How many psychologists are signed in and working (the IVR's queue limit depends on it)."""
        return self.dispatcher.working_agents(session, centre_id, now)


def current_runtime() -> Runtime:
    return current_app.extensions["helpline"]
