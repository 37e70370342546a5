"""The two places the rest of the agent calls grouping from: after a diagnosis is stored (triage) and
after an alarm is stored (trap ingestion). Each runs in its own transaction after the caller's has
committed, so a grouping failure never loses the diagnosis or the alarm; a lost race for a problem's
unique root (two triages of one cut at once) is retried and then finds the winner's problem."""
from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from agent.clock import Clock
from agent.db import unit_of_work
from agent.problems import grouping

log = logging.getLogger("faultline.problems")
ATTEMPTS = 8
BACKOFF_S = 0.05  # first wait after a lost race, doubling, jittered: 200 triages of one cut finishing
# together all link the same agreeing tickets, and retrying at once only repeats the collision


def _retrying(factory: sessionmaker[Session], what: str, work: Callable[[Session], grouping.Grouped]) -> grouping.Grouped | None:
    for attempt in range(ATTEMPTS):
        try:
            with unit_of_work(factory) as session:
                return work(session)
        except (IntegrityError, OperationalError) as exc:
            log.info("grouping %s: attempt %d lost a race (%s); looking again", what, attempt + 1, type(exc).__name__)
            time.sleep(min(BACKOFF_S * 2 ** attempt, 2.0) * random.uniform(0.5, 1.5))  # in a worker thread
        except Exception:  # noqa: BLE001 - grouping is an addition: the diagnosis or alarm is already stored
            log.exception("grouping %s failed", what)
            return None
    log.error("grouping %s gave up after %d attempts", what, ATTEMPTS)
    return None


def after_diagnosis(factory: sessionmaker[Session], clock: Clock, ticket_id: int) -> grouping.Grouped | None:
    return _retrying(factory, f"ticket {ticket_id}", lambda s: grouping.on_diagnosis(s, ticket_id, clock.now()))


def after_alarm(factory: sessionmaker[Session], clock: Clock, alarm_id: int, change: str) -> grouping.Grouped | None:
    return _retrying(factory, f"alarm {alarm_id}", lambda s: grouping.on_alarm(s, alarm_id, change, clock.now()))


def after_loop_result(factory: sessionmaker[Session], tickets, ticket_id: int, loop_id: int, actor, text: str,
                      result: dict) -> list[int] | None:
    """A loop test's result on a ticket that is a child of an open problem, recorded on the problem and
    every child (agent.problems.work.add_loop_result); the tickets whose progress it met. Its own
    transaction after the loop's: a failure here never loses the result on the tested ticket."""
    from agent.enums import ProblemStatus
    from agent.problems import store, work

    try:
        with unit_of_work(factory) as session:
            problem = store.linked_problem(session, ticket_id)
            if problem is None or ProblemStatus(problem.status) not in ProblemStatus.open():
                return None
            problem = work.get(session, problem.id, for_update=True)
            return work.add_loop_result(session, problem, actor, tickets, ticket_id, loop_id, text, result).done
    except Exception:  # noqa: BLE001 - an addition: the loop's result is stored on its ticket already
        log.exception("loop test %s: copying its result to the service problem failed", loop_id)
        return None
