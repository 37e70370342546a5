"""The readings history on SQLite and PostgreSQL: the hourly roll-up keeps min/avg/max exact over a
hand-computed set, retention removes only what is older than its window (and never a raw hour not yet
rolled up), the readings route serves raw or hourly by range, and the NOC list of 1,000 circuits pages
worst first."""
from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from agent.clock import ManualClock
from agent.db import make_engine, make_session_factory, unit_of_work
from agent.models import CircuitHealthRow, OpticalSample, ReadingHourly
from agent.telemetry.history import prune, roll_up, roll_up_hour, store_samples

pytestmark = pytest.mark.asyncio(loop_scope="module")

H = datetime(2026, 11, 3, 10, tzinfo=UTC)  # an hour's start
DEV, PORT = "cpe-bank-1", "GigabitEthernet0/0/1"


def _row(at: datetime, rx: float | None, *, oper: str = "up", in_mbps: float | None = None, port: str = PORT) -> dict:
    return dict(device_name=DEV, port_name=port, at=at, rx_dbm=rx, tx_dbm=-5.0, oper=oper, admin="up",
                in_mbps=in_mbps, out_mbps=None, crc_per_s=0.0, in_errors_per_s=None)


def _hand_set() -> list[dict]:
    m = timedelta(minutes=1)
    return [
        _row(H, -5.0, in_mbps=10.0), _row(H + 5 * m, -5.5, in_mbps=30.0), _row(H + 17 * m, -7.25, oper="down"),
        _row(H + 30 * m, None, oper="down", in_mbps=20.0),  # no light: no Rx value, still a sample
        _row(H + 59 * m + timedelta(seconds=59), -6.0),
        _row(H + 60 * m, -1.0),  # the next hour's first instant belongs to the next hour
        _row(H + 61 * m, -2.0, port="GigabitEthernet0/0/2"),
    ]


def _factory(db_url):
    return make_session_factory(make_engine(db_url))


async def test_hourly_roll_up_keeps_min_avg_max_exact(db_url):
    factory = _factory(db_url)
    with unit_of_work(factory) as s:
        store_samples(s, _hand_set())
    with unit_of_work(factory) as s:  # 11:00-12:00 ended 3 min ago, inside the 5 min settle: not yet
        assert roll_up(s, H + timedelta(hours=2, minutes=3), settle=timedelta(minutes=5)) == [H]
    with unit_of_work(factory) as s:
        assert roll_up(s, H + timedelta(hours=2, minutes=6), settle=timedelta(minutes=5)) == [H + timedelta(hours=1)]
        assert roll_up(s, H + timedelta(hours=2, minutes=7), settle=timedelta(minutes=5)) == []  # nothing twice
    with factory() as s:
        rows = {(r.port_name, r.hour): r for r in s.scalars(select(ReadingHourly))}
    assert set(rows) == {(PORT, H), (PORT, H + timedelta(hours=1)), ("GigabitEthernet0/0/2", H + timedelta(hours=1))}
    h = rows[(PORT, H)]
    assert (h.samples, h.oper_down) == (5, 2)
    assert (h.rx_dbm_n, h.rx_dbm_min, h.rx_dbm_max) == (4, -7.25, -5.0)
    assert h.rx_dbm_sum / h.rx_dbm_n == -5.9375  # (-5 - 5.5 - 7.25 - 6) / 4, exact in binary
    assert (h.in_mbps_n, h.in_mbps_min, h.in_mbps_max, h.in_mbps_sum / h.in_mbps_n) == (3, 10.0, 30.0, 20.0)
    assert (h.out_mbps_n, h.out_mbps_min, h.out_mbps_sum) == (0, None, None)
    assert (h.tx_dbm_min, h.tx_dbm_max, h.crc_per_s_max) == (-5.0, -5.0, 0.0)
    nxt = rows[(PORT, H + timedelta(hours=1))]
    assert (nxt.samples, nxt.rx_dbm_min, nxt.rx_dbm_max) == (1, -1.0, -1.0)

    with unit_of_work(factory) as s:  # a sample landing late in an hour already rolled up: rebuilt, not doubled
        store_samples(s, [_row(H + timedelta(minutes=40), -9.0)])
        roll_up_hour(s, H)
    with factory() as s:
        again = s.scalars(select(ReadingHourly).where(ReadingHourly.port_name == PORT, ReadingHourly.hour == H)).all()
    assert len(again) == 1 and (again[0].rx_dbm_n, again[0].rx_dbm_min, again[0].samples) == (5, -9.0, 6)


