"""Small template helpers shared by every page: query strings and sortable headers."""

from django import template
from django.utils.http import urlencode

register = template.Library()


@register.simple_tag(takes_context=True)
def query_string(context, **changes) -> str:
    """The current query string with some parameters replaced ("" or None removes one).

    Used for pagination and sorting links, so that filters stay in the URL.
    """
    request = context.get("request")
    params = request.GET.copy() if request is not None else {}
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = str(value)
    encoded = params.urlencode() if hasattr(params, "urlencode") else urlencode(params)
    return f"?{encoded}" if encoded else "?"


@register.simple_tag(takes_context=True)
def page_url(context, param: str, number) -> str:
    """The current query string with page `number` in parameter `param`: a page with
    two paginated tables gives each its own parameter."""
    return query_string(context, **{param or "page": number})


@register.inclusion_tag("includes/sortable_th.html", takes_context=True)
def sortable_th(context, key: str, label: str, numeric: bool = False) -> dict:
    """A column header that sorts the table by `key` (server side), toggling the direction.

    The current sort is read from `?sort=`; the header carries aria-sort for screen readers.
    """
    request = context.get("request")
    current = request.GET.get("sort", "") if request is not None else ""
    if current == key:
        aria_sort, next_sort = "ascending", f"-{key}"
    elif current == f"-{key}":
        aria_sort, next_sort = "descending", key
    else:
        aria_sort, next_sort = "", key
    return {
        "url": query_string(context, sort=next_sort, page=None),
        "label": label,
        "aria_sort": aria_sort,
        "numeric": numeric,
    }
