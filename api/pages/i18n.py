"""The console's words in Chinese (default) and English; one switch (a cookie) picks the language.

Ticket states, clock kinds, verdicts and actions are looked up by their enum value, so a new value
shows as itself until it is given words here, never as an error.
"""
from __future__ import annotations

from collections.abc import Callable

from agent.tickets import ACTIONS
from diagnosis.verdicts import VERDICT_TITLES

LANG_COOKIE = "fl_lang"
LANGUAGES = ("zh", "en")

WORDS: dict[str, tuple[str, str]] = {
    "app": ("faultline 值班台", "faultline duty console"),
    "board": ("值班看板", "Duty board"), "alarms": ("告警", "Alarms"), "kpis": ("考核指标", "KPIs"),
    "cutovers": ("割接", "Cutovers"), "circuit": ("电路", "Circuit"), "customer": ("客户", "Customer"),
    "ticket": ("工单", "Ticket"), "kind": ("类型", "Kind"), "symptom": ("现象", "Symptom"),
    "state": ("状态", "State"), "clocks": ("时限", "Clocks"), "next_due": ("最近时限", "Next deadline"),
    "reported": ("申告时间", "Reported"), "sign_in": ("登录", "Sign in"), "sign_out": ("退出", "Sign out"),
    "token": ("令牌", "Token"), "token_hint": ("输入你的 faultline 令牌", "your faultline token"),
    "bad_token": ("令牌无效", "The token is not valid"), "filter": ("筛选", "Filter"), "all": ("全部", "All"),
    "overdue": ("已超时", "Overdue"), "open_tickets": ("未结工单", "open tickets"), "none": ("无", "none"),
    "diagnosis": ("诊断结论", "Diagnosis"), "verdict": ("结论", "Verdict"),
    "suspected_segment": ("疑似故障段", "Suspected segment"), "evidence": ("关键证据", "Deciding evidence"),
    "more_evidence": ("其余证据", "Other evidence"), "actions_rec": ("建议处理", "Recommended actions"),
    "loop_plan": ("打环点", "Loop points"), "not_checked": ("未能检查", "Could not check"),
    "no_diagnosis": ("尚无诊断（自动诊断进行中或未运行）", "No diagnosis yet (triage running or not run)"),
    "journal": ("处理记录", "Journal"), "ticket_actions": ("操作", "Actions"),
    "no_actions": ("你的角色此时没有可执行的操作", "Your role has no action on this ticket now"),
    "submit": ("提交", "Submit"), "path": ("电路路由", "Circuit path"), "language": ("English", "中文"),
    "met": ("已达标", "met"), "breached": ("已超时", "breached"), "paused": ("已暂停", "paused"),
    "running": ("计时中", "running"), "left": ("剩余", "left"), "late": ("超时", "late"),
    "held": ("挂起中", "held"), "confidence": ("置信度", "Confidence"), "older_diagnoses": ("历次诊断", "Earlier diagnoses"),
    "rx_history": ("收光历史", "Rx history"), "active_alarms": ("活动告警", "Active alarms"),
    "severity": ("级别", "Severity"), "device": ("设备", "Device"), "port": ("端口", "Port"),
    "raised": ("产生时间", "Raised"), "cleared": ("清除时间", "Cleared"), "cause": ("原因", "Cause"),
    "approve": ("批准", "Approve"), "window": ("时间窗", "Window"), "period": ("周期", "Period"),
    "rate": ("及时率", "Rate"), "on_time": ("及时", "on time"), "late_n": ("超时", "late"),
    "forbidden": ("无权执行", "Not allowed"), "refused": ("请求被拒绝", "Request refused"),
    "csrf_refused": ("表单已失效（缺少或错误的 CSRF 令牌），请刷新页面重试",
                     "The form is stale (missing or wrong CSRF token): reload the page and try again"),
    "not_found": ("未找到", "Not found"), "role": ("角色", "Role"), "segment": ("段", "Segment"),
    "loss": ("损耗", "Loss"), "budget": ("预算", "Budget"), "margin": ("余量", "Margin"),
    "early_warning": ("趋势预警", "Early warning"), "no_data": ("暂无数据", "No data"),
    "tickets_behind": ("相关工单", "Tickets behind"), "status": ("状态", "Status"),
    "field.note": ("备注", "Note"), "field.specialty": ("专业", "Specialty"), "field.contractor": ("代维单位", "Contractor"),
    "field.customerPerson": ("用户联系人", "Customer person"), "field.result": ("联系结果", "Result"),
    "field.contact": ("联系方式", "Contact"), "field.text": ("进展内容", "Progress"),
    "field.reason": ("原因", "Reason"), "field.localFault": ("本地故障", "Local fault"),
    "field.customerConsent": ("用户同意", "Customer consents"), "field.cause": ("故障原因", "Cause"),
    "field.method": ("确认方式", "Method"), "field.confirmedBy": ("确认人", "Confirmed by"),
    "field.customerUnreachable": ("用户联系不上", "Customer unreachable"),
    "method.customer_service": ("客服与用户确认", "customer service with the customer"),
    "method.noc_alarm_cleared": ("网管确认告警消除", "NOC: alarm cleared"),
    "loop_tests": ("环测", "Loop tests"), "loop_point": ("打环点", "Loop point"), "loop_last": ("最近环测", "Last loop"),
    "loop_set": ("在此打环", "Loop here"), "loop_cancel": ("撤环", "Cancel (clear now)"),
    "loop_retry_clear": ("重试撤环", "Retry the clear"), "hold_seconds": ("保持秒数", "Hold (s)"),
    "confirm_shared": ("确认影响共用端口的其他电路", "I confirm the other circuits on this port"),
    "confirm_service_affecting": ("电路仍在运行：确认环测会中断业务", "the circuit is up: I accept that the loop interrupts the service"),
    "shared_port": ("共用端口，另承载", "Shared port, also carries"), "authorised_by": ("省公司授权人", "Authorised by (province)"),
    "localise_auto": ("自动定位故障段", "Localise (automatic)"), "localise_guided": ("引导定位：测下一点", "Guided: test the next point"),
    "localisation": ("故障段定位", "Localisation"), "observer": ("观测端口", "observed at"),
    "loop_needs_work": ("工单签收处理中才能打环", "Loop tests need the ticket in progress (signed)"),
    "loops_unavailable": ("本进程未提供环测", "Loop tests are not available in this process"),
    "no_loop_plan": ("诊断未给出打环点", "The diagnosis plans no loop point"),
    "loop.requested": ("已申请", "requested"), "loop.setting": ("打环中", "setting"), "loop.set": ("已打环", "set"),
    "loop.measuring": ("观测中", "observing"), "loop.clearing": ("撤环中", "clearing"), "loop.cleared": ("已撤环", "cleared"),
    "loop.not_set": ("未打上", "not set"), "loop.clear_failed": ("撤环失败", "clear failed"),
    "signal.returned": ("信号返回", "signal returned"), "signal.not_returned": ("信号未返回", "no signal back"),
    "signal.degraded": ("信号返回劣化", "signal degraded"), "signal.unknown": ("无法判断", "unknown"),
    "loc.running": ("进行中", "running"), "loc.concluded": ("已定位", "concluded"),
    "loc.inconclusive": ("无结论", "inconclusive"), "loc.cancelled": ("已取消", "cancelled"),
    "loc_mode.auto": ("自动", "automatic"), "loc_mode.guided": ("引导", "guided"),
    "obligations": ("项考核", "obligations decided"), "first_n": ("仅列出前", "showing the first"),
    "new_diagnosis": ("已写入新诊断，点此刷新", "a new diagnosis was written: reload"),
    "root_cause": ("根因", "Root cause"), "affected": ("影响", "Affected"), "circuits": ("条电路", "circuits"),
    "earliest_escalation": ("最早升级", "Earliest escalation"), "next_escalation": ("下次升级", "Next escalation"),
    "linked_how": ("关联方式", "Linked"), "kept_apart": ("未并入的工单", "Tickets kept apart"),
    "applied_to": ("已写入工单", "Applied to"), "skipped": ("未写入", "Skipped"),
    "paction.acknowledge": ("受理", "Acknowledge"), "paction.progress": ("追加进展（全部关联工单）", "Progress (every child)"),
    "paction.resolve": ("修复（全部关联工单）", "Resolve (every child)"),
    "progress_to_children": ("作为每张关联工单自己的进展写入", "written into every child ticket as its own progress"),
    "resolve_children": ("每张处理中的关联工单以此原因修复，各自仍需恢复确认", "each working child is resolved with it; each still confirms its own restoration"),
    "in_problem": ("属于服务故障", "Part of service problem"),
    "shown_of": ("显示", "showing"), "soonest_first": ("时限最近的在前，用筛选缩小范围", "soonest deadlines first; filter to narrow"),
    "service_problems": ("服务故障（同一原因的多张工单）", "Service problems (one cause, many tickets)"),
    "problem": ("故障问题", "Problem"), "children": ("关联工单", "Tickets"),
    "resolution_proposed": ("根告警已清除，待确认修复", "root alarms cleared: resolve it"),
    "origin.diagnosis": ("诊断", "diagnosis"), "origin.alarm": ("告警", "alarm"),
    "pstatus.submitted": ("新建", "submitted"), "pstatus.acknowledged": ("已受理", "acknowledged"),
    "pstatus.inProgress": ("处理中", "in progress"), "pstatus.resolved": ("已修复", "resolved"),
    # ticket states
    "status.acknowledged": ("待签收", "acknowledged"), "status.inProgress": ("处理中", "in progress"),
    "status.held": ("挂起", "held"), "status.resolved": ("已修复", "resolved"), "status.closed": ("已返单", "closed"),
    "status.reopened": ("重开", "reopened"),
    # clocks (agent.sla.ClockKind)
    "clock.sign": ("签收", "sign"), "clock.contact_feedback": ("联系反馈", "contact feedback"),
    "clock.progress": ("追加进展", "next progress"), "clock.escalation_l1": ("一级升级", "escalation L1"),
    "clock.escalation_l2": ("二级升级", "escalation L2"), "clock.resolution": ("处理时限", "resolution"),
    "clock.restoration": ("恢复确认", "restoration"), "clock.report": ("故障报告", "report due"),
    "kind.interruption": ("中断类", "interruption"), "kind.assist_check": ("协查类", "assist check"),
    "assess.fault": ("故障", "fault"), "assess.warn": ("注意", "warn"), "assess.ok": ("正常", "ok"),
    "assess.unknown": ("未知", "unknown"),
}
# the verdicts' own titles (diagnosis/verdicts.py), and those of a localisation by loop tests
WORDS.update({f"verdict.{v.value}": titles for v, titles in VERDICT_TITLES.items()})
WORDS.update({"verdict.loop_fault_segment": ("环测定位：故障段落", "loop tests: faulty segment"),
              "verdict.loop_no_line_fault": ("环测：线路无故障", "loop tests: no line fault"),
              "verdict.loop_inconclusive": ("环测：无结论", "loop tests: inconclusive")})
# the lifecycle's own Chinese labels, English from the action name
WORDS.update({f"action.{name}": (a.label_zh, name.replace("_", " ")) for name, a in ACTIONS.items()})


def translator(lang: str) -> Callable[[str], str]:
    i = 1 if lang == "en" else 0

    def t(key: str) -> str:
        words = WORDS.get(key)
        return words[i] if words else key.split(".", 1)[-1]

    return t


def pick_language(cookie: str | None, accept: str | None) -> str:
    """The cookie's choice, else Chinese (the duty room's language) whatever the browser says."""
    return cookie if cookie in LANGUAGES else "zh"
