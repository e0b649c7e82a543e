"""Shared fixtures: a fresh migrated database per test, a fixed clock, a signing carrier."""

from __future__ import annotations

import secrets
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from helpline import create_app
from helpline.clock import FixedClock
from helpline.extensions import db
from helpline.models import Call
from helpline.schema import upgrade
from helpline.services.demo import load_demo_data

pytest_plugins = ["tests.fixtures_redis", "tests.fixtures_backend", "tests.twilio_mock"]

AUTH_TOKEN = "test-auth-token-0123456789abcdef"
BASE_URL = "http://localhost"
ASTANA = "+77172555150"   # demo centre: kk, ru
ALMATY = "+77273555150"   # demo centre: kk, ru, en
START = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def settings_overrides(tmp_path, backend) -> dict[str, object]:
    """Settings of the test's app; on ``HELPLINE_TEST_BACKEND=postgres`` its own PostgreSQL
    database and Redis (``tests/fixtures_backend.py``)."""
    return {
        **backend.overrides,
        "helpline_instance_path": str(tmp_path / "instance"),
        "testing": True,
        "public_base_url": BASE_URL,
        "twilio_auth_token": AUTH_TOKEN,
    }


@pytest.fixture
def publisher():
    """What the test's app publishes console events through: None, the real Socket.IO one; a
    module overrides this fixture with a ``RecordingPublisher`` to read what was sent."""
    return None


@pytest.fixture
def app(settings_overrides, clock, publisher):
    app = create_app(settings_overrides, environ={}, clock=clock, publisher=publisher)
    with app.app_context():
        upgrade(db.engine)
        load_demo_data(db.session, clock.now(), with_users=False)
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def make_app(settings_overrides, clock):
    """``make_app(redis_url=..., ...)``: another app on a fresh migrated database with demo data."""
    from helpline import create_app
    from helpline.extensions import db
    from helpline.schema import upgrade
    from helpline.services.demo import load_demo_data

    made = []

    def make(**overrides):
        app = create_app({**settings_overrides, **overrides}, environ={}, clock=clock)
        with app.app_context():
            upgrade(db.engine)
            load_demo_data(db.session, clock.now(), with_users=False)
            db.session.commit()
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def helpline_cli(app):
    """Run a ``helpline`` command against the test app; returns click's Result."""
    from click.testing import CliRunner

    from helpline.cli import CommandLine, cli

    def invoke(*args: str):
        return CliRunner().invoke(cli, list(args), obj=CommandLine(app), catch_exceptions=False)

    return invoke


def random_mobile() -> str:
    return f"+7705{secrets.randbelow(10**7):07d}"


class TwilioDouble:
    """Posts webhooks to the app exactly as Twilio signs them, and parses the TwiML."""

    def __init__(self, client, token: str = AUTH_TOKEN, base_url: str = BASE_URL) -> None:
        self.client = client
        self.validator = RequestValidator(token)
        self.base_url = base_url

    def post(self, url: str, params: dict[str, str], signature: str | None = None):
        """``url`` absolute (as given in TwiML) or a path; returns the test response."""
        full = url if url.startswith("http") else self.base_url + url
        parts = urlsplit(full)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if signature is None:
            signature = self.validator.compute_signature(full, params)
        return self.client.post(path, data=params, headers={"X-Twilio-Signature": signature})

    def twiml(self, url: str, params: dict[str, str]) -> ET.Element:
        response = self.post(url, params)
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.mimetype == "application/xml"
        return ET.fromstring(response.get_data(as_text=True))  # noqa: S314


class PhoneCall:
    """One caller's call, driven webhook by webhook through the signed carrier."""

    def __init__(self, twilio: TwilioDouble, to: str = ASTANA, caller: str | None = None) -> None:
        self.twilio = twilio
        self.sid = "CA" + secrets.token_hex(16)
        self.params = {
            "AccountSid": "AC" + "0" * 32, "CallSid": self.sid, "From": caller or random_mobile(),
            "To": to, "Direction": "inbound", "CallStatus": "in-progress", "ApiVersion": "2010-04-01",
        }
        self.doc: ET.Element | None = None

    def dial(self) -> ET.Element:
        self.doc = self.twilio.twiml("/ivr/voice", self.params)
        return self.doc

    def press(self, digits: str | None) -> ET.Element:
        """Answer the current Gather (None = let it time out and follow the Redirect)."""
        gather = self.doc.find("Gather")
        assert gather is not None, ET.tostring(self.doc)
        if digits is None:
            url = self.doc.find("Redirect").text
            self.doc = self.twilio.twiml(url, self.params)
        else:
            self.doc = self.twilio.twiml(gather.get("action"), {**self.params, "Digits": digits})
        return self.doc

    @property
    def enqueue(self) -> ET.Element:
        node = self.doc.find("Enqueue")
        assert node is not None, ET.tostring(self.doc)
        return node

    def wait(self) -> ET.Element:
        return self.twilio.twiml(self.enqueue.get("waitUrl"), {**self.params, "QueuePosition": "1"})

    def queue_result(self, result: str) -> ET.Element:
        self.doc = self.twilio.twiml(self.enqueue.get("action"),
                                     {**self.params, "QueueResult": result, "QueueTime": "10"})
        return self.doc

    def completed(self, status: str = "completed") -> ET.Element:
        return self.twilio.twiml("/ivr/status", {**self.params, "CallStatus": status,
                                                 "CallDuration": "30"})


@pytest.fixture
def twilio(client) -> TwilioDouble:
    return TwilioDouble(client)


