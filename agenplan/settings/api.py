"""Settings of the REST API (/api/v1/, docs/api.md), imported by base.py."""

import environ

env = environ.Env()

# Requests per token (or per signed-in person) and window, counted on the cache; writes
# have their own, smaller budget.
AGENPLAN_API_RATE_LIMITS = {
    "api": env.str("AGENPLAN_API_RATE_LIMIT", default="600/m"),
    "api_write": env.str("AGENPLAN_API_WRITE_RATE_LIMIT", default="60/m"),
}
# Page sizes of the API's lists: the default, and the most a caller may ask for.
AGENPLAN_API_PAGE_SIZE = env.int("AGENPLAN_API_PAGE_SIZE", default=50)
AGENPLAN_API_MAX_PAGE_SIZE = 200
# Participants in one sync request (the import's own checks, in the request).
AGENPLAN_API_SYNC_MAX_ROWS = env.int("AGENPLAN_API_SYNC_MAX_ROWS", default=5000)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "agents.api.authentication.TokenAuthentication",
        "agents.api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["agents.api.permissions.TokenScope"],
    "DEFAULT_THROTTLE_CLASSES": ["agents.api.throttles.TokenRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "agenplan.api.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "AgenPlan API",
    "DESCRIPTION": (
        "Data of the change agents' action plans for other government systems. "
        "Authenticate with a personal or service-account token: "
        "`Authorization: Bearer agp_…`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Fields of the same name with different choices get the choices' own names.
    "ENUM_NAME_OVERRIDES": {
        "ReportKindEnum": "reports.enums.ReportKind",
        "AgencyKindEnum": "agencies.enums.AgencyKind",
        "PlanStateEnum": "plans.enums.PlanState",
        "ProgressReportStateEnum": "monitoring.enums.ReportState",
        "ActivityStatusEnum": "monitoring.enums.ActivityStatus",
    },
}
