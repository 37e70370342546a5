"""Reading a page's POST: the url-encoded form, refused (403) unless it carries the session's CSRF token."""
from __future__ import annotations

from urllib.parse import parse_qsl

from fastapi import Request

from api.pages.session import CSRF_FIELD, CSRF_HEADER, csrf_matches

MAX_FORM_BYTES = 64 * 1024


class CsrfRefused(Exception):
    """A POST without the session's CSRF token (a stale page, or a forged cross-site form)."""


class FormTooLarge(Exception):
    pass


async def read_form(request: Request, expected_csrf: str) -> dict[str, str]:
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise FormTooLarge(f"a form has at most {MAX_FORM_BYTES} bytes")
    form = dict(parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True))
    given = form.pop(CSRF_FIELD, None) or request.headers.get(CSRF_HEADER)
    if not csrf_matches(expected_csrf, given):
        raise CsrfRefused()
    return form
