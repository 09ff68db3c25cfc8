"""The dashboard's realisation figures in templates."""

from django import template

register = template.Library()


@register.filter
def realisation_of(per_agency: dict, agency_id):
    """The agency's mean verified realisation from the figures' `per_agency`, or None."""
    return per_agency.get(agency_id) if per_agency else None
