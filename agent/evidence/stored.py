"""What faultline stored of a circuit's ports: the alarms it received (traps, kept open or cleared
within the window) and the polled Rx series for the trend early warning."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from agent.alarms import stored_records
from agent.inventory.targets import ResolvedCircuit
from agent.polling import rx_trend
from collectors import readings as cr
from diagnosis import readings as dr


@dataclass(frozen=True)
class StoredEvidence:
    alarms: list[cr.AlarmRecord]
    trend: list[dr.RxTrendPoint]


def stored(session: Session, resolved: ResolvedCircuit, window_start: datetime, trend_since: datetime) -> StoredEvidence:
    ports = [e.key for _, e in resolved.path.ports()]
    return StoredEvidence(stored_records(session, ports, window_start), rx_trend(session, ports, trend_since))
