"""The duty console's working panels in a real browser against a real server on the lab: the loop-test
panel (a loop set from the plan, its states shown live until cleared; the localisation to a
conclusion), who sees which loop buttons, the service problem on the board with its child ticket, the
KPI figures one click from their tickets, and the ticket page on a phone-sized screen."""
from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.slow]

EPL = "CIR-EPL-0001"
FAR_END = ("agg-rtr1", "TenGigabitEthernet1/1/1")  # far end of segment 1, shared with two MPLS circuits


def url_of(page, path: str) -> str:
    return re.sub(r"(https?://[^/]+).*", r"\1", page.url) + path


async def _cut_and_diagnosed(scenario) -> dict:
    """A fiber cut on segment 1, its ticket triaged (the diagnosis plans the loop points) and signed."""
    scenario.lab.inject("fiber_cut", f"{EPL}#1")
    ticket, diagnosis = await scenario.triage(EPL, "interruption", "down")
    assert diagnosis["verdict"] == "no_light_fiber_cut"
    await scenario.sign(ticket["id"])
    return ticket


async def test_engineer_loops_from_the_plan_and_sees_the_states_live(console, scenario, shots):
    ticket = await _cut_and_diagnosed(scenario)
    _, page = await console("engineer")
    await page.goto(url_of(page, f"/tickets/{ticket['id']}"))
    panel = page.locator("#loops")
    point = panel.locator(f"tr.loop-point[data-device='{FAR_END[0]}'][data-port='{FAR_END[1]}']")
    await expect(point).to_be_visible()
    await expect(point.locator(".shared")).to_contain_text("CIR-MPLS-0002")
    await expect(panel.locator("form.localise button[data-mode=guided]")).to_be_visible()  # the engineer may localise

    form = point.locator("form.loop-set")
    await form.locator("input[name=holdSeconds]").fill("2")
    await form.locator("input[name=confirmShared]").check()  # the shared port's other circuits, confirmed
    await form.locator("button[type=submit]").click()
    await page.wait_for_url(re.compile(rf"/tickets/{ticket['id']}#loops$"))
    test = page.locator("#loops li.loop-test").first
    await expect(page.locator("#loops")).to_have_attribute("data-live", "yes")  # refreshing itself
    # the page is not reloaded: the panel swaps itself in until the loop is cleared and read back
    await expect(page.locator("#loops li.loop-test").first).to_have_attribute("data-state", "cleared", timeout=60_000)
    test = page.locator("#loops li.loop-test").first
    for step in ("requested", "setting", "set", "measuring", "clearing", "cleared"):
        await expect(test.locator(f".step[data-step={step}]")).to_have_class(re.compile(r"\bdone\b"))
    await expect(test.locator(".result")).to_have_attribute("data-signal", "not_returned")  # beyond the cut
    await expect(page.locator("#loops")).to_have_attribute("data-live", "no")  # and stops asking
    await page.screenshot(path=shots / "ticket-loop.png", full_page=True)

    done = [x for x in (await scenario.get(f"/api/v1/tickets/{ticket['id']}/loop-tests")).json() if x["state"] == "cleared"]
    assert done and done[-1]["loopPoint"] == {"device": FAR_END[0], "port": FAR_END[1]}
    assert done[-1]["requestedBy"] == "engineer-user" and done[-1]["holdSeconds"] == 2
    assert scenario.lab.port_state(*FAR_END).loop is None

    # automatic localisation along the plan, to its conclusion (a new diagnosis)
    localise = page.locator("#loops form.localise")
    await localise.locator("input[name=holdSeconds]").fill("2")
    await localise.locator("input[name=confirmShared]").check()
    await localise.locator("button[data-mode=auto]").click()
    loc = page.locator("#loops .localisation")
    await expect(loc).to_have_attribute("data-mode", "auto")
    await expect(loc).to_have_attribute("data-state", re.compile("concluded|inconclusive"), timeout=90_000)
    await expect(loc.locator(".conclusion")).to_have_attribute("data-outcome", "fault_segment")
    await expect(loc.locator(".conclusion")).to_contain_text("#1")
    await page.screenshot(path=shots / "ticket-localised.png", full_page=True)


