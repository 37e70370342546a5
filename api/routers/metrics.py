"""``/metrics``: the Prometheus text format (agent/work/metrics.py), behind the policy table like every
other route (Permission.METRICS_READ: a ``noc`` user's token as the scrape's bearer credentials)."""
from __future__ import annotations

from fastapi import APIRouter, Response

from agent.policy import Permission
from agent.tickets import Actor
from agent.work.metrics import CONTENT_TYPE, WorkMetrics
from api.deps import ServicesDep, require
from api.problems import responses

router = APIRouter(tags=["metrics"], responses=responses(401, 403))


@router.get("/metrics", response_class=Response,
            summary="Prometheus metrics: jobs and their durations, queue depths and stalled jobs, polls per region, "
                    "open tickets by state, SLA breaches, active loop tests",
            responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}})
def metrics(services: ServicesDep, actor: Actor = require(Permission.METRICS_READ)) -> Response:
    if services.work_metrics is None:  # in-process jobs: the database-derived gauges only
        services.work_metrics = WorkMetrics(services.session_factory)
    return Response(services.work_metrics.render(), media_type=CONTENT_TYPE)