async def test_retention_removes_only_what_is_older_than_its_window(db_url):
    factory = _factory(db_url)
    day = timedelta(days=1)
    with unit_of_work(factory) as s:
        store_samples(s, [_row(H - 10 * day, -5.0), _row(H - 8 * day, -5.1), _row(H - 7 * day, -5.2),
                          _row(H - 6 * day, -5.3), _row(H, -5.4)])
    with unit_of_work(factory) as s:  # only the hours up to H - 8 days are rolled up so far
        for t in (H - 10 * day, H - 8 * day):
            roll_up_hour(s, t)
    with unit_of_work(factory) as s:
        pruned = prune(s, now=H, raw_keep=7 * day, hourly_keep=9 * day)
    with factory() as s:
        raw = sorted(r.at for r in s.scalars(select(OpticalSample)))
        hourly = sorted(r.hour for r in s.scalars(select(ReadingHourly)))
    # raw: older than 7 days AND rolled up -> gone; the sample exactly 7 days old stays (not older)
    assert raw == [H - 7 * day, H - 6 * day, H] and pruned.raw == 2
    assert hourly == [H - 8 * day] and pruned.hourly == 1  # the 10-day-old hour is past the 9-day window

    with unit_of_work(factory) as s:  # roll-up catches up later: now those raw hours may go too
        roll_up(s, H + timedelta(hours=2), settle=timedelta(minutes=5))
        again = prune(s, now=H + day, raw_keep=7 * day, hourly_keep=9 * day)
    with factory() as s:
        assert sorted(r.at for r in s.scalars(select(OpticalSample))) == [H - 6 * day, H]
    assert again.raw == 1


async def test_readings_route_serves_raw_or_hourly_by_range(lab, db_url, helpers):
    now = H + timedelta(days=3)
    clock = ManualClock(now)
    async with helpers.agent_on(db_url, 0, clock=clock) as api:
        await api.import_inventory(lab)
        factory = api.agent.services.session_factory
        with unit_of_work(factory) as s:
            store_samples(s, [_row(H + timedelta(minutes=5 * i), -5.0 - 0.01 * i) for i in range(36)])
            roll_up(s, now, settle=timedelta(minutes=5))
        base = f"/api/v1/circuits/CIR-EPL-0001/readings?device={DEV}&port={PORT}&kind=rx_dbm"
        r = await api.get(f"{base}&from={H.isoformat()}&to={(H + timedelta(hours=3)).isoformat()}".replace("+", "%2B"))
        assert r.status_code == 200, r.text
        raw = r.json()["series"]
        assert [s["resolution"] for s in raw] == ["raw"] and len(raw[0]["points"]) == 36
        assert raw[0]["points"][0]["value"] == -5.0 and raw[0]["unit"] == "dBm"
        r = await api.get(f"{base}&from={(H - timedelta(days=5)).isoformat()}&to={now.isoformat()}".replace("+", "%2B"))
        hourly = r.json()["series"][0]
        assert hourly["resolution"] == "hourly" and [p["n"] for p in hourly["points"]] == [12, 12, 12]
        first = hourly["points"][0]
        assert first["max"] == -5.0 and first["min"] == pytest.approx(-5.11) and first["avg"] == pytest.approx(-5.055)
        assert (await api.get("/api/v1/circuits/CIR-EPL-0001/readings?device=agg-rtr1&port=Gi9/9")).status_code == 404
        assert (await api.get("/api/v1/circuits/CIR-NOPE/readings")).status_code == 404
        assert (await api.get(f"{base}&kind=bogus")).status_code == 422


async def test_the_list_of_1000_circuits_pages_worst_first(lab, db_url, helpers):
    rng = random.Random(13)
    grades = ["down", "degraded", "unknown", "ok"]
    async with helpers.agent_on(db_url, 0) as api:
        factory = api.agent.services.session_factory
        with unit_of_work(factory) as s:
            s.add_all(CircuitHealthRow(circuit_id=f"CIR-{i:05d}", customer=f"CUST-{i % 7}", grade=(g := rng.choice(grades)),
                                       rank=grades.index(g), verdict="x", reasons=[], segments=[], graded_at=H, since=H)
                      for i in range(1000))
        with factory() as s:
            truth = [r.circuit_id for r in s.scalars(select(CircuitHealthRow))]
            by_grade = dict(s.execute(select(CircuitHealthRow.grade, func.count()).group_by(CircuitHealthRow.grade)).all())
        seen = []
        for offset in range(0, 1000, 150):
            r = await api.get(f"/api/v1/circuit-health?limit=150&offset={offset}")
            body = r.json()
            assert r.status_code == 200 and body["total"] == 1000 and body["offset"] == offset
            seen += [(c["grade"], c["circuitId"]) for c in body["items"]]
        assert len(seen) == 1000 and {c for _, c in seen} == set(truth)
        assert seen == sorted(seen, key=lambda gc: (grades.index(gc[0]), gc[1]))
        r = await api.get("/api/v1/circuit-health?health=down&health=degraded&customer=CUST-3&limit=500")
        body = r.json()
        assert all(c["grade"] in ("down", "degraded") and c["customer"] == "CUST-3" for c in body["items"])
        assert body["total"] == len(body["items"]) > 0
        assert (await api.get("/api/v1/circuit-health?health=down")).json()["total"] == by_grade["down"]
        assert (await api.get("/api/v1/circuit-health?health=bad")).status_code == 422
