"""What the app holds besides Flask: settings, clock, live-call store, prompts, availability."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy.orm import Session

from helpline.clock import Clock
from helpline.config import Settings
from helpline.live import LiveCallStore
from ivr.prompts import PromptBook

#: ``(session, centre_id, now) -> number of people who may take a call now``.
Availability = Callable[[Session, int | None, datetime], int]


@dataclass
class Runtime:
    settings: Settings
    clock: Clock
    live: LiveCallStore
    prompts: PromptBook
    availability: Availability


def current_runtime() -> Runtime:
    return current_app.extensions["helpline"]
