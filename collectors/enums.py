"""Enumerations of the collectors package, in one place (the agent maps them onto its own)."""
from __future__ import annotations

from enum import StrEnum


class Method(StrEnum):
    """How a reading was obtained."""

    SNMP = "snmp"
    CLI = "cli"
    TRAP = "trap"


class Want(StrEnum):
    """What a survey (巡检) can read from a device."""

    OPTICAL = "optical"
    INTERFACE = "interface"
    COUNTERS = "counters"
    ALARMS = "alarms"


class AdminStatus(StrEnum):
    UP = "up"
    DOWN = "down"
    TESTING = "testing"
    UNKNOWN = "unknown"


class OperStatus(StrEnum):
    """IF-MIB ifOperStatus values."""

    UP = "up"
    DOWN = "down"
    TESTING = "testing"
    UNKNOWN = "unknown"
    DORMANT = "dormant"
    NOT_PRESENT = "notPresent"
    LOWER_LAYER_DOWN = "lowerLayerDown"


class Duplex(StrEnum):
    FULL = "full"
    HALF = "half"
    UNKNOWN = "unknown"


class LoopMode(StrEnum):
    """Loopback (打环) direction: local = towards the device itself, remote = back towards the line."""

    LOCAL = "local"
    REMOTE = "remote"


class AlarmType(StrEnum):
    """TMF642 alarmType."""

    COMMUNICATIONS = "communicationsAlarm"
    EQUIPMENT = "equipmentAlarm"
    PROCESSING_ERROR = "processingErrorAlarm"
    ENVIRONMENTAL = "environmentalAlarm"
    QUALITY_OF_SERVICE = "qualityOfServiceAlarm"


class Severity(StrEnum):
    """TMF642 perceivedSeverity."""

    CRITICAL = "critical"
    MAJOR = "major"
    MINOR = "minor"
    WARNING = "warning"
    INDETERMINATE = "indeterminate"
    CLEARED = "cleared"


class ProbableCause(StrEnum):
    """The probable causes the collectors can name (X.733 / TMF642 style, camelCase like TMF)."""

    LINK_DOWN = "linkDown"
    LOSS_OF_SIGNAL = "lossOfSignal"
    RX_POWER_LOW = "receivePowerLow"
    RX_POWER_HIGH = "receivePowerHigh"
    TX_POWER_LOW = "transmitPowerLow"
    TX_POWER_HIGH = "transmitPowerHigh"
    TRANSCEIVER_ABSENT = "transceiverAbsent"
    EQUIPMENT_FAULT = "equipmentMalfunction"
    CRC_ERRORS = "crcErrorsExceeded"
    TEMPERATURE_HIGH = "temperatureHigh"
    TEMPERATURE_LOW = "temperatureLow"
    LASER_BIAS_HIGH = "laserBiasHigh"
    LASER_BIAS_LOW = "laserBiasLow"
    VOLTAGE_HIGH = "voltageHigh"
    VOLTAGE_LOW = "voltageLow"
    UNKNOWN = "unknown"


class PowerUnit(StrEnum):
    """Units a device reports optical power in (Huawei differs by platform generation)."""

    CENTI_DBM = "0.01dBm"
    MICROWATT = "uW"
    DBM = "dBm"
