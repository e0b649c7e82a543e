"""Staff accounts: creation, sign-in with throttling, administration, password changes."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from helpline.models import Centre, Role, User
from helpline.services import passwords, sessions, throttle, two_factor
from helpline.services.centres import KNOWN_LANGUAGES
from helpline.services.throttle import ThrottlePolicy


class AccountError(ValueError):
    """Input that cannot make or change an account; the message says what to fix (in the
    language of the request it is shown in)."""


@dataclass(frozen=True)
class SignInPolicy:
    """The throttling of sign-in and two-factor attempts (from the settings)."""

    #: Key of the HMAC that turns usernames, addresses and account ids into counter keys.
    secret: str
    account: ThrottlePolicy
    address: ThrottlePolicy

    @classmethod
    def from_settings(cls, settings) -> SignInPolicy:
        cap = timedelta(seconds=settings.sign_in_max_delay_seconds)
        window = timedelta(minutes=settings.sign_in_window_minutes)
        return cls(settings.secret_key, ThrottlePolicy(settings.sign_in_free_failures, cap, window),
                   ThrottlePolicy(settings.sign_in_address_free_failures, cap, window))


@dataclass(frozen=True)
class Attempt:
    """One sign-in (or code) attempt, claimed against its counters before anything is checked."""

    account_key: str
    address_key: str
    #: Zero if the attempt may be checked, else how long the person must wait.
    wait: timedelta

    @property
    def throttled(self) -> bool:
        return self.wait > timedelta(0)


@dataclass(frozen=True)
class SignInResult:
    """The user, or why not; ``user_id`` names the account refused (for the audit log) if the
    username exists."""

    user: User | None
    user_id: int | None
    throttled: bool = False


def normalise_username(username: str) -> str:
    return username.strip().lower()


def begin_attempt(session: Session, kind: str, subject: str, address: str, now: datetime,
                  policy: SignInPolicy) -> Attempt:
    """Count an attempt for ``subject`` (a username, or ``code`` + account id) and the client
    address, first; the caller commits this before checking anything (so it is never lost)."""
    account_key = throttle.key_for(policy.secret, kind, subject)
    address_key = throttle.key_for(policy.secret, "address", address or "-")
    # a refused attempt counts against neither key: look at both before claiming either
    wait = max(throttle.waiting(session, address_key, policy.address, now),
               throttle.waiting(session, account_key, policy.account, now))
    if not wait:
        wait = throttle.claim(session, address_key, policy.address, now)
    if not wait:
        wait = throttle.claim(session, account_key, policy.account, now)
    return Attempt(account_key, address_key, wait)


def succeeded(session: Session, attempt: Attempt) -> None:
    """The attempt was right: the account's counter starts afresh, the address gets it back."""
    throttle.forget(session, attempt.account_key)
    throttle.refund(session, attempt.address_key)


def start_sign_in(session: Session, username: str, address: str, now: datetime,
                  policy: SignInPolicy, devices: Mapping[int, str] | None = None) -> Attempt:
    """Count a password attempt.  ``devices``: the known-device nonces the browser presented, by
    account id.  From a browser known to this account the attempt is counted against that
    device's own counter instead of the account's, so failures from elsewhere (an attacker
    keeping the account's delay up) never keep its owner out; the address is counted as ever."""
    name = normalise_username(username)
    user_id = session.scalar(select(User.id).where(User.username == name))
    nonce = (devices or {}).get(user_id) if user_id is not None else None
    if nonce:
        return begin_attempt(session, "device", f"{user_id}:{nonce}", address, now, policy)
    return begin_attempt(session, "account", name, address, now, policy)


def check_sign_in(session: Session, attempt: Attempt, username: str, password: str) -> SignInResult:
    """Check the password of a claimed attempt. Exactly one password hash is checked whatever
    happens (throttled, unknown username, disabled account), so timing tells nothing."""
    user = session.scalar(select(User).where(User.username == normalise_username(username)))
    user_id = user.id if user is not None else None
    if attempt.throttled:
        passwords.check(None, password)
        return SignInResult(None, user_id, throttled=True)
    right = passwords.check(user.password_hash if user is not None else None, password)
    if not right or not user.is_enabled:
        return SignInResult(None, user_id)
    succeeded(session, attempt)
    return SignInResult(user, user_id)


@dataclass(frozen=True)
class NewUser:
    username: str
    password: str
    role: str
    centre_id: int | None
    languages: Sequence[str] = ("kk", "ru")
    ui_language: str = "kk"


def create_user(session: Session, data: NewUser, now: datetime) -> User:
    username = data.username.strip().lower()
    if not username or len(username) > 64 or not username.replace(".", "").replace("_", "").replace(
            "-", "").isalnum():
        raise AccountError(_l("username: letters, digits, '.', '_' or '-' (at most 64)"))
    refused = passwords.problem(data.password, username)
    if refused:
        raise AccountError(refused)
    languages = _check_profile(session, data.role, data.centre_id, data.languages, data.ui_language)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise AccountError(_l("username: %(name)s is taken", name=repr(username)))
    user = User(
        public_id=secrets.token_hex(16), username=username,
        password_hash=passwords.hash_password(data.password), role=data.role,
        centre_id=data.centre_id, languages=",".join(dict.fromkeys(languages)),
        ui_language=data.ui_language, is_enabled=True, must_change_password=False,
        totp_enabled=False, created_at=now,
    )
    session.add(user)
    session.flush()
    return user


