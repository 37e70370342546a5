"""The duty console in a real browser against a real server on the lab: sign-in, the board's live
update, signing and dispatching from the ticket page, the NOC's read-only view, CSRF, and the
diagnosis of a fiber cut drawn on the ticket page."""
from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.slow]

EPL = "CIR-EPL-0001"


async def test_officer_sees_new_ticket_signs_and_dispatches(console, scenario, shots):
    _, page = await console("duty_officer")
    ticket = await scenario.file(EPL, "interruption", "down")
    row = page.locator(f"tr.ticket-row[data-ticket='{ticket['id']}']")
    await expect(row).to_be_visible(timeout=15_000)  # pushed by the feed: the page was not reloaded
    sign_chip = row.locator("[data-clock=sign]")
    await expect(sign_chip).to_have_attribute("data-state", "running")
    await expect(sign_chip.locator("time")).to_have_text(re.compile(r"^\d+:\d\d$"))  # the live countdown
    await page.screenshot(path=shots / "board.png", full_page=True)

    await row.locator("a[href^='/tickets/']").click()
    await page.wait_for_url(re.compile(rf"/tickets/{ticket['id']}$"))
    await page.locator("details[data-action=sign] button[type=submit]").click()
    await page.wait_for_url(re.compile(rf"/tickets/{ticket['id']}$"))
    await expect(page.locator(".status")).to_have_attribute("data-status", "inProgress")
    await expect(page.locator("#ticket-clocks [data-clock=sign]")).to_have_attribute("data-state", "met")

    dispatch = page.locator("details[data-action=dispatch]")
    await dispatch.locator("summary").click()
    await dispatch.locator("input[name=specialty]").fill("传输")
    await dispatch.locator("input[name=contractor]").fill("代维一队")
    await dispatch.locator("button[type=submit]").click()
    await expect(page.locator(".timeline li[data-kind=dispatch]")).to_contain_text("代维一队")
    assert (await scenario.get(f"/api/v1/tickets/{ticket['id']}")).json()["dispatch"]["contractor"] == "代维一队"
    await page.screenshot(path=shots / "ticket.png", full_page=True)

    await page.goto(console_url(page, "/"))
    chip = page.locator(f"tr.ticket-row[data-ticket='{ticket['id']}'] [data-clock=sign]")
    await expect(chip).to_have_attribute("data-state", "met")
    await expect(chip).to_contain_text("已达标")


def console_url(page, path: str) -> str:
    return re.sub(r"(https?://[^/]+).*", r"\1", page.url) + path


async def test_noc_sees_no_action_buttons_and_its_post_is_forbidden(console, scenario, shots):
    ticket = await scenario.file(EPL, "interruption", "down")
    _, page = await console("noc")
    await page.goto(console_url(page, f"/tickets/{ticket['id']}"))
    await expect(page.locator("#no-actions")).to_be_visible()
    assert await page.locator("#actions form").count() == 0
    csrf = await page.locator("form[action='/logout'] input[name=csrf_token]").input_value()
    # a well-formed post with the NOC's own cookie and CSRF token: refused by the role, not by CSRF
    r = await page.request.post(console_url(page, f"/tickets/{ticket['id']}/actions/sign"),
                                form={"csrf_token": csrf, "note": "noc tries"}, max_redirects=0)
    assert r.status == 403, await r.text()
    assert (await scenario.get(f"/api/v1/tickets/{ticket['id']}")).json()["status"] == "acknowledged"


async def test_form_without_csrf_token_is_refused(console, scenario):
    ticket = await scenario.file(EPL, "interruption", "down")
    _, page = await console("duty_officer")
    await page.goto(console_url(page, f"/tickets/{ticket['id']}"))
    form = page.locator("details[data-action=sign] form")
    await form.locator("input[name=csrf_token]").evaluate("e => e.remove()")
    async with page.expect_response(re.compile(r"/actions/sign$")) as answer:
        await form.locator("button[type=submit]").click()
    assert (await answer.value).status == 403
    await expect(page.locator("h1.error")).to_contain_text("CSRF")
    assert (await scenario.get(f"/api/v1/tickets/{ticket['id']}")).json()["status"] == "acknowledged"


async def test_ticket_page_shows_fiber_cut_verdict_and_faulty_segment(console, scenario, shots):
    scenario.lab.inject("fiber_cut", f"{EPL}#1")
    ticket, diagnosis = await scenario.triage(EPL, "interruption", "down")
    assert diagnosis["verdict"] == "no_light_fiber_cut"
    signed = await scenario.post_as("duty_officer", f"/api/v1/tickets/{ticket['id']}/sign", {})
    assert signed.status_code == 200, signed.text  # progress is offered once the ticket is signed
    _, page = await console("duty_officer")
    await page.goto(console_url(page, f"/tickets/{ticket['id']}"))
    await expect(page.locator(".verdict")).to_have_attribute("data-verdict", "no_light_fiber_cut")
    await expect(page.locator(".suspect[data-segment='1']")).to_be_visible()
    await expect(page.locator("tr.seg[data-segment='1']")).to_have_attribute("data-assessment", "fault")
    for other in (0, 2, 3):
        assert await page.locator(f"tr.seg[data-segment='{other}']").get_attribute("data-assessment") != "fault"
    # the drawn path: segment 1's edge in the fault colour, and the progress box drafted from the evidence
    colour = await page.evaluate("() => faultline.paths['circuit-path'].getElementById('seg:1').style('line-color')")
    assert colour in ("rgb(211,47,47)", "#d32f2f"), colour
    draft = await page.locator("details[data-action=progress] textarea[name=text]").input_value()
    assert "rx_power_dbm" in draft and "dBm" in draft, draft
    await page.screenshot(path=shots / "ticket-fiber-cut.png", full_page=True)
    await page.set_viewport_size({"width": 390, "height": 844})
    await page.screenshot(path=shots / "ticket-phone.png", full_page=True)


async def test_circuit_page_chart_has_the_polled_points(console, scenario, shots):
    poller = scenario.agent.services.poller
    for _ in range(3):
        report = await poller.poll_once()  # the scheduled optical poll, run now (e2e polls are off)
    assert report is not None
    from sqlalchemy import func, select

    from agent.models.telemetry import OpticalSample

    port = ("acc-a-sw1", "XGigabitEthernet0/0/1")
    with scenario.agent.services.session_factory() as s:
        stored = s.scalar(select(func.count()).where(OpticalSample.device_name == port[0],
                                                     OpticalSample.port_name == port[1], OpticalSample.rx_dbm.is_not(None)))
    assert stored >= 3
    _, page = await console("noc")
    await page.goto(console_url(page, f"/circuits/{EPL}"))
    await expect(page.locator("#rx-chart canvas")).to_have_count(1)
    drawn = await page.evaluate(
        "(name) => faultline.charts['rx-chart'].getOption().series.find(s => s.name === name).data.length", " ".join(port))
    assert drawn == stored
    await page.screenshot(path=shots / "circuit.png", full_page=True)
