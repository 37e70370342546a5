"""faultline settings: one pydantic-settings class, FAULTLINE_ environment prefix, optional .env file.

Precedence: explicit keyword arguments > environment > .env > defaults. Nothing reads settings at
import time; the app factory and the command line build a ``Settings`` and pass it down.
"""
from __future__ import annotations

from datetime import time
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from agent.orders.settings import OrdersSettings


class BootstrapUser(BaseModel):
    """A user created at start-up when absent (FAULTLINE_BOOTSTRAP_USERS='[{"name":..,"role":..,"token":..}]')."""

    name: str
    role: str
    token: SecretStr


class EscalationContacts(BaseModel):
    """Who is told at each escalation level (rule 7) for one branch (分公司)."""

    level1: list[str] = Field(default_factory=lambda: ["customer response center director (客响中心主任)"])
    level2: list[str] = Field(default_factory=lambda: ["deputy GM for operations (分管运维副总)"])


class TierDurations(BaseModel):
    """A service-level tier's own duty-rule durations; a field left out keeps the source's value."""

    model_config = ConfigDict(extra="forbid")
    sign_warn_minutes: int | None = Field(None, ge=1)
    sign_limit_minutes: int | None = Field(None, ge=1)
    contact_feedback_minutes: int | None = Field(None, ge=1)
    progress_interval_minutes: int | None = Field(None, ge=1)
    escalation_level1_minutes: int | None = Field(None, ge=1)
    escalation_level2_minutes: int | None = Field(None, ge=1)
    fault_time_limit_minutes: int | None = Field(None, ge=1)
    report_working_days: int | None = Field(None, ge=1)
    report_working_days_overtime: int | None = Field(None, ge=1)