def _check_profile(session: Session, role: str, centre_id: int | None, languages: Sequence[str],
                   ui_language: str) -> list[str]:
    if role not in {r.value for r in Role}:
        raise AccountError(_l("role: psychologist, supervisor or administrator"))
    chosen = [code.strip() for code in languages if code.strip()]
    if not chosen or any(code not in KNOWN_LANGUAGES for code in chosen):
        raise AccountError(_l("languages: choose from %(codes)s", codes=", ".join(KNOWN_LANGUAGES)))
    if ui_language not in KNOWN_LANGUAGES:
        raise AccountError(_l("interface language: kk, ru or en"))
    if role != Role.ADMINISTRATOR and centre_id is None:
        raise AccountError(_l("centre: required for psychologists and supervisors"))
    if centre_id is not None and session.get(Centre, centre_id) is None:
        raise AccountError(_l("centre: no centre with id %(id)s", id=centre_id))
    return chosen


def list_users(session: Session, centre_id: int | None = None) -> list[User]:
    query = select(User).order_by(User.centre_id, User.username)
    if centre_id is not None:
        query = query.where(User.centre_id == centre_id)
    return list(session.scalars(query))


def set_enabled(session: Session, user: User, enabled: bool, now: datetime) -> None:
    """Switch an account on or off; switched off, its sessions end and its consoles close now."""
    user.is_enabled = enabled
    if not enabled:
        revoke_sessions(session, user.id, now, "account switched off")


def set_ui_language(user: User, language: str) -> None:
    if language not in KNOWN_LANGUAGES:
        raise AccountError(_l("interface language: kk, ru or en"))
    user.ui_language = language


@dataclass(frozen=True)
class Profile:
    """What an administrator may change about an account."""

    role: str
    centre_id: int | None
    languages: Sequence[str]
    ui_language: str


def update_profile(session: Session, user: User, data: Profile, now: datetime) -> bool:
    """Save the profile.  A new role or centre ends all the person's sessions (their consoles
    close and leave the old centre's rooms): rights change only through a new sign-in, which asks
    for two-factor enrolment if the new role needs it.  Returns whether sessions were ended."""
    languages = _check_profile(session, data.role, data.centre_id, data.languages, data.ui_language)
    moved = (data.role, data.centre_id) != (user.role, user.centre_id)
    if moved:
        revoke_sessions(session, user.id, now, "role or centre changed")
    user.role = data.role
    user.centre_id = data.centre_id
    user.languages = ",".join(dict.fromkeys(languages))
    user.ui_language = data.ui_language
    return moved


def revoke_sessions(session: Session, user_id: int, now: datetime, reason: str) -> int:
    """End every signed-in session of the user (their open consoles are closed) and every
    half-finished sign-in (the security stamp moves on); returns how many sessions ended."""
    raise_stamp(session, user_id)
    return sessions.end_all_for_user(session, user_id, now, reason)


def _move_stamp(session: Session, user_id: int, expected: int | None) -> bool:
    query = update(User).where(User.id == user_id)
    if expected is not None:
        query = query.where(User.security_stamp == expected)
    changed = session.execute(query.values(security_stamp=User.security_stamp + 1)
                              .execution_options(synchronize_session=False)).rowcount
    user = session.get(User, user_id)          # from the identity map: read the new value afresh
    if user is not None:
        session.expire(user, ["security_stamp"])
    return changed == 1


def raise_stamp(session: Session, user_id: int) -> None:
    """Every half-finished sign-in of the person (pending state in some browser) stops working."""
    _move_stamp(session, user_id, None)


def consume_stamp(session: Session, user_id: int, stamp: object) -> bool:
    """A pending sign-in completes: True once for its ``stamp`` (atomic), False if the stamp moved
    meanwhile (revoked, password changed, completed already: a replayed copy)."""
    return isinstance(stamp, int) and _move_stamp(session, user_id, stamp)


def reset_two_factor(session: Session, user: User) -> None:
    """An administrator's reset: enrolment starts again at sign-in; half-finished sign-ins end."""
    two_factor.reset(session, user)
    raise_stamp(session, user.id)


def reset_password(session: Session, user: User, now: datetime) -> str:
    """A temporary password (returned to be shown once); the person must choose a new one at
    the next sign-in. Their sessions are ended where sessions are kept server-side."""
    temporary = passwords.temporary_password()
    user.password_hash = passwords.hash_password(temporary)
    user.must_change_password = True
    revoke_sessions(session, user.id, now, "password reset")
    return temporary


def change_password(session: Session, user: User, old: str | None, new: str, now: datetime) -> None:
    """The person's own change: the old password (None on the forced change right after signing
    in with it), the policy, and the person's other sessions are ended."""
    if old is not None and not passwords.check(user.password_hash, old):
        raise AccountError(_l("current password: wrong"))
    refused = passwords.problem(new, user.username)
    if refused:
        raise AccountError(refused)
    if passwords.check(user.password_hash, new):
        raise AccountError(_l("password: choose a new one, not the current one"))
    user.password_hash = passwords.hash_password(new)
    user.must_change_password = False
    revoke_sessions(session, user.id, now, "password changed")


def revoke_calendar(user: User) -> None:
    """The person's calendar feed URL stops working (a new one is made when asked for)."""
    user.calendar_token = None
