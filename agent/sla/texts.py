"""Journal and notification wording of fired milestones (Chinese term first, as the duty staff read it)."""
from __future__ import annotations

from agent.sla.calendar import WorkingDayCalendar
from agent.sla.model import ClockKind as C
from agent.sla.model import ClockView, Milestone, SlaRules
from agent.sla.model import MilestoneKind as M


def _min(td) -> str:
    return f"{int(td.total_seconds() // 60)} min"


def describe(m: Milestone, rules: SlaRules, view: ClockView | None, contacts: list[str],
             calendar: WorkingDayCalendar) -> str:
    due_local = m.due_at.astimezone(calendar.tz).strftime("%Y-%m-%d %H:%M")
    if m.clock is C.SIGN and m.kind is M.WARNING:
        return (f"签收预警 / sign warning: not signed {_min(rules.sign_warn)} after arrival "
                f"(limit {_min(rules.sign_limit)}, rule 1)")
    if m.clock is C.SIGN:
        return f"签收超时 / sign breach: not signed within {_min(rules.sign_limit)} of arrival (rule 1)"
    if m.clock is C.CONTACT:
        return (f"联系用户结果超时 / contact feedback breach: no result of contacting the customer "
                f"{_min(rules.contact_feedback)} after dispatch (rule 3)")
    if m.clock is C.PROGRESS:
        return (f"进展超时 / progress breach: no progress entry for {_min(rules.progress_interval)} of fault time "
                f"(cycle {m.seq}, rule 4)")
    if m.clock in (C.ESCALATION_L1, C.ESCALATION_L2):
        level, limit = (1, rules.escalation_level1) if m.clock is C.ESCALATION_L1 else (2, rules.escalation_level2)
        who = "客响中心主任 / customer response center director" if level == 1 else "分管运维副总 / deputy GM for operations"
        return (f"故障升级 / escalation level {level}: unresolved after {_min(limit)} of fault time "
                f"(suspension excluded); reported to {who}: {', '.join(contacts) or '-'} (rule 7)")
    if m.clock is C.RESOLUTION:
        return (f"故障处理超时 / fault over time: fault time passed {_min(rules.fault_time_limit)}; "
                f"the fault report is due within {rules.report_working_days_overtime} working day (rule 10)")
    if m.clock is C.REPORT and m.kind is M.REPORT_DUE:
        # the milestone carries its own resolution's deadline: the clock may show a later resolution
        due = calendar.format_local(m.detail["report_due_at"])
        days = m.detail["working_days"]
        return f"故障报告待提交 / fault report due by {due} ({calendar.tz.key}), {days} working day(s) (rule 10)"
    if m.clock is C.REPORT:
        return (f"故障报告超时 / fault report overdue since {calendar.format_local(m.due_at)} ({calendar.tz.key}) "
                f"(rule 10)")
    return f"{m.clock.value} {m.kind.value} due {due_local}"
