"""Jobs past one process (issue 17): one code path for the work, two ways to run it.

The work itself is the agent's own services: ``TriageService.run`` (a ticket's triage),
``SlaEngine.sweep`` and the webhook outbox, ``OpticalPoller.poll_once`` (a region's devices), the
readings roll-up and the early warning. How it runs depends on ``Settings.job_queue``:

- ``in_process`` (SQLite's only way, the default): as before, triage in this process's tasks and the
  periodic work on the APScheduler of agent/jobs.py.
- ``queue`` (PostgreSQL): procrastinate queues in the same database. The API process only enqueues
  (``JobQueue``); ``faultline worker`` processes run the jobs (``run_worker``) from the queues of
  ``queues.py``; periodic jobs are deferred once per period by the database whatever the number of
  workers; a dead worker's jobs are retried by another (stalled-job recovery).

Nothing here imports procrastinate at module level except the modules that need it, so SQLite
processes never open a queue connection.
"""
from agent.work.queues import (
    ALL_QUEUES,
    LOOPS,
    NOTIFY,
    REPORTS,
    TRIAGE,
    collect_queue,
    cron_every,
    poll_queue,
    regions_of,
)

__all__ = ["ALL_QUEUES", "LOOPS", "NOTIFY", "REPORTS", "TRIAGE", "collect_queue", "cron_every", "poll_queue",
           "regions_of"]
