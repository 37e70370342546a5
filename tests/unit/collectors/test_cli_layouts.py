"""Layout variants of the commands the captures sample, written here from the layouts the vendors
document and other devices print (label spellings, lane counts, -Inf, flags on any column), so the
templates are checked on the layout class and not only on the one capture of each."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from collectors.cli.parse import parse_records, to_optical
from collectors.profiles import get_profile

READ_AT = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)


def optical(platform: str, key: str, text: str):
    parser = get_profile(platform).parsers[key]
    return {r.port: r for r in to_optical(parse_records(platform, parser, text), parser, "d", "c", READ_AT)}


# VRP5 S-switch release that writes "Current Rx Power(dBM)" and "Default"/"User Set" thresholds
VRP5_CURRENT_DEFAULT = """
GigabitEthernet0/0/25 transceiver information:
-------------------------------------------------------------
Diagnostic information:
  Temperature(\u00b0C)                :39
  Voltage(V)                     :3.31
  Bias Current(mA)               :23.70
  Current Rx Power(dBM)          :-11.12
  Default Rx Power High Threshold(dBM) :1.00
  Default Rx Power Low Threshold(dBM)  :-23.01
  Current Tx Power(dBM)          :-5.55
  Default Tx Power High Threshold(dBM) :1.00
  Default Tx Power Low Threshold(dBM)  :-13.50
  User Set Rx Power High Threshold(dBM) :3.00
  User Set Rx Power Low Threshold(dBM)  :-20.00
-------------------------------------------------------------
"""

# CloudEngine 400G module: eight lanes over four lines, bias lanes with a space before "(Lane",
# one dark lane printed -Inf, and a second port in the same output
CE_8_LANES = """
 400GE1/0/1 transceiver information:
-------------------------------------------------------------------
 Alarm information:
-------------------------------------------------------------------
 Diagnostic information:
   Temperature (Celsius)                 :41.20
   Voltage (V)                           :3.30
   Bias Current (mA)                     :8.10|8.20 (Lane0|Lane1)
                                          8.30|9.90 (Lane2|Lane3)
                                          8.10|8.20 (Lane4|Lane5)
                                          8.30|8.40 (Lane6|Lane7)
   Bias High Threshold (mA)              :15.00
   Bias Low Threshold (mA)               :2.00
   Current RX Power (dBm)                :-1.10|-1.20(Lane0|Lane1)
                                          -1.30|-1.40(Lane2|Lane3)
                                          -1.50|-Inf(Lane4|Lane5)
                                          -1.70|-1.80(Lane6|Lane7)
   Default RX Power High Threshold (dBm) :4.00
   Default RX Power Low Threshold (dBm)  :-10.40
   Current TX Power (dBm)                :0.10|0.20(Lane0|Lane1)
                                          0.30|0.40(Lane2|Lane3)
                                          0.50|0.60(Lane4|Lane5)
                                          0.70|0.80(Lane6|Lane7)
   Default TX Power High Threshold (dBm) :4.00
   Default TX Power Low Threshold (dBm)  :-6.40
-------------------------------------------------------------------

 10GE1/0/2 transceiver information:
-------------------------------------------------------------------
 Diagnostic information:
   Temperature (Celsius)                 :30.90
   Voltage (V)                           :3.28
   Bias Current (mA)                     :6.44
   Current RX Power (dBm)                :-3.07
   Default RX Power High Threshold (dBm) :2.50
   Default RX Power Low Threshold (dBm)  :-12.70
   Current TX Power (dBm)                :-2.64
   Default TX Power High Threshold (dBm) :1.00
   Default TX Power Low Threshold (dBm)  :-9.30
