"""The loop guard's rules, without I/O: limits, state moves, what the observer's reading means, the
clear's back-off, shared ports, and the localisation's walk along the plan (故障段落定位).

Everything here is a pure function of its arguments (``now`` is passed in), tested without a device
or a database.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from agent.enums import LoopState
from agent.errors import InvalidInput

S = LoopState

# Which state may follow which (the job's path, the cancel, the reaper and the API's clear retry).
NEXT: Mapping[LoopState, frozenset[LoopState]] = {
    S.REQUESTED: frozenset({S.SETTING, S.CLEARING, S.NOT_SET}),
    S.SETTING: frozenset({S.SET, S.CLEARING, S.NOT_SET}),
    S.SET: frozenset({S.MEASURING, S.CLEARING}),
    S.MEASURING: frozenset({S.CLEARING}),
    S.CLEARING: frozenset({S.CLEARED, S.CLEAR_FAILED, S.NOT_SET}),
    S.CLEAR_FAILED: frozenset({S.CLEARING}),
    S.CLEARED: frozenset(),
    S.NOT_SET: frozenset(),
}

MODES = ("local", "remote")
# A read-back margin: with less than this between the observer's Rx and its sensitivity the signal
# "returns degraded" (DOMAIN.md: within ~3 dB above the sensitivity bit errors are likely).
RX_MARGIN_DB = 3.0
# A round trip more than this above twice the segment's budget is a degraded line (DOMAIN.md: a loss
# > 3 dB over the budget points to a degraded fiber; the loop's light crosses the segment twice).
ROUND_TRIP_EXCESS_DB = 6.0


def may_move(current: LoopState | str, new: LoopState) -> bool:
    return new in NEXT[LoopState(current)]


@dataclass(frozen=True)
class LoopLimits:
    """Separate limits for the three phases: the loop is on the device at most hold + clear time."""

    set_timeout_s: float
    max_hold_s: int
    clear_timeout_s: float
    settle_s: float = 1.0
    retry_base_s: float = 5.0
    retry_max_s: float = 300.0

    @classmethod
    def from_settings(cls, settings: Any) -> LoopLimits:
        return cls(settings.loop_set_timeout_seconds, settings.loop_max_hold_seconds,
                   settings.loop_clear_timeout_seconds, settings.loop_settle_seconds,
                   settings.loop_clear_retry_seconds, settings.loop_clear_retry_max_seconds)

    def hold_for(self, requested: int | None) -> int:
        """The hold a request gets: what it asks (at most the configured maximum), else the maximum."""
        if requested is None:
            return self.max_hold_s
        if not 1 <= requested <= self.max_hold_s:
            raise InvalidInput([{"loc": "holdSeconds", "msg": f"hold must be between 1 and {self.max_hold_s} s "
                                                               "(setting loop_max_hold_seconds)"}])
        return requested

    def deadline(self, start: datetime, hold_s: int) -> datetime:
        """When a job started at ``start`` has ended, whatever happened: past it the loop is an orphan."""
        return start + timedelta(seconds=self.set_timeout_s + hold_s + 2 * self.clear_timeout_s + self.settle_s)

    def retry_delay(self, attempts: int) -> float:
        """Back-off before clear attempt ``attempts + 1``: base, doubling, capped."""
        return min(self.retry_max_s, self.retry_base_s * 2 ** max(0, attempts - 1))


def check_mode(mode: str) -> str:
    if mode not in MODES:
        raise InvalidInput([{"loc": "mode", "msg": "mode must be local or remote"}])
    return mode


def unconfirmed_circuits(others: Sequence[str], confirmed: Sequence[str]) -> list[str]:
    """The other circuits a looped port carries that the request did not confirm by name."""
    given = set(confirmed)
    return sorted(c for c in set(others) if c not in given)


# Triage verdicts that find the line carrying service (up, perhaps degraded): a loop there interrupts it.
SERVICE_UP_VERDICTS = frozenset({
    "no_fault_found", "fiber_degraded", "low_rx_margin", "rx_overload", "crc_errors", "duplex_mismatch",
    "customer_rate_limit", "egress_congestion", "rx_power_declining", "no_alarm_request_return",
    "historical_alarms_dispatch_customer_end", "flapping_port"})
SERVICE_UP_GRADES = frozenset({"ok", "degraded"})


def _naive_utc(at: datetime) -> datetime:
    return at if at.tzinfo is None else at.astimezone(UTC).replace(tzinfo=None)


def service_up_evidence(health: tuple[str, datetime] | None, triage: tuple[str, datetime] | None) -> str | None:
    """Why the circuit is taken to carry service now (None: it is down or nothing says it is up).

    ``health``: the poller's latest grade of the circuit and when; ``triage``: the ticket's latest
    triage verdict and when. The newer of the two decides."""
    seen = [(pair[1], source, pair[0]) for source, pair in (("health", health), ("triage", triage)) if pair]
    if not seen:
        return None
    at, source, value = max(seen, key=lambda x: _naive_utc(x[0]))
    if source == "health" and value in SERVICE_UP_GRADES:
        return f"the circuit's health grade is {value} (polled {at.isoformat()})"
    if source == "triage" and value in SERVICE_UP_VERDICTS:
        return f"the ticket's triage found the line carrying service ({value}, {at.isoformat()})"
    return None


class Signal(StrEnum):
    """What came back from the loop point to the observer."""

    RETURNED = "returned"
    DEGRADED = "degraded"  # it returns, but weaker than the line's budget allows or near the sensitivity
    NOT_RETURNED = "not_returned"
    UNKNOWN = "unknown"  # the observer could not be read: no conclusion from this point


@dataclass(frozen=True)
class SignalReading:
    signal: Signal
    text_zh: str
    text_en: str
    rx_dbm: float | None = None
    round_trip_loss_db: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"signal": self.signal.value, "textZh": self.text_zh, "textEn": self.text_en, "rxDbm": self.rx_dbm,
                "roundTripLossDb": self.round_trip_loss_db}


def judge_signal(light: Mapping[str, Any], sensitivity_dbm: float | None, segment_budget_db: float | None) -> SignalReading:
    """The observer's reading while the loop is set: link state, Rx power and (with its Tx) the round trip.

    A reading with neither a link state nor an Rx value is UNKNOWN, never "not returned": a silent
    observer is not evidence against the line."""
    oper_up, rx, tx = light.get("oper_up"), light.get("rx_dbm"), light.get("tx_dbm")
    if oper_up is None and rx is None:
        errors = "; ".join(light.get("errors") or ()) or "no link state and no Rx power"
        return SignalReading(Signal.UNKNOWN, f"观察端读数缺失：{errors}", f"the observer could not be read: {errors}")
    round_trip = round(tx - rx, 2) if tx is not None and rx is not None else None
    dark = rx is None or (sensitivity_dbm is not None and rx < sensitivity_dbm)
    if oper_up is False or (rx is not None and dark):
        where = f"Rx {rx} dBm" if rx is not None else "no Rx value"
        limit = f" below {sensitivity_dbm} dBm" if sensitivity_dbm is not None and rx is not None else ""
        return SignalReading(Signal.NOT_RETURNED, f"信号未返回（链路{'断开' if oper_up is False else '未知'}，{where}）",
                             f"no signal back (link {'down' if oper_up is False else 'unknown'}, {where}{limit})",
                             rx, round_trip)
    if rx is None:  # link up, but the module gives no power: it returned, how well is not known
        return SignalReading(Signal.RETURNED, "信号返回（链路 up，无光功率读数）",
                             "signal returned (link up; the module gives no Rx power)", None, None)
    # With the round trip and the segment's budget known, the budget decides: the loop's light crosses the
    # segment twice, so a healthy long segment lands near the sensitivity by design (a 5 dB segment on
    # 10GBASE-LR returns 2 dB above it); only without them does the margin stand in.
    by_budget = round_trip is not None and segment_budget_db is not None
    if not by_budget and sensitivity_dbm is not None and rx - sensitivity_dbm < RX_MARGIN_DB:
        return SignalReading(Signal.DEGRADED, f"信号返回但劣化：Rx {rx} dBm，距灵敏度 {sensitivity_dbm} dBm 不足 {RX_MARGIN_DB} dB",
                             f"signal returned degraded: Rx {rx} dBm, less than {RX_MARGIN_DB} dB above the "
                             f"sensitivity {sensitivity_dbm} dBm", rx, round_trip)
    if round_trip is not None and segment_budget_db is not None and round_trip > 2 * segment_budget_db + ROUND_TRIP_EXCESS_DB:
        return SignalReading(Signal.DEGRADED, f"信号返回但劣化：往返损耗 {round_trip} dB，超过 2×预算 {segment_budget_db} dB + {ROUND_TRIP_EXCESS_DB} dB",
                             f"signal returned degraded: round-trip loss {round_trip} dB exceeds 2 × budget "
                             f"{segment_budget_db} dB + {ROUND_TRIP_EXCESS_DB} dB", rx, round_trip)
    return SignalReading(Signal.RETURNED, f"信号返回：Rx {rx} dBm", f"signal returned: Rx {rx} dBm", rx, round_trip)


# -- localisation -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class PlanPoint:
    """One loop point of the plan (diagnosis.LoopPoint as stored), with the segment it tests."""

    order: int
    device: str
    port: str
    segment: int
    site_kind: str
    reason_zh: str = ""
    reason_en: str = ""

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> PlanPoint:
        return cls(int(d["order"]), d["device"], d["port"], int(d["segment"]), str(d.get("site_kind", "")),
                   d.get("reason_zh", ""), d.get("reason_en", ""))

    def as_dict(self) -> dict[str, Any]:
        return {"order": self.order, "device": self.device, "port": self.port, "segment": self.segment,
                "site_kind": self.site_kind, "reason_zh": self.reason_zh, "reason_en": self.reason_en}


@dataclass(frozen=True)
class PointResult:
    """What one loop point gave: its loop test, final state and the signal (None when no measure)."""

    point: PlanPoint
    loop_test_id: int
    state: LoopState
    signal: Signal | None
    text_en: str = ""


class Outcome(StrEnum):
    FAULT_SEGMENT = "fault_segment"  # the first point where the signal did not return (or degraded)
    NO_LINE_FAULT = "no_line_fault"  # every planned segment returns the signal
    INCONCLUSIVE = "inconclusive"  # a point could not be looped or observed: check it


@dataclass(frozen=True)
class Conclusion:
    outcome: Outcome
    segment: int | None
    signal: Signal | None
    deciding_point: PlanPoint | None
    text_zh: str
    text_en: str


def walk(plan: Sequence[PlanPoint], done: Sequence[PointResult]) -> PlanPoint | Conclusion:
    """The next loop point, or the conclusion: the plan in its order (province exit first where the
    diagnosis found the segment unclear, then the access room outwards), a segment already tested
    is not looped again, and the walk stops at the first point where the signal does not return."""
    tested: set[int] = set()
    for r in done:
        if r.signal in (Signal.NOT_RETURNED, Signal.DEGRADED):
            worse = "未返回" if r.signal is Signal.NOT_RETURNED else "返回劣化"
            return Conclusion(Outcome.FAULT_SEGMENT, r.point.segment, r.signal, r.point,
                              f"故障段落：#{r.point.segment}（在 {r.point.device} {r.point.port} 打环，信号{worse}）",
                              f"faulty segment #{r.point.segment}: looped at {r.point.device} {r.point.port}, "
                              f"the signal {'did not return' if r.signal is Signal.NOT_RETURNED else 'returned degraded'}")
        if r.signal is not Signal.RETURNED:
            why = r.text_en or r.state.value
            return Conclusion(Outcome.INCONCLUSIVE, None, r.signal, r.point,
                              f"无法定位：在 {r.point.device} {r.point.port} 的环测无结论（{r.state.value}），请检查该点",
                              f"inconclusive: the loop at {r.point.device} {r.point.port} gave no answer ({why}); "
                              "check that point")
        tested.add(r.point.segment)
    for point in plan:
        if point.segment not in tested:
            return point
    return Conclusion(Outcome.NO_LINE_FAULT, None, Signal.RETURNED, None,
                      "所有计划段落环回正常：局端线路无故障，故障在最后打环点之外（用户设备或对端）",
                      "every planned segment returns the signal: no line fault up to the last loop point; the fault "
                      "is beyond it (customer device or far end)")
