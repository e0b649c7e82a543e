"""Staff accounts: psychologists, supervisors, administrators."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpline.extensions import db
from helpline.models.centre import Centre
from helpline.orm import CentreRef, SurrogateKey, code_list, one_of


class Role(enum.StrEnum):
    PSYCHOLOGIST = "psychologist"
    SUPERVISOR = "supervisor"
    ADMINISTRATOR = "administrator"


class User(UserMixin, db.Model):
    __tablename__ = "users"
    repr_attributes = ("role",)
    __table_args__ = (
        one_of("role", Role),
        CheckConstraint("role = 'administrator' OR centre_id IS NOT NULL", name="staff_have_centre"),
        one_of("ui_language", ("kk", "ru", "en")),
    )

    id: Mapped[SurrogateKey]
    #: Opaque identity given to the voice carrier (never the username).
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    #: Sign-in name.
    username: Mapped[str] = mapped_column(String(64), unique=True)
    #: scrypt hash (werkzeug.security).
    password_hash: Mapped[str] = mapped_column(String(256))
    #: psychologist, supervisor or administrator.
    role: Mapped[str] = mapped_column(String(16))
    #: Centre the person works at; administrators may have none (they see all centres).
    centre_id: Mapped[CentreRef | None] = mapped_column(index=True)
    #: Languages the person can take calls in, comma separated (kk,ru,en).
    languages: Mapped[str] = mapped_column(String(32), default="kk,ru")
    #: Interface language.
    ui_language: Mapped[str] = mapped_column(String(8), default="kk")
    #: False when the account is switched off (it is never deleted: the register refers to it).
    is_enabled: Mapped[bool] = mapped_column(default=True)
    #: True after an administrator's reset: the next sign-in asks for a new password first.
    must_change_password: Mapped[bool] = mapped_column(default=False)
    #: Two-factor (TOTP) secret, encrypted with NOTES_KEY; NULL until enrolment starts.
    totp_secret: Mapped[bytes | None] = mapped_column(LargeBinary)
    #: True once a code confirmed the secret: sign-in then asks for a code.
    totp_enabled: Mapped[bool] = mapped_column(default=False)
    #: Time step (30 s) of the last code accepted: a code is never accepted twice.
    totp_last_step: Mapped[int | None] = mapped_column()
    #: Raised by every change that must end a half-finished sign-in (sessions revoked, password
    #: changed or reset, two-factor reset, account switched off, a sign-in completed).
    security_stamp: Mapped[int] = mapped_column(default=0, server_default="0")
    #: Secret for the person's calendar feed URL (shifts only); NULL until first asked for.
    calendar_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: When the account was made (UTC).
    created_at: Mapped[datetime]

    centre: Mapped[Centre | None] = relationship()

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.is_enabled

    language_list = code_list("languages")

    @property
    def is_supervisor(self) -> bool:
        return self.role in (Role.SUPERVISOR, Role.ADMINISTRATOR)

    @property
    def needs_two_factor(self) -> bool:
        """Supervisors and administrators must sign in with a second factor."""
        return self.role in (Role.SUPERVISOR, Role.ADMINISTRATOR)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMINISTRATOR
