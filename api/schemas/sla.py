"""SLA bodies: a ticket's clocks, the duty board, the timeliness KPIs, the fault report submission."""
from __future__ import annotations

from pydantic import ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer

from agent.sla import ClockKind, ClockState, ClockView, KpiReport, UpcomingClock
from agent.sla.kpis import Kpi
from api.schemas.base import In, Instant, Out

# Members a clock carries only when its kind has them (ClockView.detail): absent, not null, elsewhere.
_DETAIL = ("level", "missed_in_a_row", "working_days", "over_time")


class ClockOut(Out):
    """One SLA clock of a ticket at the time of the answer."""

    # An unknown detail member of a clock is an error here, never dropped on the way out; the detail
    # members are optional in the document too.
    model_config = ConfigDict(extra="forbid", json_schema_serialization_defaults_required=False)

    clock: ClockKind
    seq: int = Field(description="cycle (progress) or resolution number (report, restoration); 0 otherwise")
    state: ClockState
    started_at: Instant
    due_at: Instant | None = Field(description="None while paused or for a clock without a deadline")
    warn_at: Instant | None
    met_at: Instant | None
    breached_at: Instant | None
    remaining_seconds: float | None = Field(description="fault time (wall time for the report) left; negative when overdue")
    paused: bool
    met: bool
    breached: bool
    level: int | None = Field(None, description="escalation clocks: 1 (customer response centre director) or 2 (deputy GM)")
    missed_in_a_row: int | None = Field(None, description="progress clock: cycles missed in a row")
    working_days: int | None = Field(None, description="report clock: working days allowed")
    over_time: bool | None = Field(None, description="report clock: the fault ran over its time limit (1 working day)")

    @classmethod
    def of(cls, view: ClockView) -> ClockOut:
        return cls(clock=view.kind, seq=view.seq, state=view.state, started_at=view.started_at, due_at=view.due_at,
                   warn_at=view.warn_at, met_at=view.met_at, breached_at=view.breached_at,
                   remaining_seconds=None if view.remaining_seconds is None else round(view.remaining_seconds, 3),
                   paused=view.paused, met=view.met, breached=view.breached, **view.detail)

    @model_serializer(mode="wrap")  # no return annotation: the JSON schema stays the model's own
    def _without_absent_detail(self, handler: SerializerFunctionWrapHandler):
        body = handler(self)
        for name in _DETAIL:
            if getattr(self, name) is None:
                body.pop(name, None)
                body.pop(self.__class__.model_fields[name].alias, None)
        return body


class UpcomingItem(Out):
    ticket_id: str
    clock: ClockKind
    state: ClockState
    due_at: Instant
    remaining_seconds: float

    @classmethod
    def of(cls, u: UpcomingClock) -> UpcomingItem:
        return cls(ticket_id=str(u.ticket_id), clock=u.clock, state=u.state, due_at=u.due_at,
                   remaining_seconds=round(u.remaining_seconds, 3))


class UpcomingOut(Out):
    now: Instant
    within: str
    items: list[UpcomingItem]


class KpiOut(Out):
    label: str = Field(description="the assessment's Chinese name (故障处理及时率 ...)")
    on_time: int
    late: int
    total: int
    rate: float | None = Field(description="on time / total, 4 decimals; None when nothing was decided in the window")

    @classmethod
    def of(cls, k: Kpi) -> KpiOut:
        return cls(label=k.label_zh, on_time=k.on_time, late=k.late, total=k.total,
                   rate=None if k.rate is None else round(k.rate, 4))


class KpiReportOut(Out):
    start: Instant = Field(serialization_alias="from")
    end: Instant = Field(serialization_alias="to")
    tickets_considered: int
    kpis: dict[str, KpiOut] = Field(description="by KPI name: faultHandlingTimeliness, signTimeliness, ...")
    by_tier: dict[str, dict[str, KpiOut]] = Field(
        default_factory=dict, description="the same KPIs per service-level tier (SlaSettings.tiers; 'default')")

    @classmethod
    def of(cls, r: KpiReport) -> KpiReportOut:
        return cls(start=r.start, end=r.end, tickets_considered=r.tickets,
                   kpis={name: KpiOut.of(k) for name, k in r.kpis.items()},
                   by_tier={t: {name: KpiOut.of(k) for name, k in kpis.items()} for t, kpis in r.by_tier.items()})


class ReportSubmitted(In):
    reference: str = Field(min_length=1, max_length=200, description="the report's id or location")
    note: str | None = Field(default=None, max_length=2000)


class ReportOut(Out):
    ticket_id: str
    clocks: list[ClockOut]
