"""What every endpoint of the REST API (/api/v1/) shares, whichever app it belongs to:
the error body, the cursor pagination and the ETag of a detail.

Error bodies are one shape everywhere (docs/api.md):

    {"code": "not_found", "message": "Tidak ditemukan.", "fields": {}, "request_id": "…"}

`message` is in the language the request asks for (Accept-Language: id or en, Bahasa
Indonesia by default); `fields` maps a field to its messages for invalid input.
"""

import hashlib
import json

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .request_id import current_request_id

# The code of an answer DRF gives without one of its own.
DEFAULT_CODES = {
    status.HTTP_400_BAD_REQUEST: "invalid",
    status.HTTP_401_UNAUTHORIZED: "not_authenticated",
    status.HTTP_403_FORBIDDEN: "permission_denied",
    status.HTTP_404_NOT_FOUND: "not_found",
    status.HTTP_405_METHOD_NOT_ALLOWED: "method_not_allowed",
    status.HTTP_429_TOO_MANY_REQUESTS: "throttled",
}


# The project's own words for DRF's answers (DRF's catalogue is not loaded: see the
# settings), used when the exception carries DRF's default text.
MESSAGES = {
    "not_authenticated": gettext_lazy(
        "Sertakan token API (Authorization: Bearer …) atau masuk terlebih dahulu."
    ),
    "authentication_failed": gettext_lazy("Token tidak valid atau sudah dicabut."),
    "permission_denied": gettext_lazy("Anda tidak memiliki akses."),
    "not_found": gettext_lazy("Tidak ditemukan."),
    "method_not_allowed": gettext_lazy("Metode ini tidak diizinkan di alamat ini."),
    "not_acceptable": gettext_lazy("Jawaban hanya tersedia sebagai JSON."),
    "unsupported_media_type": gettext_lazy(
        "Kirim data sebagai JSON (Content-Type: application/json)."
    ),
    "parse_error": gettext_lazy("Isi permintaan bukan JSON yang dapat dibaca."),
    "throttled": gettext_lazy("Terlalu banyak permintaan. Coba lagi sebentar lagi."),
}


# Codes whose message our code may set itself (a rule's refusal, a token's): kept then.
CUSTOMISABLE = {"permission_denied", "not_found", "authentication_failed"}


def _messages(detail) -> list[str]:
    if isinstance(detail, dict):
        return [m for value in detail.values() for m in _messages(value)]
    if isinstance(detail, list):
        return [m for value in detail for m in _messages(value)]
    return [str(detail)]


def _fields(detail) -> dict:
    if not isinstance(detail, dict):
        return {}
    return {name: _messages(value) for name, value in detail.items()}


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {
        "code": code,
        "message": message,
        "fields": fields or {},
        "request_id": current_request_id(),
    }


def exception_handler(exc, context):
    """DRF's handler, its answer rewritten into the one error body."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Tidak ditemukan."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or _("Anda tidak memiliki akses."))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = getattr(exc, "detail", "")
    if isinstance(exc, exceptions.ValidationError):
        fields = _fields(detail)
        non_field = fields.pop("non_field_errors", [])
        if not isinstance(detail, dict):
            non_field = _messages(detail)
        message = " ".join(non_field) or _("Data yang dikirim tidak valid.")
        code = "invalid"
    else:
        fields = {}
        codes = exc.get_codes() if hasattr(exc, "get_codes") else ""
        code = codes if isinstance(codes, str) else ""
        code = DEFAULT_CODES.get(response.status_code, code) if code in {"", "error"} else code
        message = " ".join(_messages(detail))
        default = str(getattr(exc, "default_detail", ""))
        if code in MESSAGES and (code not in CUSTOMISABLE or str(detail) == default):
            message = str(MESSAGES[code])
    response.data = error_body(code, message, fields)
    return response


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def raise_plan_error(error) -> None:
    """A service's refusal (`PlanError`) as the API's answer: 403 for a rule's refusal,
    409 for a write from an older copy, 400 otherwise, on its field when it names one."""
    message = str(error.message)
    if error.code == "permission_denied":
        raise exceptions.PermissionDenied(message) from error
    if error.code == "conflict":
        raise Conflict(message) from error
    raise exceptions.ValidationError({error.field: [message]} if error.field else [message])


class Pagination(CursorPagination):
    """Cursor pages: stable while rows are added (no page repeats or skips a row), and as
    fast on the thousandth page as on the first, which a 50,000-plan list needs."""

    ordering = "-pk"
    page_size_query_param = "page_size"

    def paginate_queryset(self, queryset, request, view=None):
        # Read at call time (the settings of a deployment, and of a test).
        self.max_page_size = settings.AGENPLAN_API_MAX_PAGE_SIZE
        self.page_size = settings.AGENPLAN_API_PAGE_SIZE
        return super().paginate_queryset(queryset, request, view)


def etag_of(data) -> str:
    body = json.dumps(data, sort_keys=True, default=str, separators=(",", ":"))
    return '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'


def detail_response(request, data) -> Response:
    """A detail's answer with its ETag; 304 without a body when the caller's If-None-Match
    names it (the representation has not changed since they fetched it)."""
    etag = etag_of(data)
    asked = {tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")}
    if etag in asked or "*" in asked:
        return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
    return Response(data, headers={"ETag": etag})


class RuleRequired:
    """A view mixin: the caller must pass the django-rules rule `required_rule` (a rule
    about no object: the page's own), after authentication and the token's scope. Objects
    are then looked up through the app's selectors, which answer 404 for "not yours"."""

    required_rule = ""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if self.required_rule and not request.user.has_perm(self.required_rule):
            raise PermissionDenied
        # No filter has a use for a NUL character, and PostgreSQL refuses one in any query:
        # the parameter is named in a 400, as a form names its field.
        refused = {
            key.replace("\x00", ""): [_("Karakter NUL tidak diperbolehkan.")]
            for key, values in request.query_params.lists()
            if "\x00" in key or any("\x00" in value for value in values)
        }
        if refused:
            raise exceptions.ValidationError(refused)
