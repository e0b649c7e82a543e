"""Two-factor sign-in: TOTP (RFC 6238) from an authenticator app, and one-time recovery codes.

The secret is kept encrypted with the notes key (``NotesCipher``).  A code is accepted in a
window of one 30-second step either side, and never twice: the step of the last accepted code
is kept and only a later one passes (an atomic update, so two requests cannot both use it).
Recovery codes are random, shown once, and kept only as a keyed hash.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp
from sqlalchemy import delete, or_, update
from sqlalchemy.orm import Session

from helpline.models import User
from helpline.models.sign_in import RecoveryCode
from helpline.services.contacts import NotesCipher

ISSUER = "Senim"
STEP_SECONDS = 30
RECOVERY_CODES = 10
_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret, interval=STEP_SECONDS)


def secret_of(user: User, cipher: NotesCipher) -> str:
    return cipher.decrypt(user.totp_secret)


def new_secret() -> str:
    """A fresh random secret for one enrolment (kept with the pending sign-in until confirmed)."""
    return pyotp.random_base32()


def start_enrolment(user: User, cipher: NotesCipher, secret: str | None = None) -> str:
    """Give ``user`` a secret directly (switched on by the caller; used to set up accounts)."""
    secret = secret or new_secret()
    user.totp_secret = cipher.encrypt(secret)
    user.totp_enabled = False
    user.totp_last_step = None
    return secret


def provisioning_uri(user: User, secret: str) -> str:
    return _totp(secret).provisioning_uri(name=user.username, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The provisioning URI as an inline SVG QR code (made here, no network)."""
    import io

    import segno

    out = io.BytesIO()
    segno.make(uri, error="m").save(out, kind="svg", scale=4, border=2, xmldecl=False,
                                   svgns=True, title="QR")
    return out.getvalue().decode()


def _step(now: datetime) -> int:
    return int(now.timestamp()) // STEP_SECONDS


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step (within one of ``now``) whose code ``code`` is, or None.  Only ASCII digits
    count: other scripts' digits pass ``isdigit()`` but are simply a wrong code."""
    code = "".join(code.split())
    if not secret or len(code) != 6 or not (code.isascii() and code.isdigit()):
        return None
    totp = _totp(secret)
    current = _step(now)
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def check_code(session: Session, user: User, code: str, now: datetime, cipher: NotesCipher) -> bool:
    """True if ``code`` is the authenticator's code within one step of ``now`` and later than
    the last one accepted; the step is remembered so it cannot be used again.
    ``UnreadableNotes`` if no configured key opens the stored secret."""
    step = _matching_step(secret_of(user, cipher), code, now)
    if step is None:
        return False
    changed = session.execute(
        update(User).where(User.id == user.id, or_(User.totp_last_step.is_(None),
                                                   User.totp_last_step < step))
        .values(totp_last_step=step).execution_options(synchronize_session=False)).rowcount
    if changed == 1:
        user.totp_last_step = step
        return True
    return False


def confirm_enrolment(session: Session, user: User, secret: str, code: str, now: datetime,
                      cipher: NotesCipher, key: str) -> list[str] | None:
    """Switch two-factor on with ``secret`` (the pending enrolment's, never stored before) if
    ``code`` matches it; returns the recovery codes to show once (None if the code was wrong or
    two-factor was switched on meanwhile)."""
    step = _matching_step(secret, code, now)
    if step is None:
        return None
    changed = session.execute(
        update(User).where(User.id == user.id, User.totp_enabled.is_(False))
        .values(totp_secret=cipher.encrypt(secret), totp_enabled=True, totp_last_step=step)
        .execution_options(synchronize_session=False)).rowcount
    if changed != 1:
        return None
    session.expire(user, ["totp_secret", "totp_enabled", "totp_last_step"])
    return new_recovery_codes(session, user, key)


def _hash(key: str, code: str) -> str:
    normalised = "".join(code.lower().split()).replace("-", "")
    return hmac.new(key.encode(), normalised.encode(), hashlib.sha256).hexdigest()


def new_recovery_codes(session: Session, user: User, key: str) -> list[str]:
    """Replace the user's recovery codes with ``RECOVERY_CODES`` new ones (shown once)."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        session.add(RecoveryCode(user_id=user.id, code_hash=_hash(key, raw)))
    session.flush()
    return codes


def use_recovery_code(session: Session, user: User, code: str, now: datetime, key: str) -> bool:
    """True (and the code is spent) if ``code`` is one of the user's unused recovery codes."""
    changed = session.execute(
        update(RecoveryCode).where(RecoveryCode.user_id == user.id,
                                   RecoveryCode.code_hash == _hash(key, code),
                                   RecoveryCode.used_at.is_(None))
        .values(used_at=now).execution_options(synchronize_session=False)).rowcount
    return changed == 1


def check_second_factor(session: Session, user: User, code: str, now: datetime,
                        cipher: NotesCipher, key: str) -> bool:
    """An authenticator code, or else a recovery code."""
    if check_code(session, user, code, now, cipher):
        return True
    return len("".join(code.split())) > 6 and use_recovery_code(session, user, code, now, key)


def reset(session: Session, user: User) -> None:
    """Switch two-factor off (an administrator's reset): enrolment starts again at sign-in."""
    user.totp_secret = None
    user.totp_enabled = False
    user.totp_last_step = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
