"""The policy table is the one place roles get rights: complete, and what the lifecycle enforces."""
from __future__ import annotations

import pytest

from agent.enums import Role
from agent.policy import POLICY, Permission, may
from agent.tickets.lifecycle import ACTIONS


def test_every_permission_has_roles_and_admin_may_do_everything() -> None:
    assert set(POLICY) == set(Permission)
    for permission, roles in POLICY.items():
        assert roles, permission
        assert Role.ADMIN in roles or permission in {Permission.TICKET_APPROVE_SUSPENSION,
                                                     Permission.TICKET_REJECT_SUSPENSION}, permission


def test_every_lifecycle_action_takes_its_roles_from_the_table() -> None:
    for name, action in ACTIONS.items():
        assert action.roles == POLICY[Permission(name)]


@pytest.mark.parametrize(("role", "permission", "allowed"), [
    (Role.NOC, Permission.READ, True),
    (Role.NOC, Permission.LOOP_TEST, False),  # the NOC reads, it never touches a device
    (Role.ENGINEER, Permission.LOOP_TEST, True),
    (Role.ENGINEER, Permission.TICKET_SIGN, False),  # 签收 is the duty officer's
    (Role.PROVINCE, Permission.TICKET_APPROVE_SUSPENSION, True),
    (Role.DUTY_OFFICER, Permission.TICKET_APPROVE_SUSPENSION, False),  # the province approves 挂起
    (Role.DUTY_OFFICER, Permission.CUTOVER_APPROVE, False),
    (Role.PROVINCE, Permission.CUTOVER_APPROVE, True),
    (Role.ENGINEER, Permission.INVENTORY_IMPORT, False),
])
def test_rights_of_the_source(role: Role, permission: Permission, allowed: bool) -> None:
    assert may(role, permission) is allowed
