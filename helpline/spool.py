"""The register spool: calls the IVR could not register because the database did not answer.

When the database is locked or down, the IVR must still answer the caller at once, and every
call must still reach the register, exactly once, when the database is back. The IVR writes a
``SpoolEntry`` here (a small JSON file per entry, durable before ``write`` returns); a job
later applies the entries to the register (``helpline.services.spooled``) and removes the files
only after that transaction committed.

An entry holds the anonymous register fields only. It refuses anything that looks like a
carrier call id (CallSid) or a phone number outside ``dialled_line`` (the centre's own number),
so the caller's identity cannot reach the disk through the spool.

No Flask and no SQLAlchemy here: writing must work with the database completely unavailable,
in a few milliseconds.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from pathlib import Path

logger = logging.getLogger(__name__)

KINDS = ("register", "close")
#: The register's outcomes (``helpline.models.Outcome``; a test keeps the two equal).
OUTCOMES = (
    "answered", "abandoned_in_menu", "abandoned_in_queue", "no_one_available", "failed", "interrupted",
    "blocked",
)
#: Centre ids are small; anything longer is more likely a number typed into the wrong field.
MAX_CENTRE_ID = 999_999

_FORMAT_VERSION = 1
_CALL_ID = re.compile(r"[0-9a-f]{32}")
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")
_LANGUAGE = re.compile(r"[a-z]{2,8}")
_CALL_SID = re.compile(r"CA[0-9a-fA-F]{32}")
_SUFFIX = ".json"
_TEMP_PREFIX = ".tmp-"
#: Temp files older than this are left-overs of a writer that died mid-write.
_STALE_TEMP_SECONDS = 3600


class CorruptEntry(ValueError):
    """A spool file that is not a valid entry; the message never quotes its content."""


@dataclass(frozen=True)
class SpoolEntry:
    """One register event the database could not take. Anonymous fields only.

    Error messages name the field, never the refused value (they may end up in a log).
    """

    #: "register": the call reached the IVR; "close": the call ended.
    kind: str
    #: The opaque register id (``helpline.services.calls.new_call_id``), 32 lowercase hex.
    call_id: str
    #: When it happened (aware; stored as UTC).
    at: datetime
    #: The centre's number that was dialled (E.164), None if unknown.
    dialled_line: str | None = None
    #: The centre that took the call, when the IVR knew it.
    centre_id: int | None = None
    #: Menu language (kk, ru, en), None if not chosen.
    language: str | None = None
    #: The register outcome (``OUTCOMES``).
    outcome: str = "failed"
    #: When the call reached the IVR (aware; stored as UTC), None if the same as ``at``.
    started_at: datetime | None = None

    def __post_init__(self) -> None:
        for name in ("kind", "call_id", "dialled_line", "language", "outcome"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                raise ValueError(f"spool entry: {name} must be text")
            if value is not None and _CALL_SID.search(value):
                raise ValueError(f"spool entry: {name} holds a carrier call id")
        if self.kind not in KINDS:
            raise ValueError(f"spool entry: kind must be one of {', '.join(KINDS)}")
        if not _CALL_ID.fullmatch(self.call_id):
            raise ValueError("spool entry: call_id must be a register id (32 lowercase hex)")
        if self.dialled_line is not None and not _E164.fullmatch(self.dialled_line):
            raise ValueError("spool entry: dialled_line must be an E.164 number")
        if self.centre_id is not None and (
            isinstance(self.centre_id, bool) or not isinstance(self.centre_id, int)
            or not 0 < self.centre_id <= MAX_CENTRE_ID
        ):
            raise ValueError("spool entry: centre_id must be a centre id")
        if self.language is not None and not _LANGUAGE.fullmatch(self.language):
            raise ValueError("spool entry: language must be a language code")
        if self.outcome not in OUTCOMES:
            raise ValueError(f"spool entry: outcome must be one of {', '.join(OUTCOMES)}")
        object.__setattr__(self, "at", _utc("at", self.at))
        if self.started_at is not None:
            object.__setattr__(self, "started_at", _utc("started_at", self.started_at))


def _encode(entry: SpoolEntry, written_ns: int) -> bytes:
    data: dict[str, object] = {"version": _FORMAT_VERSION, "written_ns": written_ns, **asdict(entry)}
    data["at"] = entry.at.isoformat()
    data["started_at"] = entry.started_at.isoformat() if entry.started_at else None
    return json.dumps(data, separators=(",", ":"), sort_keys=True).encode()


def _decode(raw: bytes) -> tuple[int, SpoolEntry]:
    """(write stamp, entry) of a file's bytes; raises ``CorruptEntry``, never quoting them."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except ValueError:  # UnicodeDecodeError and JSONDecodeError alike
        raise CorruptEntry("not JSON") from None
    names = {field.name for field in fields(SpoolEntry)}
    if not isinstance(data, dict) or set(data) != names | {"version", "written_ns"}:
        raise CorruptEntry("not a spool entry")
    if data.pop("version") != _FORMAT_VERSION:
        raise CorruptEntry("unknown spool format version")
    written_ns = data.pop("written_ns")
    if isinstance(written_ns, bool) or not isinstance(written_ns, int):
        raise CorruptEntry("bad write stamp")
    try:
        for name in ("at", "started_at"):
            if data[name] is not None:
                if not isinstance(data[name], str):
                    raise ValueError(f"spool entry: {name} must be an ISO datetime")
                data[name] = datetime.fromisoformat(data[name])
        return written_ns, SpoolEntry(**data)
    except (TypeError, ValueError) as exc:
        raise CorruptEntry(str(exc) if isinstance(exc, ValueError) else "bad field") from None


