"""Queue names, regions and periodic schedules (pure)."""
from __future__ import annotations

import pytest
from croniter import croniter

from agent.work.queues import check_queues, collect_queue, conninfo, cron_every, poll_queue, regions_of


@pytest.mark.parametrize(("seconds", "cron"), [(5, "* * * * * */5"), (0.5, "* * * * * */1"), (7, "* * * * * */10"),
                                               (60, "*/1 * * * *"), (300, "*/5 * * * *"), (3600, "0 */1 * * *"),
                                               (86400, "0 0 * * *")])
def test_an_interval_becomes_a_cron_that_divides_its_minute_or_hour(seconds, cron):
    assert cron_every(seconds) == cron
    assert croniter.is_valid(cron)


def test_regions_come_from_poll_and_collect_queues_only():
    assert regions_of(["triage", "poll.east", "collect.west", "notify", "poll.east"]) == {"east", "west"}
    assert poll_queue("east") == "poll.east" and collect_queue("north-1") == "collect.north-1"


@pytest.mark.parametrize("bad", ["poll.East", "poll.a b", "triages", "collect.", "poll.-x"])
def test_an_unknown_queue_or_a_bad_region_is_refused_with_its_name(bad):
    with pytest.raises(ValueError, match="queue|region"):
        check_queues(["triage", bad])


def test_the_queue_needs_postgresql_and_gets_a_libpq_address():
    assert conninfo("postgresql+psycopg://u:p@db:5433/fl") == "postgresql://u:p@db:5433/fl"
    with pytest.raises(ValueError, match="PostgreSQL"):
        conninfo("sqlite:///var/faultline.db")
