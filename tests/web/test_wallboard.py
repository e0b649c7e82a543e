"""The wallboard's figures for today, through the real webhooks and console."""

from __future__ import annotations

import csv
import io
from zoneinfo import ZoneInfo

from tests.conftest import ALMATY, verbs
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


def test_the_wallboard_and_the_period_report_give_one_service_level(app, make_user, staff_client, phone,
                                                                   clock, helpline_cli):
    """Today's calls at Almaty: one answered at once, one abandoned in the queue, one sent away
    with the help numbers after 50 s. Calls answered within 20 s over calls that left the queue:
    1 of 3. (Dividing by answered + abandoned, the report once said 50 % where the board said 33.)"""
    make_user("saule")
    make_user("sup.almaty", role="supervisor", centre_id=2)
    answered_call(app, phone, staff_client, clock)
    gone = phone(ALMATY)
    gone.dial()
    gone.press("3")
    gone.press("1")
    gone.queue_result("hangup")
    gone.completed()
    sent_away = phone(ALMATY)
    sent_away.dial()
    sent_away.press("3")
    sent_away.press("1")
    clock.advance(seconds=50)                                  # saule is on a call: no one available
    assert verbs(sent_away.wait()) == ["Leave"]
    sent_away.queue_result("leave")
    sent_away.completed()
    sup, _ = staff_client("sup.almaty")
    board = sup.get("/supervisor/wallboard.json").get_json()
    assert (board["offered"], board["answered"], board["abandoned"]) == (3, 1, 1)
    day = clock.now().astimezone(ZoneInfo("Asia/Almaty")).date().isoformat()
    out = helpline_cli("reports", "period", "--centre", "2", "--from", day, "--to", day).output
    report = {row[0]: row[1] for row in csv.reader(io.StringIO(out)) if len(row) == 2}
    assert board["service_level"] == float(report["service_level"]) == 33.3
    assert board["answer_rate"] == float(report["answer_rate"]) == 33.3
    assert board["abandonment"] == float(report["abandonment"]) == 33.3
    assert board["average_speed_of_answer"] == float(report["average_speed_of_answer"]) == 0.0
