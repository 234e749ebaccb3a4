"""The attribution every page showing text imported from ToS;DR carries (CC BY-SA 3.0)."""

from django import template

from apps.provisions import tosdr

register = template.Library()


@register.inclusion_tag("includes/_tosdr_attribution.html")
def tosdr_attribution(provision):
    return {
        "provision": provision,
        "source_url": tosdr.TOSDR_URL,
        "attribution": tosdr.TOSDR_ATTRIBUTION,
        "licence": tosdr.TOSDR_LICENCE,
        "licence_url": tosdr.TOSDR_LICENCE_URL,
    }
