"""The staleness rules of the pollers' module-facts cache (pure: markers and row sets in, verdict out)."""
from __future__ import annotations

from datetime import UTC, datetime

from collectors.snmp.facts import ENT_LAST_CHANGE, UPTIME, DeviceFacts, FactCache, live_rows, probe_values, stale_reason

READ_AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
KEY = ("127.0.0.1", 161, "")


def facts(uptime: int | None = 5000, ent: int | None = 300) -> DeviceFacts:
    return DeviceFacts({}, read_at=READ_AT, expires=100.0, uptime=uptime, ent_last_change=ent)


def test_markers_decide_staleness():
    assert stale_reason(facts(), 6000, 300) is None  # up longer, no entity change: still good
    assert "restart" in stale_reason(facts(), 10, 300)
    assert "entLastChangeTime changed from 300 to 301" in stale_reason(facts(), 6000, 301)
    # an agent without entLastChangeTime: only sysUpTime counts
    assert stale_reason(facts(ent=None), 6000, None) is None
    assert stale_reason(facts(ent=None), 6000, 7) is not None  # it appeared: something changed


def test_probe_values_take_only_integer_instances():
    assert probe_values({UPTIME: {"0": 123}, ENT_LAST_CHANGE: {}}) == (123, None)
    assert probe_values({UPTIME: {"0": "x"}}) == (None, None)
    assert probe_values({}) == (None, None)


def test_live_rows_are_the_union_of_the_key_columns():
    assert live_rows({"a": {"1": 1, "2": 2}, "b": {"2.1": 3}, "c": {"9": 0}}, ("a", "b")) == {"1", "2", "2.1"}


def test_cache_entries_expire_and_drops_are_counted():
    cache = FactCache(ttl=60)
    cache.put(KEY, facts())
    assert cache.get(KEY, now=99.0) is not None
    assert cache.get(KEY, now=100.0) is None and len(cache) == 0  # expired at 100
    cache.put(KEY, facts())
    cache.drop(KEY, "sysUpTime went back")
    cache.drop(KEY, "again")  # nothing left to drop: not counted twice
    assert cache.invalidations == 1 and cache.last_reason[KEY] == "again"
