"""Every page of the application, read from the URL resolver (not a hand-kept list), for
tests that must reach them all."""

from django.urls import URLPattern, URLResolver, get_resolver

# Namespaces that are not AgenPlan's own pages: Django's admin and the language switch.
FOREIGN = ("admin", "i18n/")


def walk(patterns=None, prefix="", namespace=""):
    """(view name, route with `<converter:name>` parts, converters) of every URL."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, route, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", route, dict(entry.pattern.converters)


def app_urls():
    """(view name, converters) of the application's pages, sorted by name."""
    return sorted(
        (name, converters)
        for name, route, converters in walk()
        if not route.startswith(FOREIGN) and not name.startswith("admin:")
    )
