"""The register spool: calls written while the database is away reach the register exactly once."""

from __future__ import annotations

import logging
import secrets
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

from helpline.extensions import db
from helpline.models import Call, CallState, Outcome
from helpline.phone import try_normalise
from helpline.services import calls as register
from helpline.services import spooled
from helpline.services.centres import centre_for_number
from helpline.spool import OUTCOMES, Spool, SpoolEntry
from tests.conftest import ALMATY, ASTANA

CALLER = "+77059876543"


@pytest.fixture
def spool(tmp_path) -> Spool:
    return Spool(tmp_path / "spool")


def _entry(at: datetime, **fields) -> SpoolEntry:
    data = {"kind": "register", "call_id": register.new_call_id(), "at": at, "outcome": "failed"}
    return SpoolEntry(**{**data, **fields})


def test_an_entry_survives_its_file(spool):
    at = datetime(2026, 3, 2, 15, 0, tzinfo=timezone(timedelta(hours=5)))
    entry = _entry(at, dialled_line=ASTANA, centre_id=1, language="kk", started_at=at)
    spool.write(entry)
    [(_path, read)] = spool.pending()
    assert read == entry and read.at.tzinfo == UTC and read.at == at


def test_pending_keeps_the_write_order_of_entries_at_the_same_instant(spool):
    at = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    written = [_entry(at, kind=("register", "close")[n % 2]) for n in range(20)]
    for entry in written:
        spool.write(entry)
    assert [entry for _path, entry in spool.pending()] == written


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Call))


def _files(spool: Spool) -> list[str]:
    return sorted(path.name for path in spool.folder.iterdir())


def test_outcomes_match_the_register():
    assert set(OUTCOMES) == {outcome.value for outcome in Outcome}


def test_written_entries_make_exactly_one_row_each(app, clock, spool):
    now = clock.now()
    with app.app_context():
        astana = centre_for_number(db.session, ASTANA)
        almaty = centre_for_number(db.session, ALMATY)
        before = _count()
        by_id = _entry(now, centre_id=astana.id, dialled_line=ASTANA, language="kk",
                       started_at=now - timedelta(seconds=40))
        by_number = _entry(now + timedelta(seconds=1), dialled_line=ALMATY)
        nowhere = _entry(now + timedelta(seconds=2), outcome="abandoned_in_menu")
        for entry in (by_id, by_number, nowhere):
            spool.write(entry)
        assert [entry.call_id for _path, entry in spool.pending()] == [
            by_id.call_id, by_number.call_id, nowhere.call_id]

        assert spooled.drain(db.session, spool, now + timedelta(minutes=5)) == 3

        assert _count() == before + 3
        assert spool.pending() == [] and _files(spool) == []
        first = db.session.get(Call, by_id.call_id)
        assert (first.centre_id, first.dialled_line, first.language) == (astana.id, ASTANA, "kk")
        assert (first.state, first.outcome) == (CallState.ENDED.value, Outcome.FAILED.value)
        assert (first.started_at, first.ended_at) == (now - timedelta(seconds=40), now)
        second = db.session.get(Call, by_number.call_id)
        assert second.centre_id == almaty.id and second.started_at == second.ended_at
        third = db.session.get(Call, nowhere.call_id)
        assert third.centre_id is None and third.outcome == "abandoned_in_menu"


def test_draining_twice_is_a_no_op(app, clock, spool):
    with app.app_context():
        spool.write(_entry(clock.now(), dialled_line=ASTANA))
        assert spooled.drain(db.session, spool, clock.now()) == 1
        count = _count()
        assert spooled.drain(db.session, spool, clock.now()) == 0
        assert _count() == count


def test_a_crash_between_commit_and_removal_makes_no_duplicate(app, clock, spool):
    with app.app_context():
        before = _count()
        entry = _entry(clock.now(), dialled_line=ASTANA)
        spool.write(entry)
        spool.write(entry)          # the same event twice (a retried webhook)
        applied = spooled.apply(db.session, spool)
        db.session.commit()         # ... and the process dies before removing the files
        assert len(applied) == 2 and len(spool.pending()) == 2

        assert spooled.drain(db.session, spool, clock.now()) == 2
        assert _count() == before + 1
        assert spool.pending() == []


