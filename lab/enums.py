"""Enumerations of the lab, in one place (the lab imports nothing from the product packages)."""
from __future__ import annotations

from enum import StrEnum


class Vendor(StrEnum):
    HUAWEI = "huawei_vrp"
    CISCO = "cisco_ios"
    ZTE = "zte_zxros"
    JUNOS = "juniper_junos"  # commit platform: commit confirmed <minutes>
    XR = "cisco_xr"  # commit platform: commit confirmed <seconds>


# Inventory platforms the lab simulates with another vendor's devices in a mode of theirs:
# a Huawei CloudEngine (VRP8) in two-stage-commit mode (commit trial <seconds>).
PLATFORM_ALIASES: dict[str, tuple[Vendor, bool]] = {"huawei_vrp8": (Vendor.HUAWEI, True)}
# netmiko device types where the platform name is not one
NETMIKO_TYPES: dict[str, str] = {"huawei_vrp8": "huawei_vrpv8"}


class FaultKind(StrEnum):
    FIBER_DEGRADED = "fiber_degraded"  # 光衰增大: +N dB on a segment
    FIBER_CUT = "fiber_cut"  # 断纤
    LOOSE_CONNECTOR = "loose_connector"  # 接头松动: intermittent flaps
    DUPLEX_MISMATCH = "duplex_mismatch"  # 双工不匹配
    SPEED_MISMATCH = "speed_mismatch"  # 速率不匹配: one end forced to another speed than its peer
    PORT_CONGESTION = "port_congestion"  # 用户线路跑满
    EGRESS_CONGESTION = "egress_congestion"  # 城域网出口拥塞
    CPE_POWER_OFF = "cpe_power_off"  # 客户端设备掉电
    TRANSCEIVER_AGEING = "transceiver_ageing"  # 光模块老化: Tx drifts down N dB/day


class LoopMode(StrEnum):
    """Where a port reflects the signal (环回方式)."""

    LOCAL = "local"  # internal: the port's own Tx comes back into its own Rx
    REMOTE = "remote"  # line side: what arrives from the far end is sent back to it


class LinkEventKind(StrEnum):
    LINK_DOWN = "link_down"
    LINK_UP = "link_up"
    RX_LOW_ALARM = "rx_low_alarm"
    RX_LOW_CLEAR = "rx_low_clear"
    TX_LOW_ALARM = "tx_low_alarm"  # the transmitter below its low alarm threshold (ageing laser)
    TX_LOW_CLEAR = "tx_low_clear"
    CRC_RISING = "crc_rising"  # CRC errors above the alarm threshold (hwIfMonitorCrcErrorRising)
    CRC_RESUME = "crc_resume"


class PowerUnit(StrEnum):
    """How a Huawei agent encodes hwEntityOpticalRx/TxPower (HUAWEI-ENTITY-EXTENT-MIB)."""

    CENTI_DBM = "centi_dbm"  # 0.01 dBm, as the MIB says (AR, NE, CloudEngine)
    MICROWATT = "microwatt"  # uW: VRP5 S-series switches (LibreNMS S5720 recordings)


class CliDialect(StrEnum):
    """The Huawei CLI generation whose layouts a device prints."""

    VRP5 = "vrp5"  # S-series, AR: 'RX Power(dBM)', alarm rows indented by two spaces
    VRP8 = "vrp8"  # CloudEngine: 'Current RX Power (dBm) :a|b(Lane0|Lane1)'
