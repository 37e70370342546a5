"""Headless Debian Chromium driven by Playwright (its own browser download is not available here).

Without Chromium (or playwright) the browser tests skip with the reason locally and fail under
CI=true (tests/support/needs.py; ``make test`` installs the Debian package when missing).
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import pytest_asyncio

from tests.support.needs import Need, chromium_path, require

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
# Where the screenshots go: kept after the run as test artefacts (look at them).
SHOTS = Path(os.environ.get("FAULTLINE_SCREENSHOTS", "var/screenshots"))


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser():
    require(Need.CHROMIUM)  # skip with the reason locally, fail under CI=true
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        chromium = await pw.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            await chromium.close()


@pytest.fixture
def shots(request) -> Path:
    folder = SHOTS / re.sub(r"[^\w.-]+", "_", request.node.name)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Console:
    """One signed-in browser context (its own cookies) on the agent's pages."""

    def __init__(self, context, agent) -> None:  # agent: the e2e RunningAgent
        self.context, self.base_url = context, agent.base_url
        # the e2e agent's bootstrap users: one per role
        self.tokens = {u.role: u.token.get_secret_value() for u in agent.services.settings.bootstrap_users}

    async def sign_in(self, role: str):
        page = await self.context.new_page()
        await page.goto(f"{self.base_url}/login")
        await page.fill("input[name=token]", self.tokens[role])
        await page.click("form[action='/login'] button[type=submit]")
        await page.wait_for_url(f"{self.base_url}/")
        return page


@pytest_asyncio.fixture(loop_scope="module")
async def console(browser, agent):
    contexts = []

    async def open_as(role: str, viewport=None):
        context = await browser.new_context(viewport=viewport or {"width": 1280, "height": 900}, locale="zh-CN",
                                            timezone_id="Asia/Shanghai")
        contexts.append(context)
        c = Console(context, agent.agent)  # the e2e `agent` fixture is its Api; .agent the RunningAgent
        return c, await c.sign_in(role)

    try:
        yield open_as
    finally:
        for context in contexts:
            await context.close()
