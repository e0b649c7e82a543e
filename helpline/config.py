"""Configuration: one object, read once from the environment, validated at ``create_app``.

Defaults make the whole product run on one machine with no network (SQLite under the
instance folder, the simulated carrier).  Production (``HELPLINE_ENV=production``) refuses to
start without what it needs and says which variable is missing.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

DEFAULT_HELP_NUMBERS = "112,102,103,111,150"


class ConfigError(RuntimeError):
    """Raised when the configuration cannot run the product; the message names the variable."""


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _csv(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


@dataclass(frozen=True)
class Settings:
    """Every setting the product reads. Environment variable = upper-case field name."""

    #: ``development`` (default) or ``production``.
    helpline_env: str = "development"
    #: Folder for the SQLite database, the generated simulated-carrier token and secrets.
    helpline_instance_path: str = ""
    #: SQLAlchemy URL; default SQLite file ``helpline.sqlite3`` in the instance folder.
    database_url: str = ""
    #: Flask secret key (sessions, CSRF). Generated into the instance folder in development.
    secret_key: str = ""
    #: The URL Twilio reaches the app at, used to check webhook signatures behind a proxy.
    public_base_url: str = ""
    #: Twilio credentials; with both set the real carrier is used, else the simulated one.
    twilio_account_sid: str = ""
    twilio_auth_token: str = ""
    #: Redis URL for Socket.IO across processes and for live-call state.
    redis_url: str = ""
    #: Numbers a caller is told when no one can answer, in the order they are said.
    help_numbers: tuple[str, ...] = _csv(DEFAULT_HELP_NUMBERS)
    #: Twilio ``<Say>`` voice per language; its ``<Say language>`` follows from it
    #: (``ivr/voices.py``). Twilio has no Kazakh voice: Kazakh prompts are played from files.
    voice_kk: str = ""
    voice_ru: str = "Polly.Tatyana"
    voice_en: str = "Polly.Joanna"
    #: Synthesised Kazakh prompts (``helpline prompts build``); default ``<instance>/prompts-built``.
    prompts_build_path: str = ""
    #: Recordings by people, which win over synthesised ones; default ``<instance>/prompts``.
    prompts_recordings_path: str = ""
    #: Queue positions built as Kazakh prompts (1..this); a higher one is said in Russian.
    prompts_max_queue_position: int = 30
    #: Seconds a Gather waits for a key, and how many times a menu is offered.
    menu_timeout_seconds: int = 6
    menu_attempts: int = 3
    #: Longest wait in the queue when the centre sets none.
    default_max_wait_seconds: int = 300
    #: Wait in the queue when nobody is signed in and available (someone may be coming back).
    no_agent_wait_seconds: int = 45
    #: Centre (by id) that answers calls to a number no centre owns; empty = first centre.
    default_centre_id: str = ""
    #: Opt-in keyed caller token (see README, "Caller token"); off by default.
    caller_token_enabled: bool = False
    caller_token_secret: str = ""
    #: Seconds a live call's carrier state is kept at most (the call ends sooner).
    live_call_ttl_seconds: int = 4 * 3600
    #: Seconds a call rings one psychologist before it is offered to the next.
    ring_timeout_seconds: int = 20
    #: After the centre's maximum wait, seconds other centres' psychologists may take the call.
    national_backup_seconds: int = 120
    #: Seconds of wrap-up after a call before the psychologist is Available again.
    wrap_up_seconds: int = 60
    #: Centre ids (comma-separated) whose supervisors may not Listen (muted) to calls in progress.
    supervisor_listen_off: tuple[str, ...] = ()
    #: Centre ids (comma-separated) whose supervisors may not Coach (heard by the psychologist only).
    supervisor_coach_off: tuple[str, ...] = ()
    #: A console silent for this long is treated as gone (no offers).
    presence_timeout_seconds: int = 30
    #: Seconds an accepted caller may take to reach the psychologist before going back to the queue.
    bridge_timeout_seconds: int = 30
    #: Seconds a caller waits for a psychologist whose line dropped before the next one is offered.
    agent_rejoin_seconds: int = 45
    #: Seconds without any request from the carrier after which a call is checked with the carrier.
    carrier_silence_seconds: int = 60
    #: Seconds between reconciler passes (lost status callbacks, calls no live state backs).
    reconcile_interval_seconds: int = 30
    #: Milliseconds a webhook waits for a locked database before answering the caller without it.
    ivr_db_timeout_ms: int = 700
    #: Seconds a process keeps its copy of the centres and their numbers before reading them
    #: again (a change made in this process applies at once; 0 reads them on every webhook).
    centre_cache_seconds: int = 5
    #: Idle console sessions expire after this many minutes.
    idle_logout_minutes: int = 30
    #: A sign-in session ends this many hours after sign-in, however active (a night shift and
    #: hand-over); never in the middle of a call.
    session_max_hours: int = 14
    #: Sign-in throttling (no lock): after this many failed attempts for one username (known or
    #: not), each further attempt waits 2, 4, 8 ... seconds, at most SIGN_IN_MAX_DELAY_SECONDS.
    sign_in_free_failures: int = 5
    #: The same for one client address, with a larger allowance (a centre shares one address).
    sign_in_address_free_failures: int = 30
    sign_in_max_delay_seconds: int = 900
    #: Failures are forgotten after this many minutes without one.
    sign_in_window_minutes: int = 60
    #: Minutes between the password and the two-factor code (or enrolment) before starting over.
    two_factor_pending_minutes: int = 5
    #: Fernet keys encrypting notes, follow-up details and two-factor secrets, comma separated,
    #: newest first: the first encrypts, any decrypts (generated in development;
    #: ``helpline keys rotate``).
    notes_key: str = ""
    #: Twilio Voice SDK: API key and secret for access tokens, and the TwiML App for agents.
    twilio_api_key: str = ""
    twilio_api_secret: str = ""
    twilio_twiml_app_sid: str = ""
    #: Twilio's REST API base URL (tests point it at a local stand-in), the timeout of each
    #: request (connect and read, seconds), and the attempts a carrier action gets at most.
    twilio_api_base: str = "https://api.twilio.com"
    twilio_timeout_seconds: int = 3
    twilio_attempts: int = 3
    #: Twilio edge and region for REST requests (e.g. ``frankfurt``, ``ie1``); empty = Twilio's
    #: default (US).  Ignored when TWILIO_API_BASE is not Twilio's.
    twilio_edge: str = ""
    twilio_region: str = ""
    #: Seconds between sweeps that delete ended calls' records at Twilio, and how long a call
    #: must have ended before it is deleted (Twilio refuses a call it has not finalised).
    twilio_purge_interval_seconds: int = 600
    twilio_purge_grace_seconds: int = 300
    #: Minutes the public statistics page serves its stored figures before they are computed
    #: again; the scheduler refreshes last month's this often, so visitors never wait for them.
    stats_refresh_minutes: int = 30
    #: Rota: working-time limits (Labour Code art. 68, 77) and default staffing.
    rota_weekly_norm_hours: int = 40
    rota_max_shift_hours: int = 12
    rota_min_rest_hours: int = 12
    rota_overtime_month_hours: int = 12
    rota_overtime_year_hours: int = 120
    staffing_day_minimum: int = 2
    staffing_night_minimum: int = 1
    staffing_day_start_hour: int = 8
    staffing_day_end_hour: int = 20
    #: Public holidays (YYYY-MM-DD), for payroll sheets and working-day deadlines.
    public_holidays: tuple[str, ...] = _csv(
        # holidays, and the working days that replace those falling on a weekend
        "2026-01-01,2026-01-02,2026-01-07,2026-03-08,2026-03-09,2026-03-21,2026-03-22,2026-03-23,"
        "2026-03-24,2026-03-25,2026-05-01,2026-05-07,2026-05-09,2026-05-11,2026-05-27,2026-07-06,"
        "2026-08-30,2026-08-31,2026-10-25,2026-10-26,2026-12-16")
    #: Minutes before a shift that the person is reminded; minutes after its start that a
    #: person not signed in is reported to the supervisor on call.
    shift_reminder_minutes: int = 60
    shift_start_grace_minutes: int = 5
    #: Days after which contact-record notes and follow-up details are deleted (counts stay).
    notes_retention_days: int = 365
    #: Reverse proxies in front of the app (nginx: 1) whose X-Forwarded-For/-Proto/-Host are
    #: believed; 0 believes none. Sign-in throttling per address needs the real client address.
    trusted_proxy_count: int = 0
    #: Addresses or networks (CIDR, comma separated) allowed to read ``/metrics``; others get 403.
    metrics_allowed: tuple[str, ...] = ("127.0.0.0/8", "::1/128")
    #: Log level of the application.
    log_level: str = "INFO"
    #: True in the test suite only.
    testing: bool = False
    #: Extra, not from the environment: overrides for tests.
    extra: Mapping[str, object] = field(default_factory=dict)

    @property
    def is_production(self) -> bool:
        return self.helpline_env == "production"

    @property
    def carrier(self) -> str:
        """``twilio`` when both Twilio credentials are set, else ``simulated``."""
        if self.twilio_account_sid and self.twilio_auth_token:
            return "twilio"
        return "simulated"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read settings from ``environ`` (the process environment by default)."""
        environ = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for f in fields(cls):
            if f.name == "extra":
                continue
            raw = environ.get(f.name.upper())
            if raw is None or raw == "":
                continue
            default = f.default
            try:
                if isinstance(default, bool):
                    values[f.name] = _bool(raw)
                elif isinstance(default, int):
                    values[f.name] = int(raw)
                elif isinstance(default, tuple):
                    values[f.name] = _csv(raw)
                else:
                    values[f.name] = raw
            except ValueError as exc:
                raise ConfigError(f"{f.name.upper()}: not a valid value ({raw!r})") from exc
        return cls(**values)

    def with_overrides(self, overrides: Mapping[str, object] | None) -> Settings:
        if not overrides:
            return self
        known = {f.name for f in fields(self)}
        direct = {k: v for k, v in overrides.items() if k in known}
        extra = {k: v for k, v in overrides.items() if k not in known}
        return replace(self, **direct, extra={**self.extra, **extra})

    def resolved(self) -> Settings:
        """Fill derived defaults (instance folder, database, secrets) and validate."""
        instance = Path(self.helpline_instance_path or Path.cwd() / "instance").resolve()
        settings = replace(self, helpline_instance_path=str(instance))
        missing = []
        if settings.is_production:
            for name in ("secret_key", "database_url", "twilio_account_sid", "twilio_auth_token"):
                if not getattr(settings, name):
                    missing.append(name.upper())
            if not settings.public_base_url:
                missing.append("PUBLIC_BASE_URL")
            if settings.caller_token_enabled and not settings.caller_token_secret:
                missing.append("CALLER_TOKEN_SECRET")
            for name in ("notes_key", "twilio_api_key", "twilio_api_secret", "twilio_twiml_app_sid",
                         "redis_url"):
                if not getattr(settings, name):
                    missing.append(name.upper())
            if missing:
                raise ConfigError(
                    "Production needs these environment variables: " + ", ".join(missing)
                )
        if settings.helpline_env not in {"development", "production"}:
            raise ConfigError("HELPLINE_ENV must be 'development' or 'production'")
        if not settings.public_base_url:
            settings = replace(settings, public_base_url="http://127.0.0.1:5000")
        if not settings.public_base_url.startswith(("http://", "https://")):
            raise ConfigError("PUBLIC_BASE_URL must start with http:// or https://")
        if settings.menu_attempts < 1 or settings.menu_timeout_seconds < 1:
            raise ConfigError("MENU_ATTEMPTS and MENU_TIMEOUT_SECONDS must be at least 1")
        _check_networks(settings.metrics_allowed)
        if not 0 <= settings.trusted_proxy_count <= 5:
            raise ConfigError("TRUSTED_PROXY_COUNT must be between 0 and 5")
        if settings.twilio_purge_interval_seconds < 1 or settings.twilio_purge_grace_seconds < 0:
            raise ConfigError("TWILIO_PURGE_INTERVAL_SECONDS must be at least 1 and "
                              "TWILIO_PURGE_GRACE_SECONDS at least 0")
        if not 1 <= settings.stats_refresh_minutes <= 1440:
            raise ConfigError("STATS_REFRESH_MINUTES must be between 1 and 1440")
        _check_voices(settings)
        if not 0 <= settings.centre_cache_seconds <= 300:
            raise ConfigError("CENTRE_CACHE_SECONDS must be between 0 and 300")
        if not 1 <= settings.prompts_max_queue_position <= 500:
            raise ConfigError("PROMPTS_MAX_QUEUE_POSITION must be between 1 and 500")
        changes: dict[str, object] = {
            "public_base_url": settings.public_base_url.rstrip("/"),
            "prompts_build_path": str(Path(settings.prompts_build_path or instance / "prompts-built")),
            "prompts_recordings_path": str(Path(settings.prompts_recordings_path
                                                or instance / "prompts")),
        }
        if not settings.database_url:
            changes["database_url"] = f"sqlite:///{instance / 'helpline.sqlite3'}"
        if not settings.secret_key:
            changes["secret_key"] = _instance_secret(instance, "secret_key")
        if settings.carrier == "simulated" and not settings.twilio_auth_token:
            changes["twilio_auth_token"] = _instance_secret(instance, "simulated_auth_token")
        if settings.caller_token_enabled and not settings.caller_token_secret:
            changes["caller_token_secret"] = _instance_secret(instance, "caller_token_secret")
        if not settings.notes_key:
            changes["notes_key"] = _instance_secret(instance, "notes_key", fernet=True)
        _check_notes_keys(str(changes.get("notes_key", settings.notes_key)))
        return replace(settings, **changes)


def _check_voices(settings: Settings) -> None:
    from helpline.voices import voice_problem

    for language, required in (("kk", False), ("ru", True), ("en", True)):
        problem = voice_problem(getattr(settings, f"voice_{language}"), language, required=required)
        if problem:
            raise ConfigError(f"VOICE_{language.upper()}: {problem}")


def _check_networks(values: tuple[str, ...]) -> None:
    from helpline.metrics import parse_networks

    try:
        parse_networks(values)
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc


def _check_notes_keys(value: str) -> None:
    from helpline.services.cipher import parse_keys

    try:
        parse_keys(value)
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc


def _instance_secret(instance: Path, name: str, fernet: bool = False) -> str:
    """A random secret kept in the instance folder so it survives restarts (development)."""
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / name
    if path.exists():
        return path.read_text().strip()
    if fernet:
        from helpline.services.cipher import new_key

        value = new_key()
    else:
        value = secrets.token_hex(32)
    path.write_text(value)
    path.chmod(0o600)
    return value