def test_database_refusing_keeps_the_files(app, clock, spool, backend):
    """Drain while another process holds the database: nothing lost, then drained later."""
    with app.app_context():
        entry = _entry(clock.now(), dialled_line=ASTANA)
        spool.write(entry)
        short_wait = ("SET lock_timeout = 50" if db.engine.dialect.name == "postgresql"
                      else "PRAGMA busy_timeout=50")
        db.session.execute(text(short_wait))      # for this transaction
        with backend.locked(Path(app.instance_path)):
            with pytest.raises(OperationalError):
                spooled.drain(db.session, spool, clock.now())
            assert [e for _path, e in spool.pending()] == [entry]
        assert spooled.drain(db.session, spool, clock.now()) == 1
        assert db.session.get(Call, entry.call_id) is not None


def test_a_close_ends_a_call_in_the_menu_as_failed(app, clock, spool):
    with app.app_context():
        centre = centre_for_number(db.session, ASTANA)
        call = register.register_call(db.session, centre=centre, dialled_line=ASTANA, now=clock.now())
        call.language = "ru"
        db.session.commit()
        count = _count()
        ended = clock.advance(seconds=25)
        spool.write(_entry(ended, kind="close", call_id=call.id, dialled_line=ASTANA))

        assert spooled.drain(db.session, spool, clock.now()) == 1

        db.session.expire_all()
        closed = db.session.get(Call, call.id)
        assert (closed.state, closed.outcome, closed.ended_at) == (
            CallState.ENDED.value, Outcome.FAILED.value, ended)
        assert closed.language == "ru" and _count() == count
        # A second close (another worker, a retry) changes nothing.
        spool.write(_entry(ended + timedelta(seconds=5), kind="close", call_id=call.id,
                           outcome="abandoned_in_menu"))
        assert spooled.drain(db.session, spool, clock.now()) == 1
        db.session.expire_all()
        again = db.session.get(Call, call.id)
        assert (again.outcome, again.ended_at) == (Outcome.FAILED.value, ended)


def test_a_close_of_a_queued_call_keeps_finish_semantics(app, clock, spool):
    with app.app_context():
        centre = centre_for_number(db.session, ASTANA)
        call = register.register_call(db.session, centre=centre, dialled_line=ASTANA, now=clock.now())
        register.enqueue(call, clock.advance(seconds=10))
        db.session.commit()
        ended = clock.advance(seconds=30)
        spool.write(_entry(ended, kind="close", call_id=call.id, outcome="abandoned_in_queue"))
        spooled.drain(db.session, spool, clock.now())
        db.session.expire_all()
        closed = db.session.get(Call, call.id)
        assert (closed.outcome, closed.wait_seconds, closed.dequeued_at, closed.ended_at) == (
            "abandoned_in_queue", 30, ended, ended)


def test_a_close_of_an_unknown_call_registers_it(app, clock, spool):
    with app.app_context():
        started = clock.now()
        entry = _entry(started + timedelta(seconds=9), kind="close", dialled_line=ASTANA,
                       language="kk", started_at=started)
        spool.write(entry)
        assert spooled.drain(db.session, spool, clock.now()) == 1
        call = db.session.get(Call, entry.call_id)
        assert (call.state, call.outcome, call.started_at, call.ended_at) == (
            CallState.ENDED.value, "failed", started, started + timedelta(seconds=9))


