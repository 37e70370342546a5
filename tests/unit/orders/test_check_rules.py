"""The measured answer's rules (agent/checks/rules.py) on hand-computed readings."""
from __future__ import annotations

from agent.checks import rules

CLASSES = rules.load_module_classes()


def _port(name, **kw) -> rules.PortFacts:
    base = dict(port=name, circuits=(), description=None, admin_up=True, oper_up=False, module_present=True,
                module_class="1000BASE-LX", rx_dbm=None, tx_dbm=-5.0, speed_mbps=1000.0)
    return rules.PortFacts(**{**base, **kw})


def test_a_port_is_free_only_without_circuit_description_and_link():
    assert rules.judge_port(_port("p1")).free
    assert rules.judge_port(_port("p2", circuits=("CIR-1",))).reasons == ("carries CIR-1 in the inventory",)
    assert rules.judge_port(_port("p3", description="  ")).free  # blank is no description
    assert not rules.judge_port(_port("p4", description="to bank")).free
    assert rules.judge_port(_port("p5", oper_up=True)).reasons == ("oper up",)
    assert rules.judge_port(_port("p6", oper_up=None)).reasons == ("oper status unreadable",)


def test_access_fibre_budget_against_the_module_class():
    """1000BASE-LX, Tx -5.0 measured, 3 km: budget 3 x 0.35 + 2 x 0.5 = 2.05 dB, Rx -7.05, margin 12.95."""
    fit = rules.access_fit(CLASSES["1000BASE-LX"], -5.0, 3.0, 2, 0, 3.0)
    assert (fit.budget_db, fit.rx_expected_dbm, fit.margin_db, fit.fits) == (2.05, -7.05, 12.95, True)
    # beyond the class's 5 km reach it does not fit whatever the margin; the ZX class (70 km) does
    assert not rules.access_fit(CLASSES["1000BASE-LX"], -5.0, 8.0, 2, 0, 3.0).fits
    zx = rules.access_fit(CLASSES["1000BASE-ZX"], None, 40.0, 2, 4, 3.0)
    # class minimum Tx 0: 40 x 0.25 + 1 + 0.4 = 11.4 dB -> Rx -11.4, 11.6 above -23
    assert (zx.tx_from, zx.budget_db, zx.margin_db, zx.fits) == ("class minimum", 11.4, 11.6, True)


def test_the_proposal_prefers_a_fitted_module_then_names_the_module_to_fit():
    ports = [rules.judge_port(p) for p in (
        _port("GE1", module_present=False, module_class=None, tx_dbm=None),
        _port("GE2", circuits=("CIR-9",)),
        _port("GE3"))]
    assert rules.propose_port(ports, CLASSES, 100, 3.0, 2, 0, 3.0).port == "GE3"
    only_bare = [ports[0], ports[1]]
    proposal = rules.propose_port(only_bare, CLASSES, 100, 8.0, 2, 0, 3.0)
    assert (proposal.port, proposal.needs_module) == ("GE1", "1000BASE-LX10")  # the shortest reach that carries 8 km
    assert rules.propose_port([ports[1]], CLASSES, 100, 3.0, 2, 0, 3.0).port is None


def test_uplink_fit_adds_the_new_rate_to_the_busier_direction():
    u = rules.uplink_fit(rules.UplinkReading("agg:Te1", 10000, 400, 6500, 1.0), 800, 0.7)
    assert (u.fits, u.utilisation_now, u.utilisation_after) == (False, 0.65, 0.73)
    assert rules.uplink_fit(rules.UplinkReading("agg:Te1", 10000, 400, 6000, 1.0), 800, 0.7).fits
    assert not rules.uplink_fit(rules.UplinkReading("agg:Te1", 10000, None, 6000, None), 800, 0.7).fits


def test_a_hop_over_budget_by_less_than_3_db_is_a_warning_not_a_refusal():
    h = rules.HopReading(0, "a:1", "z:1", 4.3, 4.4, 4.4, -6.4, -6.5, -14.4, -14.4)
    fit = rules.hop_fit(h, 3.0)
    assert fit.fits and fit.warnings
    bad = rules.hop_fit(rules.HopReading(0, "a:1", "z:1", 4.3, 10.4, 4.4, -6.4, -12.5, -14.4, -14.4), 3.0)
    assert not bad.fits and len(bad.reasons) == 2
    assert bad.reasons[1] == "Rx -12.5 dBm at z:1 is 1.9 dB above its sensitivity -14.4 dBm (needs 3)"
