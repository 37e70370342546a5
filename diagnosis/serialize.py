"""Inputs as JSON-ready dicts and back, so a triage's inputs can be stored next to its diagnosis and
replayed later to the same verdict (the journal is the legal record: what was seen must be kept).

    inputs_to_dict(path, observations, ticket) -> dict
    inputs_from_dict(data) -> (path, observations, ticket)

Floats keep full precision here (no rounding: a replay must see the same numbers); non-finite
floats are written as the strings "inf" / "-inf" / "nan". Bad data raises `InvalidInput`.
"""
from __future__ import annotations

import dataclasses
import math
import types
import typing
from datetime import datetime
from enum import Enum
from typing import Any

from diagnosis.errors import InvalidInput
from diagnosis.path import CircuitPath
from diagnosis.readings import Observations
from diagnosis.ticket import TicketContext

FORMAT_VERSION = 1


def _dump(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _dump(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (tuple, list)):
        return [_dump(item) for item in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, typing.Mapping):
        return {k: _dump(v) for k, v in value.items()}
    return value


def _load(hint: Any, value: Any, where: str) -> Any:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        if value is None:
            return None
        for option in options:
            try:
                return _load(option, value, where)
            except (InvalidInput, TypeError, ValueError):
                continue
        raise InvalidInput(f"{where}: {value!r} fits none of {options}")
    if origin is tuple:
        args = typing.get_args(hint)
        if not isinstance(value, list):
            raise InvalidInput(f"{where}: expected a list")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_load(args[0], item, f"{where}[{i}]") for i, item in enumerate(value))
        return tuple(_load(a, item, f"{where}[{i}]") for i, (a, item) in enumerate(zip(args, value, strict=True)))
    if dataclasses.is_dataclass(hint):
        return _build(hint, value, where)
    if hint is datetime:
        if not isinstance(value, str):
            raise InvalidInput(f"{where}: expected an ISO 8601 time")
        return datetime.fromisoformat(value)
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint(value)
    if hint is float:
        if isinstance(value, str):
            return float(value)  # "inf", "-inf", "nan"
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise InvalidInput(f"{where}: expected a number, got {value!r}")
        return float(value)
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidInput(f"{where}: expected an integer, got {value!r}")
        return value
    if hint is str:
        if not isinstance(value, str):
            raise InvalidInput(f"{where}: expected text, got {value!r}")
        return value
    if hint is bool:
        if not isinstance(value, bool):
            raise InvalidInput(f"{where}: expected true/false, got {value!r}")
        return value
    return value


def _build(cls: Any, data: Any, where: str) -> Any:
    if not isinstance(data, dict):
        raise InvalidInput(f"{where}: expected an object")
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - names)
    if unknown:
        raise InvalidInput(f"{where}: unknown field(s) {unknown}")
    kwargs = {}
    for name, value in data.items():
        try:
            kwargs[name] = _load(hints[name], value, f"{where}.{name}")
        except ValueError as exc:  # enum values and times
            if isinstance(exc, InvalidInput):
                raise
            raise InvalidInput(f"{where}.{name}: {exc}") from exc
    try:
        return cls(**kwargs)
    except TypeError as exc:
        raise InvalidInput(f"{where}: {exc}") from exc


def inputs_to_dict(path: CircuitPath, observations: Observations, ticket: TicketContext) -> dict[str, Any]:
    return {"format": FORMAT_VERSION, "path": _dump(path), "observations": _dump(observations),
            "ticket": _dump(ticket)}


def inputs_from_dict(data: dict[str, Any]) -> tuple[CircuitPath, Observations, TicketContext]:
    if not isinstance(data, dict) or data.get("format") != FORMAT_VERSION:
        raise InvalidInput(f"not a diagnosis input record of format {FORMAT_VERSION}")
    return (_build(CircuitPath, data.get("path"), "path"),
            _build(Observations, data.get("observations"), "observations"),
            _build(TicketContext, data.get("ticket"), "ticket"))
