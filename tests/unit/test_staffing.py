"""Erlang C against published figures."""

from __future__ import annotations

import pytest

from scheduling.staffing import agents_needed, erlang_c, service_level


def test_erlang_c_textbook_example():
    # 10 Erlangs offered to 11 agents: P(wait) ~ 0.682 (standard Erlang C tables)
    assert erlang_c(11, 10.0) == pytest.approx(0.682, abs=0.002)
    assert erlang_c(10, 10.0) == 1.0


def test_service_level_and_agents_needed():
    # 360 calls/hour, 180 s handling = 18 Erlangs; 80 % in 20 s needs 22 agents (a well-known case)
    assert service_level(21, 360, 180, 20) < 0.8 <= service_level(22, 360, 180, 20)
    assert agents_needed(360, 180) == 22
    assert agents_needed(0, 600) == 1          # the line is covered 24/7 even with no calls
    assert agents_needed(3, 600) == 2