-------------------------------------------------------------------
"""


def test_huawei_verbose_current_and_default_labels():
    r = optical("huawei_vrp", "display_transceiver_verbose", VRP5_CURRENT_DEFAULT)["GigabitEthernet0/0/25"]
    assert (r.rx_dbm, r.tx_dbm, r.temperature_c, r.bias_ma) == (-11.12, -5.55, 39.0, 23.7)
    # the module's own thresholds, not the operator's "User Set" ones
    assert (r.rx_thresholds.low_alarm, r.rx_thresholds.high_alarm) == (-23.01, 1.0)
    assert (r.tx_thresholds.low_alarm, r.tx_thresholds.high_alarm) == (-13.5, 1.0)


def test_huawei_verbose_eight_lanes_minus_inf_and_two_ports():
    readings = optical("huawei_vrp", "display_transceiver_verbose", CE_8_LANES)
    assert sorted(readings) == ["10GE1/0/2", "400GE1/0/1"]
    big = readings["400GE1/0/1"]
    assert big.rx_lanes_dbm == (-1.1, -1.2, -1.3, -1.4, -1.5, -40.0, -1.7, -1.8)  # -Inf: no light
    assert big.tx_lanes_dbm == (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
    assert big.rx_dbm == -40.0 and big.bias_ma == 9.9  # weakest lane; the highest laser bias
    assert (big.rx_thresholds.low_alarm, big.tx_thresholds.low_alarm) == (-10.4, -6.4)
    small = readings["10GE1/0/2"]
    assert (small.rx_dbm, small.tx_dbm, small.rx_thresholds.low_alarm) == (-3.07, -2.64, -12.7)


CISCO_FLAGS_EVERYWHERE = """\
                                         Optical   Optical
            Temperature  Voltage  Current   Tx Power  Rx Power
Port        (Celsius)    (Volts)  (mA)      (dBm)     (dBm)
----------  -----------  -------  --------  --------  --------
Gi1/0/1       76.1 ++     3.30       6.2      -2.7      -8.8
Gi1/0/2       25.8       3.01 --     6.1      -2.7      -3.1
Gi1/0/3       25.1       3.30      95.0 +    -2.6      -4.4
Gi1/0/4       26.5       3.30       6.0     -9.6 -    -40.0 --
Gi1/0/5       26.5       3.30       6.0      1.6 ++    -0.2 +
Gi1/0/6       26.5       3.30       6.0 -    -2.1-     -7.7--
"""


def test_cisco_flags_after_every_column_are_read_and_kept():
    readings = optical("cisco_ios", "show_interfaces_transceiver", CISCO_FLAGS_EVERYWHERE)
    got = {p: (r.temperature_c, r.voltage_v, r.bias_ma, r.tx_dbm, r.rx_dbm) for p, r in readings.items()}
    assert got == {
        "Gi1/0/1": (76.1, 3.3, 6.2, -2.7, -8.8), "Gi1/0/2": (25.8, 3.01, 6.1, -2.7, -3.1),
        "Gi1/0/3": (25.1, 3.3, 95.0, -2.6, -4.4), "Gi1/0/4": (26.5, 3.3, 6.0, -9.6, -40.0),
        "Gi1/0/5": (26.5, 3.3, 6.0, 1.6, -0.2), "Gi1/0/6": (26.5, 3.3, 6.0, -2.1, -7.7),
    }
    marks = {p: sorted(n for n in r.notes if n.startswith("device marks")) for p, r in readings.items()}
    assert marks == {
        "Gi1/0/1": ["device marks temperature high_alarm"], "Gi1/0/2": ["device marks voltage low_alarm"],
        "Gi1/0/3": ["device marks bias high_warning"],
        "Gi1/0/4": ["device marks rx low_alarm", "device marks tx low_warning"],
        "Gi1/0/5": ["device marks rx high_warning", "device marks tx high_alarm"],
        "Gi1/0/6": ["device marks bias low_warning", "device marks rx low_alarm", "device marks tx low_warning"],
    }


@pytest.mark.parametrize("banner", [
    "Transceiver monitoring is disabled for all interfaces.\n\n",
    "ITU Channel not available (Wavelength not available),\nTransceiver is internally calibrated.\n",
    "Load for five secs: 5%/0%; one minute: 6%; five minutes: 6%\nTime source is NTP, 08:01:02.123 UTC Thu Dec 3 2026\n",
])
def test_cisco_banners_before_the_table_are_text(banner):
    readings = optical("cisco_ios", "show_interfaces_transceiver", banner + CISCO_FLAGS_EVERYWHERE)
    assert len(readings) == 6
