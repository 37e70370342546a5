"""`diagnose()`: choose the playbook from the ticket's kind and symptom, run it, return the diagnosis."""
from __future__ import annotations

from diagnosis import playbook_alarms, playbook_interruption, playbook_quality
from diagnosis.actions import verdict_actions
from diagnosis.conclude import assemble
from diagnosis.context import Work
from diagnosis.enums import ActionCode, Playbook, Symptom, TicketKind, Verdict
from diagnosis.index import ObservationIndex
from diagnosis.path import CircuitPath
from diagnosis.readings import Observations
from diagnosis.result import Diagnosis
from diagnosis.thresholds import DEFAULT_THRESHOLDS, Thresholds
from diagnosis.ticket import TicketContext
from diagnosis.wording import action


def choose_playbook(ticket: TicketContext) -> Playbook:
    """Interruption tickets (中断类) run playbook 3 whatever the symptom; assist-check tickets (协查类)
    by symptom: interruption/flap -> 1, latency/errors -> 2, down -> 3."""
    if ticket.kind == TicketKind.INTERRUPTION or ticket.symptom == Symptom.DOWN:
        return Playbook.INTERRUPTION
    if ticket.symptom == Symptom.LATENCY_OR_ERRORS:
        return Playbook.ASSIST_QUALITY
    return Playbook.ASSIST_ALARMS


def diagnose(path: CircuitPath, observations: Observations, ticket: TicketContext,
             thresholds: Thresholds = DEFAULT_THRESHOLDS) -> Diagnosis:
    playbook = choose_playbook(ticket)
    start, end = ticket.window(thresholds)
    work = Work(path=path, index=ObservationIndex.build(observations), ticket=ticket,
                thresholds=thresholds, window_start=start, window_end=end)
    if not path.segments:
        return _missing_handover(work, playbook)
    if playbook == Playbook.ASSIST_ALARMS:
        return playbook_alarms.run(work)
    if playbook == Playbook.ASSIST_QUALITY:
        return playbook_quality.run(work)
    return playbook_interruption.run(work)


def _missing_handover(work: Work, playbook: Playbook) -> Diagnosis:
    """Interruption rule 5: missing hand-over data (电路资料未移交) is handled as a fault; the text
    never calls the circuit "not accepted"."""
    work.find(Verdict.MISSING_HANDOVER_DATA,
              "电路无路由资料（段落、端口），无法逐段核查",
              "the circuit has no path data (segments, ports): nothing can be checked segment by segment")
    actions = verdict_actions(Verdict.MISSING_HANDOVER_DATA)
    if playbook == Playbook.INTERRUPTION:
        actions.insert(0, action(ActionCode.CONTACT_CUSTOMER_FIRST))
    return assemble(work, playbook, Verdict.MISSING_HANDOVER_DATA, (Verdict.MISSING_HANDOVER_DATA,),
                    actions, ())
