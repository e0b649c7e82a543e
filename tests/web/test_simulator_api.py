"""The /simulator page's API: CSRF-protected, validates its input, absent in production."""

from __future__ import annotations

import re

import pytest

from tests.conftest import ALMATY, all_calls
from tests.web.test_privacy import WsgiTransport


@pytest.fixture
def sim(app, client):
    app.extensions["carrier"]._transport = WsgiTransport(app.test_client())
    page = client.get("/simulator")
    assert page.status_code == 200
    token = re.search(r'name="csrf-token" content="([^"]+)"', page.get_data(as_text=True)).group(1)
    return {"X-CSRFToken": token}


def test_dialling_without_the_csrf_token_is_refused(client, app, sim):
    response = client.post("/simulator/calls", json={"to": ALMATY})
    assert response.status_code == 400
    assert all_calls(app) == []


def test_a_bad_number_is_refused_with_a_message(client, sim):
    response = client.post("/simulator/calls", json={"to": "12"}, headers=sim)
    assert response.status_code == 400 and "not a valid number" in response.get_json()["error"]


def test_dial_press_and_hang_up(client, app, sim):
    response = client.post("/simulator/calls", json={"to": ALMATY, "withheld": True}, headers=sim)
    assert response.status_code == 201
    handle = response.get_json()["handle"]
    call = app.extensions["carrier"].get(handle)
    assert call.wait_for(lambda c: c.listening)
    assert client.post(f"/simulator/calls/{handle}/keys", json={"keys": "x"},
                       headers=sim).status_code == 400
    assert client.post(f"/simulator/calls/{handle}/keys", json={"keys": "3"},
                       headers=sim).status_code == 200
    assert call.wait_for(lambda c: any("/ivr/language" in e.text for e in c.events))
    assert client.post(f"/simulator/calls/{handle}/hangup", headers=sim).status_code == 200
    assert call.wait_for(lambda c: c.finished)
    state = client.get(f"/simulator/calls/{handle}?since=0").get_json()
    assert state["status"] == "completed"
    assert any(e["kind"] == "keys" and e["text"] == "3" for e in state["events"])
    assert call.sid not in str(state)
    assert client.get("/simulator/calls/nope").status_code == 404
    (row,) = all_calls(app)
    assert row.outcome in {"abandoned_in_menu"} and row.language == "en"


def test_no_simulator_with_a_real_carrier(settings_overrides, clock):
    from helpline import create_app

    app = create_app({**settings_overrides, "twilio_account_sid": "AC" + "1" * 32}, environ={},
                     clock=clock)
    assert app.test_client().get("/simulator").status_code == 404