async def test_loop_buttons_follow_the_policy_and_the_board_shows_the_problem(console, scenario, shots):
    _, officer = await console("duty_officer")  # on the board before the cut
    ticket = await _cut_and_diagnosed(scenario)
    # the cut segment carries other circuits: the diagnosis grouped the ticket into a service problem,
    # and the board shows it among the problem's children without a reload (the feed's event)
    linked = (await scenario.get(f"/api/v1/tickets/{ticket['id']}/problem")).json()["problem"]
    assert linked is not None, "the fiber cut's diagnosis grouped no problem"
    problem = {"problemId": linked["id"]}
    card = officer.locator(f"#problems li.problem[data-problem='{problem['problemId']}']")
    await expect(card.locator(f"a.child[data-ticket='{ticket['id']}']")).to_be_visible(timeout=15_000)
    await expect(officer.locator(f"tr.ticket-row[data-ticket='{ticket['id']}']")).to_have_attribute(
        "data-problem", str(problem["problemId"]))
    await officer.screenshot(path=shots / "board-problem.png", full_page=True)

    await officer.goto(url_of(officer, f"/tickets/{ticket['id']}"))
    await expect(officer.locator("#ticket-problem")).to_have_attribute("href", f"/problems/{problem['problemId']}")
    panel = officer.locator("#loops")
    await expect(panel.locator("form.loop-set").first).to_be_visible()  # a duty officer may loop (LOOP_TEST) ...
    assert await panel.locator("form.localise").count() == 0  # ... but not localise (LOOP_LOCALISE)

    _, noc = await console("noc")
    await noc.goto(url_of(noc, f"/tickets/{ticket['id']}"))
    await expect(noc.locator("#loops tr.loop-point").first).to_be_visible()  # the NOC reads the plan
    assert await noc.locator("#loops form").count() == 0
    csrf = await noc.locator("form[action='/logout'] input[name=csrf_token]").input_value()
    r = await noc.request.post(url_of(noc, f"/tickets/{ticket['id']}/loops"), max_redirects=0, form={
        "csrf_token": csrf, "device": FAR_END[0], "port": FAR_END[1], "mode": "remote"})
    assert r.status == 403, await r.text()
    assert (await scenario.get(f"/api/v1/tickets/{ticket['id']}/loop-tests")).json() == []

    # the problem's page: the children, and the problem's own work for the officer (acknowledge, progress to every child)
    await officer.locator("#ticket-problem").click()
    await officer.wait_for_url(re.compile(rf"/problems/{problem['problemId']}$"))
    await expect(officer.locator(f"#children tr.child[data-ticket='{ticket['id']}']")).to_be_visible()
    detail = (await scenario.get(f"/api/v1/problems/{problem['problemId']}")).json()
    if "acknowledge" in detail["allowedActions"]:
        await officer.locator("details[data-action=acknowledge] button[type=submit]").click()
        await expect(officer.locator("#problem")).to_have_attribute("data-status", "acknowledged")
    else:  # the loop result of the module's earlier test, on another child, was the problem's first work
        assert detail["status"] == "inProgress", detail["status"]
        assert await officer.locator("details[data-action=acknowledge]").count() == 0
    progress = officer.locator("details[data-action=progress]")
    await progress.evaluate("d => { d.open = true; }")  # the first form is drawn open, the others folded
    await progress.locator("textarea[name=text]").fill("光缆抢修中 / fibre repair under way")
    await progress.locator("button[type=submit]").click()
    await expect(officer.locator("#problem")).to_have_attribute("data-status", "inProgress")
    journal = await scenario.journal(ticket["id"])
    assert any(n["kind"] == "progress" and "光缆抢修中" in n["text"] for n in journal), journal[-3:]
    await officer.screenshot(path=shots / "problem.png", full_page=True)
    assert await noc.goto(url_of(noc, f"/problems/{problem['problemId']}")) is not None
    assert await noc.locator("#problem-actions form").count() == 0  # the NOC reads only


async def test_kpi_figure_opens_the_tickets_behind_it(console, scenario, shots):
    ticket = await scenario.file(EPL, "interruption", "down")
    await scenario.sign(ticket["id"])  # signed at once: an on-time sign counted today
    _, page = await console("duty_officer")
    await page.goto(url_of(page, "/kpis"))
    link = page.locator("tr[data-period=today] td[data-kpi=signTimeliness] a.drill[data-outcome=on_time]")
    await link.click()
    await page.wait_for_url(re.compile(r"/kpis/tickets\?"))
    await expect(page.locator(f"table.kpi-tickets tr[data-ticket='{ticket['id']}']")).to_be_visible()
    count = int(await page.locator("#kpi-count").inner_text())
    assert count == await page.locator("table.kpi-tickets tbody tr[data-ticket]").count()
    await page.screenshot(path=shots / "kpi-drill.png", full_page=True)


async def test_ticket_page_fits_a_phone(console, scenario, shots):
    ticket = await _cut_and_diagnosed(scenario)
    _, page = await console("engineer", viewport={"width": 390, "height": 844})
    await page.goto(url_of(page, f"/tickets/{ticket['id']}"))
    await expect(page.locator(".verdict")).to_have_attribute("data-verdict", "no_light_fiber_cut")
    width = await page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide on a 390 px screen"
    await expect(page.locator("#circuit-path canvas").first).to_be_visible()
    await page.screenshot(path=shots / "ticket-phone.png", full_page=True)
    await page.goto(url_of(page, "/"))
    assert await page.evaluate("() => document.documentElement.scrollWidth") <= 390
    await page.screenshot(path=shots / "board-phone.png", full_page=True)
