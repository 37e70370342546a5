"""Request size limits at the edge: a body larger than its route's limit is refused with 413 before it
is read in full (a 100 MB JSON body was read whole). Pure ASGI, so it also guards streamed bodies
without a Content-Length."""
from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

DEFAULT_MAX_BODY = 1_000_000  # tickets, lifecycle actions, cutovers: a few KB each
LARGE_BODIES = {"/api/v1/inventory:import": 20_000_000}  # a province's inventory file


class BodyLimit:
    def __init__(self, app: ASGIApp, *, default: int = DEFAULT_MAX_BODY, per_path: dict[str, int] | None = None) -> None:
        self.app, self.default, self.per_path = app, default, per_path if per_path is not None else LARGE_BODIES

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.per_path.get(scope["path"], self.default)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _refuse(scope, send, limit)
            return
        seen = 0
        started = refused = False

        async def counted() -> Message:
            # Past the limit the client gets its 413 at once and the application sees a disconnect; what
            # the application answers to that is dropped (a framework may wrap any receive error in a 400).
            nonlocal seen, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    refused = True
                    if not started:
                        await _refuse(scope, send, limit)
                    return {"type": "http.disconnect"}
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            if refused:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        await self.app(scope, counted, tracked)


async def _refuse(scope: Scope, send: Send, limit: int) -> None:
    body = json.dumps({"type": "https://faultline.example/problems/payload-too-large", "title": "Payload too large",
                       "status": 413, "detail": f"the request body exceeds {limit:,} bytes for this route",
                       "instance": scope["path"]}).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/problem+json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