def test_a_corrupt_file_is_set_aside_and_the_rest_drains(app, clock, spool, caplog):
    caplog.set_level(logging.INFO)
    with app.app_context():
        good = _entry(clock.now(), dialled_line=ASTANA)
        good_file = spool.write(good)
        sid = "CA" + secrets.token_hex(16)
        (spool.folder / "20260302T100000.000000Z-aaaa.json").write_text("{not json secret-note")
        (spool.folder / "20260302T100000.000000Z-bbbb.json").write_bytes(b"\xff\xfe secret-note")
        hand_made = good_file.read_text().replace(good.call_id, sid)
        (spool.folder / "20260302T100000.000000Z-cccc.json").write_text(hand_made)
        (spool.folder / "20260302T100000.000000Z-dddd.json").write_text('["secret-note"]')

        assert [entry for _path, entry in spool.pending()] == [good]
        assert spooled.drain(db.session, spool, clock.now()) == 1
        assert _files(spool) == [f"20260302T100000.000000Z-{tag}.json.bad"
                                 for tag in ("aaaa", "bbbb", "cccc", "dddd")]
        assert "secret-note" not in caplog.text and sid not in caplog.text
        assert caplog.text.count("set aside as .bad") == 4


@pytest.mark.parametrize("fields", [
    {"call_id": "CA" + "ab" * 16},
    {"call_id": "CA" + "ab" * 15},                   # 32 characters, still not a register id
    {"call_id": "77059876543"},
    {"language": "CA" + "0" * 32},
    {"language": CALLER},
    {"outcome": "77059876543"},
    {"dialled_line": "CA" + "0" * 32},
    {"dialled_line": "8 705 987 65 43"},             # not E.164
    {"centre_id": 77059876543},
    {"centre_id": True},
    {"kind": "caller"},
    {"at": datetime(2026, 3, 2, 10, 0)},             # noqa: DTZ001 - naive on purpose
    {"started_at": "2026-03-02T10:00:00+00:00"},
])
def test_refuses_carrier_ids_numbers_and_nonsense(fields, spool):
    with pytest.raises(ValueError) as refused:
        _entry(**{"at": datetime(2026, 3, 2, 10, 0, tzinfo=UTC), **fields})
    for value in fields.values():
        assert str(value) not in str(refused.value)
    assert _files(spool) == []


def test_a_call_spooled_while_the_database_is_locked_leaves_no_trace_of_the_caller(app, clock, spool,
                                                                                  backend):
    """The IVR's scenario: the first webhook arrives while another process holds the database."""
    sid = "CA" + secrets.token_hex(16)
    form = {"CallSid": sid, "From": CALLER, "To": ASTANA, "CallStatus": "ringing"}
    with backend.locked(Path(app.instance_path)):
        started = time.perf_counter()
        entry = SpoolEntry(kind="register", call_id=register.new_call_id(), at=clock.now(),
                           dialled_line=try_normalise(form["To"]), centre_id=None, language=None,
                           outcome="failed", started_at=clock.now())
        path = spool.write(entry)
        elapsed = time.perf_counter() - started
    assert elapsed < 0.5, f"writing took {elapsed:.3f}s"
    assert path.parent == spool.folder and path.name.endswith(".json")

    digits = CALLER.lstrip("+")
    for file in spool.folder.iterdir():
        content = file.read_bytes().decode()
        for needle in (digits, digits[1:], digits[-7:], sid, sid[2:]):
            assert needle not in content and needle not in file.name
    assert ASTANA in path.read_text()
    assert (spool.folder.stat().st_mode & 0o777) == 0o700 and (path.stat().st_mode & 0o777) == 0o600

    with app.app_context():
        assert spooled.drain(db.session, spool, clock.now()) == 1
        call = db.session.get(Call, entry.call_id)
        assert call.dialled_line == ASTANA and call.centre.lines[0].number == ASTANA
        assert call.caller_token is None


def test_pending_ignores_temp_files_and_remove_only_takes_own_entries(tmp_path):
    spool = Spool(tmp_path / "nested" / "spool")
    (spool.folder / ".tmp-half-written.part").write_text("{")
    assert spool.pending() == []
    assert _files(spool) == [".tmp-half-written.part"]
    with pytest.raises(ValueError):
        spool.remove(tmp_path / "elsewhere.json")
