"""One vocabulary: every option list a form offers is exactly the codes the records accept, so a
select never offers a code the service refuses nor lacks one it takes; zones come from the centre."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

from helpline import vocabulary
from helpline.models import CallerType, contact, labels, request


def test_each_option_list_is_the_set_of_codes_the_records_accept():
    accepted = {"caller_type": tuple(CallerType), "age_band": contact.AGE_BANDS,
                "gender": contact.GENDERS, "risk": contact.RISK_LEVELS, "consent": contact.CONSENTS,
                "referral": contact.REFERRALS, "channel": request.CHANNELS,
                "status": request.STATUSES, "action": request.FOLLOW_UP_ACTIONS}
    for group, codes in accepted.items():
        assert {code for code, _words in labels.choices(group)} == set(codes), group


def test_local_time_follows_the_centres_zone_and_the_default_for_none():
    instant = datetime(2026, 3, 5, 21, 30, tzinfo=UTC)
    assert vocabulary.local(instant, SimpleNamespace(timezone="Europe/Moscow")).hour == 0
    assert vocabulary.local_day(instant, None).isoformat() == "2026-03-06"      # Almaty: 02:30
    assert vocabulary.to_utc(datetime(2026, 3, 6, 2, 30, tzinfo=vocabulary.DEFAULT_ZONE)) == instant
