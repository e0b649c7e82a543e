"""The cipher of free text at rest (contact-record notes, request follow-up details).

``NOTES_KEY`` lists one or more Fernet keys, comma separated, newest first: text is encrypted
with the first and read with any of them, so a new key can be put in front, the stored values
re-encrypted under it (``helpline keys rotate``) and the old key removed afterwards.  A value
that no configured key opens is *unreadable*, never silently empty: it is shown as such and never
overwritten by a save.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class UnreadableNotes(ValueError):
    """Stored text that none of the configured keys decrypts."""


def parse_keys(value: str) -> list[bytes]:
    """The keys of a ``NOTES_KEY`` value, newest first; ``ValueError`` names the bad one by place
    (never by its text)."""
    keys = [part.strip() for part in value.split(",") if part.strip()]
    if not keys:
        raise ValueError("NOTES_KEY: no key given")
    for place, key in enumerate(keys, start=1):
        try:
            Fernet(key.encode())
        except (ValueError, TypeError) as exc:
            raise ValueError(f"NOTES_KEY: key {place} of {len(keys)} is not a Fernet key "
                             "(32 url-safe base64-encoded bytes; `helpline keys new` makes one)"
                             ) from exc
    return [key.encode() for key in keys]


def new_key() -> str:
    return Fernet.generate_key().decode()


class NotesCipher:
    """Fernet (AES-128-CBC + HMAC) under the ``NOTES_KEY`` keys: the first encrypts, any reads."""

    def __init__(self, keys: str) -> None:
        fernets = [Fernet(key) for key in parse_keys(keys)]
        self._newest = fernets[0]
        self._any = MultiFernet(fernets)

    def encrypt(self, text: str) -> bytes | None:
        return self._newest.encrypt(text.encode()) if text else None

    def decrypt(self, blob: bytes | None) -> str:
        """The text; ``UnreadableNotes`` when no configured key opens it."""
        if not blob:
            return ""
        try:
            return self._any.decrypt(blob).decode()
        except InvalidToken as exc:
            raise UnreadableNotes("no configured key decrypts this value") from exc

    def read(self, blob: bytes | None) -> str | None:
        """The text, or ``None`` when it is unreadable (for display)."""
        try:
            return self.decrypt(blob)
        except UnreadableNotes:
            return None

    def is_readable(self, blob: bytes | None) -> bool:
        return self.read(blob) is not None

    def is_current(self, blob: bytes) -> bool:
        """Encrypted under the newest key already (rotation leaves it alone)."""
        try:
            self._newest.decrypt(blob)
        except InvalidToken:
            return False
        return True

    def rotate(self, blob: bytes) -> bytes:
        """The same text encrypted under the newest key; ``UnreadableNotes`` if none opens it."""
        try:
            return self._any.rotate(blob)
        except InvalidToken as exc:
            raise UnreadableNotes("no configured key decrypts this value") from exc
