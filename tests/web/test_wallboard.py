"""The wallboard's figures for today, through the real webhooks and console."""

from __future__ import annotations

from tests.conftest import ALMATY
from tests.web.test_record_and_escalation import answered_call


def test_wallboard_counts_waiting_answered_and_service_level(app, make_user, staff_client, phone,
                                                              clock):
    make_user("saule")
    make_user("sup.almaty", role="supervisor", centre_id=2)
    answered_call(app, phone, staff_client, clock)             # answered at once
    waiting = phone(ALMATY)
    waiting.dial()
    waiting.press("3")
    waiting.press("9")
    clock.advance(seconds=40)
    sup, _ = staff_client("sup.almaty")
    board = sup.get("/supervisor/wallboard.json").get_json()
    assert board["waiting"] == 1 and board["urgent_waiting"] == 1
    assert board["longest_wait_seconds"] == 40
    assert (board["offered"], board["answered"], board["abandoned"]) == (2, 1, 0)
    assert board["service_level"] == 100 and board["average_speed_of_answer"] == 0
    assert board["agents"]["on_call"] == 1
    waiting.queue_result("hangup")
    waiting.completed()
    board = sup.get("/supervisor/wallboard.json").get_json()
    assert (board["waiting"], board["abandoned"], board["service_level"]) == (0, 1, 50)
    assert sup.get("/supervisor/wallboard").status_code == 200
