"""Requests refused before any view reads them.

`RequestGuardMiddleware` answers:

- **400** when the path or a query parameter holds a NUL character. No page has a use
  for one, PostgreSQL refuses it in any query ("A string literal cannot contain NUL"),
  and the views' own parsing also refuses it (`plans.selectors.get_cycle_by_code`, the
  forms' null-character validator): this is the belt, not the only brace.
- **413** when the request declares (`Content-Length`) a body larger than the view
  accepts, before a byte of the body is read: the uploads of attachments and of the
  participants file say their limit with `accepts_upload`; every other view accepts
  DATA_UPLOAD_MAX_MEMORY_SIZE plus the room of a form's fields.

Both checks run in `process_view`, so they know the view (and its limit) and the
signed-in user (for the error page), and they run before CsrfViewMiddleware's
`process_view`, the first to read the body: this middleware must come before it in
MIDDLEWARE.
"""

from collections.abc import Callable

from django.conf import settings
from django.shortcuts import render

# Room for the form's other fields and the multipart boundaries around a file.
FORM_OVERHEAD_BYTES = 256 * 1024


def accepts_upload(max_bytes: int | Callable[[], int]):
    """Mark a view as taking a file of at most `max_bytes` (a number, or a function that
    reads it from the settings on each request); a request declaring a larger body is
    answered 413 before it is read. The mark survives the other decorators
    (functools.wraps copies the function's attributes)."""

    def decorate(view):
        view.max_upload_bytes = max_bytes
        return view

    return decorate


def body_limit(view) -> int:
    """The largest body, in bytes, a request to `view` may declare."""
    upload = getattr(view, "max_upload_bytes", None)
    if callable(upload):
        upload = upload()
    if upload is not None:
        return upload + FORM_OVERHEAD_BYTES
    default = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if default is None:
        return 0  # no limit configured
    return default + FORM_OVERHEAD_BYTES


def has_nul(request) -> bool:
    if "\x00" in request.path_info:
        return True
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for key, values in request.GET.lists()
    )


def declared_length(request) -> int:
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


class RequestGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if has_nul(request):
            return render(request, "400.html", {"reason": "nul"}, status=400)
        limit = body_limit(view_func)
        if limit and declared_length(request) > limit:
            return render(
                request,
                "413.html",
                {"limit_mb": round((limit - FORM_OVERHEAD_BYTES) / (1024 * 1024), 1)},
                status=413,
            )
        return None
