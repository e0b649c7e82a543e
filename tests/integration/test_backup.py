"""Backups and the restore drill: what was lost comes back, and a backup file holds no note in
clear and no caller identity."""

from __future__ import annotations

import stat

from sqlalchemy import delete, select

from helpline.extensions import db
from helpline.models import Call, ContactRecord, User
from helpline.services.cipher import NotesCipher
from helpline.services.contacts import RecordInput, save_record
from tests.conftest import ALMATY

NOTE = "Девочка 12 лет, травля в школе; перезвонить в четверг"


def _call_with_a_note(app, phone, make_user, clock):
    call = phone(ALMATY, caller="+77057654321")
    call.dial()
    make_user("saule")
    with app.app_context():
        row = db.session.scalars(select(Call)).one()
        author = db.session.scalars(select(User).where(User.username == "saule")).one()
        cipher = NotesCipher(app.extensions["helpline"].settings.notes_key)
        save_record(db.session, row, author, RecordInput(caller_type="child", risk_level="low", notes=NOTE),
                    clock.now(), clock.now().date(), cipher)
        db.session.commit()
        return row.id, call


def test_the_restore_drill_brings_back_what_was_lost(app, phone, make_user, clock, helpline_cli,
                                                     tmp_path):
    call_id, call = _call_with_a_note(app, phone, make_user, clock)
    target = tmp_path / "senim-backup.sqlite3"

    result = helpline_cli("db", "backup", str(target))
    assert result.exit_code == 0, result.output
    assert "Backup written" in result.output
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    raw = target.read_bytes()
    for secret in (NOTE.encode(), "травля".encode(), b"+77057654321", b"77057654321",
                   call.sid.encode()):
        assert secret not in raw

    with app.app_context():                       # the disaster: the register's entries are gone
        db.session.execute(delete(ContactRecord))
        db.session.execute(delete(Call))
        db.session.commit()
        db.engine.dispose()

    result = helpline_cli("db", "restore", str(target), "--yes")
    assert result.exit_code == 0, result.output
    with app.app_context():
        record = db.session.scalars(select(ContactRecord)).one()
        assert record.call_id == call_id
        cipher = NotesCipher(app.extensions["helpline"].settings.notes_key)
        assert cipher.decrypt(record.notes_encrypted) == NOTE      # readable with NOTES_KEY only


def test_a_restore_needs_confirmation_and_changes_nothing_without_it(app, phone, make_user, clock,
                                                                      helpline_cli, tmp_path):
    _call_with_a_note(app, phone, make_user, clock)
    target = tmp_path / "b.sqlite3"
    assert helpline_cli("db", "backup", str(target)).exit_code == 0
    with app.app_context():
        db.session.execute(delete(ContactRecord))
        db.session.commit()
    result = helpline_cli("db", "restore", str(target))
    assert result.exit_code != 0
    assert "--yes" in result.output
    with app.app_context():
        assert db.session.scalars(select(ContactRecord)).all() == []


def test_a_backup_never_overwrites_a_file_and_a_restore_refuses_what_is_not_a_backup(
        helpline_cli, tmp_path):
    existing = tmp_path / "old.sqlite3"
    existing.write_bytes(b"yesterday's backup")
    result = helpline_cli("db", "backup", str(existing))
    assert result.exit_code != 0 and "already exists" in result.output
    assert existing.read_bytes() == b"yesterday's backup"
    result = helpline_cli("db", "restore", str(existing), "--yes")
    assert result.exit_code != 0 and "is not a Senim" in result.output and "backup" in result.output
