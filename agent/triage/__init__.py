"""Triage (自动诊断): ticket arrives -> path resolved -> evidence collected from every device of the
path concurrently -> diagnosis.diagnose -> stored, journalled, exposed.

    path.py      inventory rows -> diagnosis.CircuitPath + collectors.DeviceTarget
    evidence.py  collectors readings -> diagnosis.Observations (pure mapping)
    service.py   orchestration: scheduling, deadline, storage, journal
    collect.py   the collectors as triage uses them (coalesced surveys, counters for rates, loops)
    cutovers.py  planned cutover windows (割接): store, approval, the approved windows of a circuit
"""