@pytest.fixture
def phone(twilio):
    def make(to: str = ASTANA, caller: str | None = None) -> PhoneCall:
        return PhoneCall(twilio, to, caller)

    return make


def wait_until(predicate, timeout: float = 10.0) -> bool:
    """Wait for something another thread does (a simulated call, a background carrier request);
    True as soon as ``predicate()`` holds, False if it never did within ``timeout`` seconds."""
    import time

    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.01)
    return True


def spoken(doc: ET.Element) -> list[str]:
    """Texts said by a TwiML document, nested Gathers included, in order."""
    return [node.text or "" for node in doc.iter("Say")]


def played(doc: ET.Element) -> list[str]:
    """Paths of the audio a TwiML document plays, nested Gathers included, in order."""
    return [urlsplit(node.text or "").path for node in doc.iter("Play")]


def write_wav(path, seconds: float = 0.1) -> None:
    """A short silent WAV file (8 kHz mono), as a prompt's audio."""
    import wave

    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(8000)
        audio.writeframes(b"\0\0" * int(8000 * seconds))


@pytest.fixture
def kazakh_prompts(app):
    """Every Kazakh prompt as a built file, where `helpline prompts build` puts them (silent:
    espeak-ng itself is exercised in tests/integration/test_prompts_build.py)."""
    from pathlib import Path

    from ivr.prompts import synth_file_name
    from ivr.synth import variants

    settings = app.extensions["helpline"].settings
    for name, text in variants("kk", settings):
        write_wav(Path(settings.prompts_build_path) / "kk" / synth_file_name(name, text))
    return Path(settings.prompts_build_path) / "kk"


def verbs(doc: ET.Element) -> list[str]:
    return [child.tag for child in doc]


def all_calls(app) -> list[Call]:
    with app.app_context():
        calls = list(db.session.scalars(select(Call).order_by(Call.started_at)))
        db.session.expunge_all()
        return calls


def call_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Call))


PASSWORD = "correct horse battery"


@pytest.fixture
def make_user(app, clock):
    """Create a staff account: ``make_user("aigerim", centre_id=2, languages=("kk", "en"))``."""
    from helpline.services.accounts import NewUser, create_user

    def make(username: str, role: str = "psychologist", centre_id: int | None = 2,
             languages=("kk", "ru", "en"), ui_language: str = "en", two_factor: bool | None = None):
        """Supervisors and administrators come with two-factor sign-in on (``sign_in`` enters
        the code), unless ``two_factor=False``; psychologists without, unless True."""
        from helpline.services import two_factor as totp
        from helpline.services.contacts import NotesCipher

        with app.app_context():
            user = create_user(db.session, NewUser(username, PASSWORD, role, centre_id, languages,
                                                   ui_language), clock.now())
            if two_factor or (two_factor is None and user.needs_two_factor):
                totp.start_enrolment(user, NotesCipher(app.extensions["helpline"].settings.notes_key))
                user.totp_enabled = True
            db.session.commit()
            return user.id

    return make


def csrf_from(html: str) -> str:
    import re

    match = re.search(r'name="csrf-token" content="([^"]+)"', html) or re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def totp_code(app, username: str) -> str:
    """The authenticator's code for ``username`` now (the app's clock), for a time step not used
    yet that the server will still accept when the code arrives: the previous step only while it
    stays valid for 10 s more (a slow browser under load must not cross into a step where it is
    refused), else now or the next step. When those are all used, a fixed clock moves on; a real
    clock is waited for."""
    import pyotp

    from helpline.models import User
    from helpline.services import two_factor
    from helpline.services.contacts import NotesCipher

    with app.app_context():
        rt = app.extensions["helpline"]
        user = db.session.scalar(select(User).where(User.username == username))
        secret = two_factor.secret_of(user, NotesCipher(rt.settings.notes_key))
        last = user.totp_last_step if user.totp_last_step is not None else -1
        db.session.remove()
    period = two_factor.STEP_SECONDS

    def usable() -> list[int]:
        now = rt.clock.now().timestamp()
        step = int(now) // period
        previous_lasts = period - now % period > 10
        return [s for s in ([step - 1] if previous_lasts else []) + [step, step + 1] if s > last]

    if not usable():
        if hasattr(rt.clock, "advance"):
            rt.clock.advance(seconds=period)
        else:
            assert wait_until(lambda: bool(usable()), timeout=period + 1)
    return pyotp.TOTP(secret).generate_otp(usable()[0])


def sign_in(client, username: str, password: str = PASSWORD, lang: str = "en"):
    """Sign in through the pages; the two-factor code step is completed when asked for."""
    token = csrf_from(client.get(f"/login?lang={lang}" if lang else "/login").get_data(as_text=True))
    response = client.post("/login", data={"username": username, "password": password,
                                           "csrf_token": token})
    if response.status_code == 302 and response.location.endswith("/login/code"):
        token = csrf_from(client.get("/login/code").get_data(as_text=True))
        response = client.post("/login/code", data={"code": totp_code(client.application, username),
                                                     "csrf_token": token})
    return response


@pytest.fixture
def staff_client(app):
    """A new, signed-in browser-like client: ``staff_client("aigerim")`` -> (client, csrf headers)."""
    def make(username: str):
        client = app.test_client()
        response = sign_in(client, username)
        assert response.status_code == 302, response.get_data(as_text=True)
        token = csrf_from(client.get("/console").get_data(as_text=True))
        return client, {"X-CSRFToken": token}

    return make
