"""The stored Rx series as triage reads it (SQLite and PostgreSQL): only the asked ports, since the
window start, oldest first, thinned to a bounded number of points that keeps the latest reading."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from agent.db import make_engine, make_session_factory, unit_of_work
from agent.models import OpticalSample
from agent.polling import MAX_TREND_POINTS, rx_trend
from diagnosis.trend import slope_db_per_day

T0 = datetime(2026, 11, 1, tzinfo=UTC)
PORT = ("acc-a-sw1", "GigabitEthernet0/0/1")


def test_series_of_the_asked_ports_thinned_and_ordered(db_url):
    factory = make_session_factory(make_engine(db_url))
    n = 3 * MAX_TREND_POINTS + 7
    with unit_of_work(factory) as s:
        for i in range(n):  # one sample every 5 minutes, falling 0.3 dB a day
            at = T0 + timedelta(minutes=5 * i)
            s.add(OpticalSample(device_name=PORT[0], port_name=PORT[1], at=at, rx_dbm=-8.0 - 0.3 * (5 * i) / 1440,
                                tx_dbm=-3.0, oper="up"))
        s.add(OpticalSample(device_name=PORT[0], port_name="GigabitEthernet0/0/2", at=T0, rx_dbm=-9.0, oper="up"))
        s.add(OpticalSample(device_name="other", port_name=PORT[1], at=T0, rx_dbm=-9.0, oper="up"))
        s.add(OpticalSample(device_name=PORT[0], port_name=PORT[1], at=T0 + timedelta(minutes=1), rx_dbm=None,
                            oper="down"))  # no light: not a level, not a point
    with factory() as s:
        points = rx_trend(s, [PORT, ("cpe-bank-1", "GigabitEthernet0/0/1")], T0)
        later = rx_trend(s, [PORT], T0 + timedelta(minutes=5 * (n - 3)))
    assert {(p.device, p.port) for p in points} == {PORT}
    assert MAX_TREND_POINTS // 2 < len(points) <= MAX_TREND_POINTS + 1
    assert [p.time for p in points] == sorted(p.time for p in points)
    assert points[0].time == T0 and points[-1].time == T0 + timedelta(minutes=5 * (n - 1))
    assert slope_db_per_day(points) == pytest.approx(-0.3, abs=1e-6)
    assert len(later) == 3 and all(p.source.method == "stored" for p in later)
