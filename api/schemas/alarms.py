"""Stored alarms in the TMF642 Alarm shape; the reduction key and merge count are extensions."""
from __future__ import annotations

from pydantic import Field

from agent.models import Alarm
from api.schemas.base import Instant, Out


class AlarmedObjectOut(Out):
    id: str = Field(description="device:port, or the device for a device-level alarm")
    device: str
    port: str | None


class AlarmOut(Out):
    id: str
    type: str = Field("Alarm", alias="@type")
    alarm_type: str
    perceived_severity: str = Field(description="critical, major, minor, warning, indeterminate, cleared")
    probable_cause: str
    specific_problem: str | None
    state: str = Field(description="raised or cleared")
    ack_state: str = "unacknowledged"
    alarmed_object: AlarmedObjectOut
    alarmed_object_type: str = Field(description="port or device")
    source_system_id: str = Field(description="how the alarm arrived: trap, syslog, poll ...")
    alarm_raised_time: Instant
    alarm_cleared_time: Instant | None
    alarm_reporting_time: Instant
    reduction_key: str = Field(description="device|port|probable cause: raises and clears pair on it")
    count: int = Field(description="raises merged into this alarm")
    is_flapping: bool
    alarm_details: str | None = Field(description="the raw trap or log text (first 1000 characters)")

    @classmethod
    def of(cls, a: Alarm) -> AlarmOut:
        data = a.data or {}
        return cls(id=str(a.id), alarm_type=a.alarm_type, perceived_severity=a.perceived_severity,
                   probable_cause=a.probable_cause, specific_problem=data.get("specific_problem") or None,
                   state=a.state,
                   alarmed_object=AlarmedObjectOut(id=f"{a.device_name}:{a.port_name}" if a.port_name else a.device_name,
                                                   device=a.device_name, port=a.port_name),
                   alarmed_object_type="port" if a.port_name else "device", source_system_id=a.source,
                   alarm_raised_time=a.raised_at, alarm_cleared_time=a.cleared_at, alarm_reporting_time=a.raised_at,
                   reduction_key=a.reduction_key, count=a.count, is_flapping=bool(data.get("flapping")),
                   alarm_details=data.get("raw"))
