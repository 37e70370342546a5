"""The lifecycle actions as page forms: each action's fields, the API's own request model that checks
them, and the same ``TicketService`` call the JSON route makes (api/routers/tickets.py).

Which forms a page shows is never decided here: ``allowed_actions(ticket, role)`` (the lifecycle
table and agent.policy) says which actions the user may take now.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from agent.models import Ticket
from agent.tickets import Actor, TicketService
from api import schemas as sc


class Widget(StrEnum):
    LINE = "line"
    TEXT = "text"
    CHECK = "check"
    CHOICE = "choice"


@dataclass(frozen=True)
class Field:
    name: str  # the request model's field name
    widget: Widget = Widget.LINE
    required: bool = False
    choices: tuple[str, ...] = ()


Call = Callable[[TicketService, Session, Ticket, Actor, Any], Any]


@dataclass(frozen=True)
class ActionForm:
    action: str
    model: type[BaseModel]
    fields: tuple[Field, ...]
    call: Call
    danger: bool = False  # drawn apart (reject, close, reopen)

    def parse(self, form: dict[str, str]) -> BaseModel:
        """The posted form as the API's request model (pydantic validates it as for the JSON body)."""
        values: dict[str, Any] = {}
        for f in self.fields:
            raw = form.get(f.name)
            if f.widget is Widget.CHECK:
                values[f.name] = raw in ("on", "true", "1")
            elif raw is not None and raw.strip():
                values[f.name] = raw.strip()
            elif f.required:
                values[f.name] = ""  # the model reports it as too short, with the field's name
        return self.model.model_validate(values)


NOTE = Field("note", Widget.TEXT)
FORMS: dict[str, ActionForm] = {f.action: f for f in (
    ActionForm("sign", sc.SignIn, (NOTE,), lambda s, db, t, a, b: s.sign(db, t, a, b.note)),
    ActionForm("dispatch", sc.DispatchIn, (Field("specialty", required=True), Field("contractor", required=True), NOTE),
               lambda s, db, t, a, b: s.dispatch(db, t, a, b.specialty, b.contractor, b.note)),
    ActionForm("contact", sc.ContactIn, (Field("customerPerson", required=True), Field("result", Widget.TEXT, True),
                                          Field("contact")),
               lambda s, db, t, a, b: s.record_contact(db, t, a, b.customer_person, b.result, b.contact)),
    ActionForm("progress", sc.ProgressIn, (Field("text", Widget.TEXT, True),),
               lambda s, db, t, a, b: s.add_progress(db, t, a, b.text, [p.model_dump() for p in b.participants])),
    ActionForm("request_suspension", sc.SuspensionRequestIn,
               (Field("reason", Widget.TEXT, True), Field("localFault", Widget.CHECK), Field("customerConsent", Widget.CHECK)),
               lambda s, db, t, a, b: s.request_suspension(db, t, a, b.reason, b.local_fault, b.customer_consent)),
    ActionForm("approve_suspension", sc.DecisionIn, (NOTE,),
               lambda s, db, t, a, b: s.decide_suspension(db, t, a, True, b.note)),
    ActionForm("reject_suspension", sc.DecisionIn, (NOTE,),
               lambda s, db, t, a, b: s.decide_suspension(db, t, a, False, b.note), danger=True),
    ActionForm("resume", sc.DecisionIn, (NOTE,), lambda s, db, t, a, b: s.resume(db, t, a, b.note)),
    ActionForm("resolve", sc.CauseIn, (Field("cause", Widget.TEXT, True),),
               lambda s, db, t, a, b: s.resolve(db, t, a, b.cause)),
    ActionForm("confirm_restoration", sc.RestorationIn,
               (Field("method", Widget.CHOICE, True, ("customer_service", "noc_alarm_cleared")),
                Field("confirmedBy", required=True), Field("customerUnreachable", Widget.CHECK), NOTE),
               lambda s, db, t, a, b: s.confirm_restoration(db, t, a, b.method, b.confirmed_by, b.note,
                                                            b.customer_unreachable)),
    ActionForm("close", sc.CauseIn, (Field("cause", Widget.TEXT, True),),
               lambda s, db, t, a, b: s.close(db, t, a, b.cause), danger=True),
    ActionForm("reopen", sc.ReasonIn, (Field("reason", Widget.TEXT, True),),
               lambda s, db, t, a, b: s.reopen(db, t, a, b.reason), danger=True),
)}
