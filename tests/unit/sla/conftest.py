"""Fixtures of the SLA unit tests: default rules, the Shanghai calendar, a replay function."""
from __future__ import annotations

from datetime import datetime

import pytest

from agent.sla.calendar import WorkingDayCalendar
from agent.sla.clocks import compute_clocks
from agent.sla.model import SlaRules, TicketClocks


@pytest.fixture
def rules() -> SlaRules:
    return SlaRules()


@pytest.fixture
def calendar() -> WorkingDayCalendar:
    return WorkingDayCalendar("Asia/Shanghai")


@pytest.fixture
def replay(rules, calendar):
    def _replay(events, now: datetime) -> TicketClocks:
        return compute_clocks(events, rules, calendar, now)

    return _replay
