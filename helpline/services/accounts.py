"""Staff accounts: creation, sign-in with throttling, enabling and disabling."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from helpline.models import Centre, Role, User
from helpline.services.centres import KNOWN_LANGUAGES

MIN_PASSWORD_LENGTH = 10
#: A hash to check against when the user does not exist, so timing does not tell.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


class AccountError(ValueError):
    """Input that cannot make or change an account; the message says what to fix."""


class SignInRefused(Exception):
    """Sign-in failed; the message is safe to show (it never says which part was wrong)."""

    def __init__(self, message: str, locked: bool = False) -> None:
        super().__init__(message)
        self.locked = locked


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
        raise AccountError("username: letters, digits, '.', '_' or '-' (at most 64)")
    if len(data.password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"password: at least {MIN_PASSWORD_LENGTH} characters")
    if data.role not in {r.value for r in Role}:
        raise AccountError("role: psychologist, supervisor or administrator")
    languages = [code.strip() for code in data.languages if code.strip()]
    if not languages or any(code not in KNOWN_LANGUAGES for code in languages):
        raise AccountError(f"languages: choose from {', '.join(KNOWN_LANGUAGES)}")
    if data.ui_language not in KNOWN_LANGUAGES:
        raise AccountError("interface language: kk, ru or en")
    if data.role != Role.ADMINISTRATOR and data.centre_id is None:
        raise AccountError("centre: required for psychologists and supervisors")
    if data.centre_id is not None and session.get(Centre, data.centre_id) is None:
        raise AccountError(f"centre: no centre with id {data.centre_id}")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise AccountError(f"username: {username!r} is taken")
    user = User(
        public_id=secrets.token_hex(16), username=username,
        password_hash=generate_password_hash(data.password), role=data.role,
        centre_id=data.centre_id, languages=",".join(dict.fromkeys(languages)),
        ui_language=data.ui_language, is_enabled=True, failed_logins=0, created_at=now,
    )
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, username: str, password: str, now: datetime,
                 max_failures: int, lock_minutes: int) -> User:
    """The user if the password is right; after ``max_failures`` in a row, locked for a while."""
    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        raise SignInRefused("Wrong username or password.")
    if user.locked_until is not None and user.locked_until > now:
        minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
        raise SignInRefused(f"Too many failed attempts. Try again in {minutes} min.", locked=True)
    if not check_password_hash(user.password_hash, password) or not user.is_enabled:
        user.failed_logins += 1
        if user.failed_logins >= max_failures:
            user.locked_until = now + timedelta(minutes=lock_minutes)
            user.failed_logins = 0
        raise SignInRefused("Wrong username or password.")
    user.failed_logins = 0
    user.locked_until = None
    return user


def list_users(session: Session, centre_id: int | None = None) -> list[User]:
    query = select(User).order_by(User.centre_id, User.username)
    if centre_id is not None:
        query = query.where(User.centre_id == centre_id)
    return list(session.scalars(query))


def set_enabled(user: User, enabled: bool) -> None:
    user.is_enabled = enabled


def set_ui_language(user: User, language: str) -> None:
    if language not in KNOWN_LANGUAGES:
        raise AccountError("interface language: kk, ru or en")
    user.ui_language = language
