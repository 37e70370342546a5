"""Settings of resource checks and circuit orders (``Settings.orders``; FAULTLINE_ORDERS__...)."""
from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field


class OrdersSettings(BaseModel):
    # Circuit orders: the per-step split of the overall limit per service type (agent/orders/limits.yaml
    # unless another file is named) and the acceptance test templates (agent/orders/templates/).
    limits_file: Path | None = None
    templates_dir: Path | None = None
    # Acceptance tests: error counters must stay still over this window (the source's templates name
    # the indicators; 15 min is this deployment's default). Tests pass seconds.
    acceptance_window_seconds: float = Field(900.0, gt=0)
    acceptance_read_timeout_seconds: float = Field(30.0, gt=0)
    # Resource checks (资源核查): the departments the center distributes check items to (source 五 4:
    # "分发核查单给相关部门(含移动与固网)"), and the due time of each step.
    check_departments: list[str] = Field(default_factory=lambda: ["fixed_network", "mobile"], min_length=1)
    check_distribute_minutes: int = Field(60, ge=1)  # request -> items distributed
    check_answer_hours: float = Field(24.0, gt=0)  # item sent -> department's answer
    check_chase_interval_hours: float = Field(4.0, gt=0)  # 催办: late items chased again after this
    check_feedback_hours: float = Field(48.0, gt=0)  # request -> result fed back (资源核查及时率)
    # Measured check: a shared uplink may carry the new rate while its busier direction stays under
    # this share of the port speed; a proposed path's Rx margin must stay at least this many dB.
    uplink_max_utilisation: float = Field(0.7, gt=0, le=1)
    min_rx_margin_db: float = Field(3.0, ge=0)
