"""The Protocols in collectors.base describe what the agent's device adapter really offers."""
from __future__ import annotations

import importlib
import inspect

import pytest

from collectors.base import DeviceReader, LoopDriver

ADAPTER_HOMES = (("agent.devices", "DeviceGateway"),)


def _adapter() -> type:
    for module, name in ADAPTER_HOMES:
        try:
            return getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError):
            continue
    pytest.fail(f"no agent device adapter found in {ADAPTER_HOMES}")


def _members(protocol: type) -> list[str]:
    return [n for n, v in vars(protocol).items() if inspect.iscoroutinefunction(v)]


@pytest.mark.parametrize("protocol", [DeviceReader, LoopDriver])
def test_the_agent_adapter_implements_the_protocol_with_the_same_parameters(protocol):
    adapter = _adapter()
    assert _members(protocol), protocol
    for name in _members(protocol):
        implemented = getattr(adapter, name, None)
        assert implemented is not None and inspect.iscoroutinefunction(implemented), name
        wanted = list(inspect.signature(getattr(protocol, name)).parameters)
        assert list(inspect.signature(implemented).parameters) == wanted, name
    assert isinstance(adapter(), protocol)