class SlaSettings(BaseModel):
    """Durations of the duty rules (DOMAIN.md, "The duty rules (SLA)"), in minutes unless named otherwise."""

    sign_warn_minutes: int = 5  # rule 1: target 5
    sign_limit_minutes: int = 10  # rule 1: limit 10
    contact_feedback_minutes: int = 15  # rule 3
    progress_interval_minutes: int = 30  # rule 4
    escalation_level1_minutes: int = 120  # rule 7: customer response center director
    escalation_level2_minutes: int = 180  # rule 7: deputy GM for operations
    report_working_days: int = 2  # rule 10
    report_working_days_overtime: int = 1  # rule 10: fault exceeded its time limit
    fault_time_limit_minutes: int = 180  # a fault open longer than this is "over time" (rule 10)
    # Close of business of a working day, local time ("HH:MM", up to "24:00"): a report due "within N
    # working days" is due at this time of the N-th working day. The source names no hour: 24:00.
    report_day_end: str = Field(default="24:00", pattern=r"^(([01]\d|2[0-3]):[0-5]\d|24:00)$")
    # Holiday files (the State Council's yearly schedule as YAML, agent/sla/schedules.py) beyond the
    # shipped ones: a year's file takes precedence over the chinese-calendar package.
    holiday_files: list[Path] = Field(default_factory=list)
    # Escalation contacts per branch (the circuit's lead office); "default" applies to the others.
    escalation_contacts: dict[str, EscalationContacts] = Field(default_factory=lambda: {"default": EscalationContacts()})
    # Webhook URLs per notification kind (sla.warning, sla.breach, sla.escalation, sla.report_due,
    # suspension.approved, suspension.rejected); "*" receives every kind.
    webhooks: dict[str, list[str]] = Field(default_factory=dict)
    webhook_timeout_seconds: float = 5.0
    webhook_backoff_seconds: float = 5.0  # first retry; doubles per attempt up to the cap
    webhook_backoff_max_seconds: float = 600.0
    sweep_interval_seconds: float = 5.0
    # Per-customer service levels (issue 16): named tiers with their own durations, and the tier of
    # each customer (inventory customer id); a customer not named is in the "default" tier (the
    # source's durations above). A ticket keeps the tier its customer had when it arrived.
    tiers: dict[str, TierDurations] = Field(default_factory=dict)
    customer_tiers: dict[str, str] = Field(default_factory=dict)
    # Period reports (issue 16): the source names no deadline for the operation report (运行分析报告)
    # or the quarterly report (季报); each is due at the end of this many working days after its period.
    operation_report_working_days: int = Field(5, ge=1, le=60)
    quarterly_report_working_days: int = Field(10, ge=1, le=60)

    @model_validator(mode="after")
    def _known_tiers(self) -> SlaSettings:
        unknown = sorted({t for t in self.customer_tiers.values() if t != "default" and t not in self.tiers})
        if unknown:
            raise ValueError(f"customer_tiers names tiers that are not configured in sla.tiers: {', '.join(unknown)}")
        return self


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="FAULTLINE_", env_file=".env", env_nested_delimiter="__", extra="ignore"
    )

    database_url: str = Field(
        default_factory=lambda: f"sqlite:///{Path('var').resolve() / 'faultline.db'}",
        description="SQLAlchemy URL; SQLite file under ./var by default, postgresql+psycopg://... in production",
    )
    host: str = "127.0.0.1"
    port: int = 8000
    timezone: str = "Asia/Shanghai"
    sla: SlaSettings = Field(default_factory=SlaSettings)
    orders: OrdersSettings = Field(default_factory=OrdersSettings)  # resource checks, circuit orders, tests
    bootstrap_users: list[BootstrapUser] = Field(default_factory=list)
    # Rule 9: by day customer service confirms restoration with the customer; the NOC's alarm-cleared
    # check stands in at night (these hours, in `timezone`; the window may wrap midnight) or when the
    # customer cannot be reached.
    night_start: time = time(22, 0)
    night_end: time = time(8, 0)
    reopen_window_hours: int = 72  # a repeat fault on the same circuit within this window reopens (MEF 124)
    triage_deadline_seconds: float = 8.0
    # A device whose survey ran out of time while it answered (a slow agent, not a dead device) is
    # surveyed again while this much time past the deadline is left; 0: never (docs/triage-deadline.md)
    triage_retry_seconds: float = Field(16.0, ge=0, le=600)
    triage_use_cli: bool = True  # False: SNMP only (faster; no device alarm history, no ZTE optics)
    # a device survey younger than this answers later requests for the ports it covered (a burst of
    # tickets from one cut reads each device about once); 0 reads afresh every time
    device_read_fresh_seconds: float = Field(5.0, ge=0, le=60)
    # SSH sessions the agent's collector holds open at once over all devices (netmiko blocks a thread
    # each; one per device still). 32 or 96 instead of 8 did not shorten the outage burst of
    # bench/outage.py: netmiko's threads are bound by the CPU (docs/benchmarks.md, Outages)
    device_cli_sessions: int = Field(8, ge=1, le=256)
    triage_max_concurrent: int = Field(16, ge=1, le=512)  # triages reading devices at once (the rest queue)
    triage_counter_interval_seconds: float = 1.0  # gap between the two counter reads that give rates
    # "Historical alarm" (历史告警): the ticket's window starts this many hours before the reported time.
    triage_lookback_hours: float = Field(24.0, gt=0)
    # Trap ingestion (告警接收) in the serving process; trap_port 0 disables it.
    trap_host: str = "127.0.0.1"
    trap_port: int = 16162
    trap_communities: list[str] = Field(default_factory=lambda: ["public"])
    # Polling into the readings history (性能采集); poll_interval_seconds 0 disables it. Each reading kind
    # of poll_kinds (optical, interface, counters, alarms: a Want of the collectors) is polled every
    # poll_kind_intervals[kind] seconds, else every poll_interval_seconds; kinds of one interval share a
    # poll. Rates come from two polls of a port (the interval between them).
    poll_interval_seconds: float = 300.0
    poll_kinds: list[Literal["optical", "interface", "counters", "alarms"]] = Field(
        default_factory=lambda: ["optical", "interface", "counters"])
    poll_kind_intervals: dict[str, float] = Field(default_factory=dict)
    poll_max_concurrent: int = Field(16, ge=1, le=512)
    poll_device_timeout_seconds: float = Field(30.0, gt=0)
    # Raw samples are kept this long (also the console chart's window); hourly min/avg/max far longer.
    poll_retention_days: float = Field(7.0, gt=0)
    readings_hourly_retention_days: float = Field(180.0, gt=0)
    readings_rollup_interval_seconds: float = Field(3600.0, gt=0)  # the roll-up and retention job
    # Early warning (预警): trends over trend_lookback_days, flagged when a projected crossing of a
    # port's limit falls within early_warning_horizon_days; recomputed every early_warning_interval_seconds.
    trend_lookback_days: float = Field(14.0, gt=0)
    early_warning_horizon_days: float = Field(30.0, gt=0)
    early_warning_interval_seconds: float = Field(3600.0, gt=0)
    # Key assurance (重保, agent/telemetry/assurance.py): how often the scheduler looks for the periods'
    # devices due for their shorter poll and for new alarms on their paths (0 disables it).
    key_assurance_tick_seconds: float = Field(10.0, ge=0)
    log_level: str = "INFO"
    # Loop tests (环测): separate limits for setting, holding and clearing a loop. The loop is on the device
    # at most hold + clear time; a request may ask for less hold, never more than loop_max_hold_seconds.
    loop_max_hold_seconds: int = Field(120, ge=1, le=900)
    loop_set_timeout_seconds: float = Field(60.0, gt=0, le=600)  # netmiko's Huawei config mode alone takes ~9 s
    loop_clear_timeout_seconds: float = Field(60.0, gt=0, le=600)
    loop_settle_seconds: float = Field(1.0, ge=0, le=60)  # the observer's link settles before it is read
    # A failed clear is retried by the reaper: first after loop_clear_retry_seconds, doubling up to the max.
    loop_clear_retry_seconds: float = Field(5.0, gt=0)
    loop_clear_retry_max_seconds: float = Field(300.0, gt=0)
    loop_reaper_interval_seconds: float = Field(5.0, gt=0)
    # This process's name on the loops it runs: at start-up its own leftovers are cleared at once, another
    # process's only once their deadline passed. Default: host name and API port.
    instance_name: str | None = None
    # The duty console's session cookies are signed with this secret (at least 32 characters;
    # FAULTLINE_SESSION_SECRET), the same in every process that serves the console. Without it the
    # secret is generated once into session_secret_file (default: session.secret next to the SQLite
    # database, else ./var/session.secret) and read from there afterwards, so sessions outlive a restart.
    session_secret: SecretStr | None = Field(None, min_length=32)
    session_secret_file: Path | None = None
    # --- jobs across processes (issue 17, agent/work/, docs/workers.md) ---------------------------
    # "in_process": this process runs its triage, polls and SLA sweep itself (SQLite's only way, and
    # the default). "queue": PostgreSQL only; jobs go to procrastinate queues in the same database and
    # `faultline worker` processes (or `serve --workers N`) run them.
    job_queue: Literal["in_process", "queue"] = "in_process"
    worker_concurrency: int = Field(8, ge=1, le=256)  # jobs at a time per worker process
    worker_heartbeat_seconds: float = Field(10.0, gt=0)
    # A worker silent this long is dead: its running jobs are retried by another (stalled-job recovery),
    # checked every worker_stalled_check_seconds.
    worker_stalled_seconds: float = Field(30.0, gt=0)
    worker_stalled_check_seconds: float = Field(10.0, ge=1)
    # Open tickets without a diagnosis and without a queued or running triage (an enqueue lost while
    # the database was away) are queued again this often; only tickets older than one interval.
    triage_recovery_seconds: float = Field(30.0, ge=1)
    triage_job_attempts: int = Field(20, ge=1)  # a triage that lost the database is retried this often
