"""Triage (自动诊断): ticket arrives -> path resolved -> evidence collected from every device of the
path concurrently -> diagnosis.diagnose -> stored, journalled, exposed.

    path.py      inventory rows -> diagnosis.CircuitPath + collectors.DeviceTarget
    evidence.py  collectors readings -> diagnosis.Observations (pure mapping)
    service.py   orchestration: scheduling, deadline, storage, journal
"""
