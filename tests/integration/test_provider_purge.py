"""Twilio forgets the call: the sweep deletes ended calls' records at Twilio (a stand-in driven by
Twilio's OpenAPI description), keeps counts, never a call id, and administrators see them."""

from __future__ import annotations

import logging
import re
import urllib.request
from datetime import timedelta

import pytest
from sqlalchemy import select

from helpline.extensions import db
from helpline.models import ProviderPurgeRun
from tests.conftest import ALMATY, ASTANA, AUTH_TOKEN, sign_in
from tests.twilio_mock import MOCK_API_KEY, real_carrier_settings, sweep

SID = re.compile(r"CA[0-9a-fA-F]{32}")


@pytest.fixture
def settings_overrides(settings_overrides, spec_twilio):
    return {**settings_overrides, **real_carrier_settings(spec_twilio)}


def _runs(app) -> list[tuple[int, int, int, int | None]]:
    with app.app_context():
        runs = db.session.scalars(select(ProviderPurgeRun).order_by(ProviderPurgeRun.id)).all()
        db.session.remove()
        return [(r.calls_deleted, r.calls_not_final, r.calls_failed, r.alerts_kept) for r in runs]


def test_a_sweep_deletes_every_ended_call_past_the_grace_period_and_no_other(app, spec_twilio, clock):
    long_ago = clock.now() - timedelta(minutes=10)
    ours = [spec_twilio.add_call("completed", to=ALMATY, ended_at=long_ago),
            spec_twilio.add_call("no-answer", to=ASTANA, ended_at=long_ago),
            spec_twilio.add_call("completed", to="", from_="client:a1b2c3", ended_at=long_ago)]  # browser leg
    talking = spec_twilio.add_call("in-progress", to=ALMATY)
    just_ended = spec_twilio.add_call("completed", to=ALMATY, ended_at=clock.now() - timedelta(seconds=60))
    not_ours = spec_twilio.add_call("completed", to="+77010000000", ended_at=long_ago)

    assert sweep(app).startswith("3 call records deleted")
    assert {sid for sid, call in spec_twilio.calls.items() if call.deleted} == set(ours)

    spec_twilio.calls[talking].status, spec_twilio.calls[talking].ended_at = "completed", clock.now()
    clock.advance(seconds=301)                         # both are past the grace period now
    sweep(app)
    assert {sid for sid, call in spec_twilio.calls.items() if call.deleted} == {*ours, talking, just_ended}
    assert not spec_twilio.calls[not_ours].deleted          # another number's call is not the line's
    assert _runs(app) == [(3, 0, 0, 0), (2, 0, 0, 0)]
    assert spec_twilio.off_spec() == []
    assert {r.username for r in spec_twilio.requests} == {MOCK_API_KEY}   # the API key, not the token


def test_a_call_twilio_has_not_finalised_is_deleted_by_a_later_sweep(app, spec_twilio, clock):
    ended = [spec_twilio.add_call("completed", to=ALMATY, ended_at=clock.now() - timedelta(hours=1))
             for _ in range(3)]
    spec_twilio.not_final_deletes(2)                        # Twilio error 20009, twice
    sweep(app)
    assert len(spec_twilio.undeleted_ended_calls()) == 2
    clock.advance(seconds=600)
    sweep(app)
    assert spec_twilio.undeleted_ended_calls() == [] and all(spec_twilio.calls[sid].deleted for sid in ended)
    assert _runs(app) == [(1, 2, 0, 0), (2, 0, 0, 0)]


def test_counts_are_logged_and_no_call_id_is(app, spec_twilio, clock, caplog):
    caplog.set_level(logging.DEBUG)
    sids = [spec_twilio.add_call("completed", to=ALMATY, ended_at=clock.now() - timedelta(hours=1))
            for _ in range(2)]
    spec_twilio.not_final_deletes(1)
    sweep(app)
    assert "Provider purge: 1 call records deleted at the provider, 1 not final yet, 0 failed" in caplog.text
    ours = [r.getMessage() for r in caplog.records if r.name.startswith(("helpline", "scheduling"))]
    assert ours and not any("[sid]" in line for line in ours)   # nothing had to be scrubbed
    assert not SID.search(caplog.text) and not any(sid[2:] in caplog.text for sid in sids)


def test_administrators_see_the_counts_and_others_do_not(app, spec_twilio, clock, make_user):
    spec_twilio.add_call("completed", to=ALMATY, ended_at=clock.now() - timedelta(hours=1))
    spec_twilio.add_alert()
    spec_twilio.add_alert()
    sweep(app)
    make_user("root", role="administrator", centre_id=None)
    make_user("saule")
    admin = app.test_client()
    sign_in(admin, "root")
    page = admin.get("/admin/provider-purge")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    row = re.search(r'<tr class="purge-run">(.*?)</tr>', html, re.S).group(1)
    assert re.findall(r"<td>([^<]*)</td>", row)[1:5] == ["1", "0", "0", "2"]   # deleted .. alerts kept
    assert "Deleted in total: 1." in html and "02.03.2026 15:00:00" in html       # Almaty time
    psychologist = app.test_client()
    sign_in(psychologist, "saule")
    assert psychologist.get("/admin/provider-purge").status_code == 403


def test_a_listing_failure_is_recorded_in_words(app, spec_twilio, clock):
    spec_twilio.stop()                                       # Twilio does not answer at all
    report = sweep(app)
    assert "the provider did not list its calls (could not connect)" in report
    with app.app_context():
        run = db.session.scalars(select(ProviderPurgeRun)).one()
        assert (run.calls_deleted, run.alerts_kept, run.error) == (
            0, None, "the provider did not list its calls (could not connect)")
        db.session.remove()


def test_the_stand_in_refuses_a_request_twilio_would_refuse(spec_twilio):
    """The spec-driven stand-in is not a rubber stamp: an unknown parameter is a 400."""
    import base64

    sid = spec_twilio.add_call("in-progress")
    request = urllib.request.Request(
        f"{spec_twilio.base_url}/2010-04-01/Accounts/{spec_twilio.account_sid}/Calls/{sid}.json",
        data=b"Url=https%3A%2F%2Fh.example%2Fivr&Methd=POST", method="POST",
        headers={"Authorization": "Basic " + base64.b64encode(
            f"{spec_twilio.account_sid}:{AUTH_TOKEN}".encode()).decode()})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)  # noqa: S310 - loopback
    refused.value.close()
    assert refused.value.code == 400
    (recorded,) = spec_twilio.off_spec()
    assert recorded.operation_id == "UpdateCall" and recorded.problems == ("form Methd: not in the spec",)


def test_with_only_the_auth_token_the_sweep_still_works(spec_twilio, clock):
    from helpline.carrier import TwilioPurge

    sid = spec_twilio.add_call("completed", to=ALMATY, ended_at=clock.now() - timedelta(hours=1))
    purge = TwilioPurge(spec_twilio.account_sid, AUTH_TOKEN, grace_seconds=0, api_base=spec_twilio.base_url)
    try:
        assert purge.sweep([ALMATY], clock.now()).deleted == 1
    finally:
        purge.close()
    assert spec_twilio.calls[sid].deleted
    assert {r.username for r in spec_twilio.requests} == {spec_twilio.account_sid}
