"""The caller is never stranded by a transfer, through a real simulated call: a cold transfer
the carrier could not carry out is undone (the caller stays with the psychologist, who is told
so), and a colleague who never answers a consultation gives the caller back to her."""

from __future__ import annotations

from helpline.extensions import db
from helpline.models import Call
from tests.web.test_warm_transfer import _presence, _row, _user, warm  # noqa: F401  (fixture)

ASTANA_ID, ALMATY_ID = 1, 2


def test_a_cold_transfer_the_carrier_did_not_make_leaves_the_caller_with_the_psychologist(app, warm):  # noqa: F811
    warm.carrier.faults.rest_fails = True                      # the redirect cannot be made
    reply = warm.post("transfer", {"centre_id": ASTANA_ID, "language": "ru"})
    warm.carrier.faults.rest_fails = False
    assert reply.status_code == 409
    assert reply.get_json()["error"] == ("Not transferred: the phone network did not move the caller. "
                                         "The caller is still with you.")
    assert warm.console.wait_for("transfer_failed")["call_id"] == warm.call_id
    assert warm.console.events("call_ended") == []             # never shown as gone
    with app.app_context():
        call = db.session.get(Call, warm.call_id)
        assert (call.state, call.centre_id, call.language, call.transfer_count) == (
            "answered", ALMATY_ID, "en", 0)
        assert call.bridged_at is not None and call.dequeued_at is not None
        db.session.remove()
    row = _row(app, warm.call_id)
    assert row["agent_id"] == _user(app, "saule")
    assert row["actions"] == ["call.transfer", "call.transfer_failed"]
    assert _presence(app, _user(app, "saule")) == "on_call"
    assert warm.caller.connected and warm.participant("psychologist") is not None
    # and the psychologist can still hang up her call as usual
    assert warm.console.emit("hang_up", {"call_id": warm.call_id})["ok"]
    assert warm.console.wait_for("call_ended")["call_id"] == warm.call_id
