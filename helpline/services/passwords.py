"""The password policy (OWASP ASVS 2.1): long enough, not a common password, not the username."""

from __future__ import annotations

import secrets
from functools import cache

from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash, generate_password_hash

MIN_LENGTH = 12
MAX_LENGTH = 256
#: A hash to check against when there is no account or the attempt is throttled, so the time an
#: answer takes never tells which.
_DUMMY_HASH = generate_password_hash("not-a-real-password-" + secrets.token_hex(8))


@cache
def _common_passwords() -> frozenset[str]:
    """The 30,000 most used passwords, shipped in zxcvbn's frequency lists."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def problem(password: str, username: str) -> str | None:
    """Why ``password`` is refused for ``username`` (a message for the person, in the language
    of the request it is shown in), or None."""
    if len(password) < MIN_LENGTH:
        return _l("password: at least %(count)s characters", count=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _l("password: at most %(count)s characters", count=MAX_LENGTH)
    lowered = password.lower()
    squeezed = "".join(lowered.split())
    if lowered in _common_passwords() or squeezed in _common_passwords() or len(set(lowered)) < 4:
        return _l("password: too common or too simple; choose a phrase of several words")
    name = username.strip().lower()
    if name and (name in lowered or any(part in lowered for part in _name_parts(name))):
        return _l("password: must not contain the username")
    return None


def _name_parts(username: str) -> list[str]:
    """Parts of a username like ``supervisor.almaty`` that are long enough to matter."""
    for sep in "._-":
        username = username.replace(sep, " ")
    return [part for part in username.split() if len(part) >= 4]


def hash_password(password: str) -> str:
    return generate_password_hash(password)


def check(password_hash: str | None, password: str) -> bool:
    """One hash check, always (against a dummy hash when there is nothing to check)."""
    if password_hash is None:
        check_password_hash(_DUMMY_HASH, password)
        return False
    return check_password_hash(password_hash, password)


def temporary_password() -> str:
    """A random password an administrator hands over; the person must change it at sign-in."""
    return "-".join(secrets.token_hex(3) for _ in range(4))
