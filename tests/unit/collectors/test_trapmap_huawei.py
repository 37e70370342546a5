"""Huawei hwOpticalInvalid / Resume meaning (pure): the fault id says which threshold, the entity
index which port entity (HUAWEI-ENTITY-TRAP-MIB objects hwEntityPhysicalIndex, entPhysicalName,
hwEntityTrapFaultID)."""
from __future__ import annotations

import pytest

from collectors.enums import AlarmType, ProbableCause, Severity
from collectors.trapmap import TRAP_TABLE, facts, huawei_entity

INVALID = TRAP_TABLE["1.3.6.1.4.1.2011.5.25.219.2.4.5"]
RESUME = TRAP_TABLE["1.3.6.1.4.1.2011.5.25.219.2.4.6"]
ENT_NAME = "1.3.6.1.2.1.47.1.1.1.1.7"
FAULT_ID = "1.3.6.1.4.1.2011.5.25.219.1.3"
ENT_INDEX = "1.3.6.1.4.1.2011.5.25.219.1.1"


@pytest.mark.parametrize(("fault_id", "cause"), [
    (136193, ProbableCause.TX_POWER_HIGH), (136194, ProbableCause.TX_POWER_LOW),
    (136195, ProbableCause.RX_POWER_HIGH), (136196, ProbableCause.RX_POWER_LOW)])
@pytest.mark.parametrize("fault_oid", [FAULT_ID, FAULT_ID + ".0"])  # senders differ on the instance
def test_fault_id_chooses_the_threshold_for_raise_and_resume(fault_id, cause, fault_oid):
    values = {f"{ENT_NAME}.16005": "GigabitEthernet0/0/1", fault_oid: fault_id}
    (raised,) = facts(INVALID, values, "acc-a-sw1")
    (cleared,) = facts(RESUME, values, "acc-a-sw1")
    assert (raised.cause, raised.clear, cleared.cause, cleared.clear) == (cause, False, cause, True)
    assert raised.entity == 16005 and str(fault_id) in raised.specific_problem
    assert raised.severity is (Severity.CRITICAL if cause is ProbableCause.RX_POWER_LOW else Severity.MAJOR)
    assert cleared.severity is Severity.CLEARED and raised.alarm_type is AlarmType.COMMUNICATIONS


def test_no_fault_id_keeps_receive_power_low_and_another_id_is_a_module_fault():
    (old,) = facts(INVALID, {f"{ENT_NAME}.16005": "GigabitEthernet0/0/1"}, "d")
    assert old.cause is ProbableCause.RX_POWER_LOW and "no fault id" in old.specific_problem
    (other,) = facts(INVALID, {FAULT_ID + ".0": 136200}, "d")
    assert (other.cause, other.alarm_type) == (ProbableCause.EQUIPMENT_FAULT, AlarmType.EQUIPMENT)


def test_entity_index_from_hw_entity_physical_index_before_the_name_index():
    assert huawei_entity({ENT_INDEX + ".0": 67436622, f"{ENT_NAME}.5": "x"}) == 67436622
    assert huawei_entity({ENT_INDEX: 0, f"{ENT_NAME}.67436686": ""}) == 67436686
    assert huawei_entity({FAULT_ID: 136196}) is None
