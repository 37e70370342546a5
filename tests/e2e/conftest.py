"""End to end: the lab network and the agent (API + triage) in one event loop, over real SNMP/SSH/HTTP.
One agent per module; a lab of its own per test (a lab keeps its devices' alarm history, which the
verdicts read), its inventory imported into the agent."""
from __future__ import annotations

import pytest_asyncio

from tests.support.api import Api
from tests.support.lab import started_lab
from tests.support.server import agent_on


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def agent(sqlite_template, tmp_path_factory):
    """The agent as the duty officer sees it (an ``Api``); ``agent.agent`` is the RunningAgent."""
    url = sqlite_template.copy(tmp_path_factory.mktemp("e2e") / "faultline.db")
    # a 2 s counter interval keeps the measured utilisation steady when the machine is loaded
    # One agent serves scenarios that change the network seconds apart (a fault injected, a lab device
    # restarted): a device survey reused from the previous scenario would describe the old network.
    async with agent_on(url, triage_deadline_seconds=10.0, triage_counter_interval_seconds=2.0,
                        device_read_fresh_seconds=0) as api:
        yield api


@pytest_asyncio.fixture(loop_scope="module")
async def scenario(agent):
    """A fresh lab, the agent's inventory pointed at it: ``scenario.lab``, ``scenario.triage(...)``."""
    async with started_lab() as lab:
        api = Api(agent.http, agent=agent.agent, lab=lab)
        await api.import_inventory(lab)
        yield api
