"""Response headers that every page carries (Content-Security-Policy is django-csp's)."""

from django.conf import settings


class PermissionsPolicyMiddleware:
    """Switch off the browser features AgenPlan never uses (AGENPLAN_PERMISSIONS_POLICY),
    so that injected content could not reach the camera, microphone or location."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = settings.AGENPLAN_PERMISSIONS_POLICY
        if policy:
            response.headers.setdefault("Permissions-Policy", policy)
        return response
