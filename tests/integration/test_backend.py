"""The test suite's own back-end switch (``HELPLINE_TEST_BACKEND``): the searches the privacy tests
make of what the database holds at rest do find what it holds, on SQLite and on PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select, update

from helpline.extensions import db
from helpline.models import Centre


def test_what_the_database_holds_is_found_in_its_bytes_at_rest_even_once_replaced(app, backend):
    with app.app_context():
        centre = db.session.scalar(select(Centre).order_by(Centre.id))
        centre.name = "Centre 7172049981 (renamed)"
        db.session.commit()
        db.session.remove()
    assert b"7172049981" in backend.stored_bytes(app)
    if backend.name == "postgres":   # an old row version stays in the files until vacuumed
        with app.app_context():
            db.session.execute(update(Centre).where(Centre.name.like("Centre 7172049981%"))
                               .values(name="Centre (renamed again)"))
            db.session.commit()
            db.session.remove()
        assert b"7172049981" in backend.stored_bytes(app)