_stamp_lock = threading.Lock()
_last_stamp = 0


def _write_stamp() -> int:
    """Wall-clock nanoseconds, strictly increasing within the process: orders the writes."""
    global _last_stamp
    with _stamp_lock:
        _last_stamp = max(time.time_ns(), _last_stamp + 1)
        return _last_stamp


def _utc(name: str, value: object) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"spool entry: {name} must be an aware datetime")
    return value.astimezone(UTC)


class Spool:
    """A folder of spool entries, one small JSON file each, never modified once written.

    Safe for several processes: files appear complete or not at all (written to a temp file in
    the same folder, fsynced, then renamed), and removing a file twice is harmless.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)

    def write(self, entry: SpoolEntry) -> Path:
        """Store ``entry`` durably (fsynced file and folder) before returning; returns its path.

        Raises ``OSError`` if the disk refuses; nothing partial is left under an entry's name.
        """
        body = _encode(entry, _write_stamp())
        name = f"{entry.at.strftime('%Y%m%dT%H%M%S.%fZ')}-{secrets.token_hex(8)}{_SUFFIX}"
        fd, temp = tempfile.mkstemp(prefix=_TEMP_PREFIX, suffix=".part", dir=self.folder)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(body)
                handle.flush()
                os.fsync(handle.fileno())
            target = self.folder / name
            os.replace(temp, target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        self._sync_folder()
        return target

    def pending(self) -> list[tuple[Path, SpoolEntry]]:
        """The entries not yet removed, in write order (within a process exactly; across
        processes by the wall clock, to the nanosecond).

        A file that is not a valid entry is renamed ``<name>.bad`` and logged by name only;
        it never stops the others.
        """
        found: list[tuple[int, str, Path, SpoolEntry]] = []
        for path in self.folder.iterdir():
            if path.name.startswith(_TEMP_PREFIX):
                self._drop_if_stale(path)
                continue
            if path.name.startswith(".") or not path.name.endswith(_SUFFIX):
                continue
            try:
                written_ns, entry = _decode(path.read_bytes())
            except FileNotFoundError:
                continue  # removed meanwhile by another drainer
            except (CorruptEntry, OSError) as exc:
                self._set_aside(path, exc)
                continue
            found.append((written_ns, path.name, path, entry))
        found.sort(key=lambda item: item[:2])
        return [(path, entry) for *_key, path, entry in found]

    def remove(self, path: Path) -> None:
        """Forget an entry whose effect is committed (missing files are fine)."""
        self._check_own(path)
        Path(path).unlink(missing_ok=True)

    def set_aside(self, path: Path) -> None:
        """Rename an entry the register refuses to ``<name>.bad`` (kept for a person to look at)."""
        self._check_own(path)
        self._set_aside(Path(path), None)

    def _check_own(self, path: Path) -> None:
        path = Path(path)
        if path.parent.resolve() != self.folder.resolve() or not path.name.endswith(_SUFFIX):
            raise ValueError("not an entry of this spool")

    def _set_aside(self, path: Path, exc: Exception | None) -> None:
        try:
            path.replace(path.with_name(path.name + ".bad"))
        except FileNotFoundError:
            return
        except OSError:
            logger.exception("Spool file %s is unreadable and could not be set aside", path.name)
            return
        if exc is None:
            return
        # The name is a timestamp and random hex; the content and the error text are not logged.
        logger.error("Spool file %s is not a valid entry (%s); set aside as .bad", path.name,
                     type(exc).__name__)

    def _drop_if_stale(self, path: Path) -> None:
        try:
            if time.time() - path.stat().st_mtime > _STALE_TEMP_SECONDS:
                path.unlink()
        except OSError:
            pass

    def _sync_folder(self) -> None:
        """Make the rename itself durable (POSIX; a no-op where folders cannot be opened)."""
        try:
            fd = os.open(self.folder, os.O_RDONLY)
        except OSError:
            return
        try:
            os.fsync(fd)
        except OSError:
            pass
        finally:
            os.close(fd)
