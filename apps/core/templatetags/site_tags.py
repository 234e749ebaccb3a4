import json

from django import template
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.safestring import mark_safe

from apps.core.page_cache import HOLES_CONTEXT_FLAG, hole

register = template.Library()

# The characters that could end a <script> element or open a comment inside it; escaped as in
# Django's json_script, which cannot be used here because it fixes type="application/json".
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def absolute(path: str) -> str:
    """A site path as an absolute URL on the public address (citations, canonical links)."""
    return settings.SITE_URL + path


@register.simple_tag(takes_context=True)
def canonical_url(context) -> str:
    """The page's canonical URL: its path without query parameters, except the page number of
    a paginated list beyond the first page, which is a page of its own."""
    url = settings.SITE_URL + context["request"].path
    page_obj = context.get("page_obj")
    if page_obj is not None and page_obj.number > 1:
        url += f"?page={page_obj.number}"
    return url


@register.simple_tag
def faq_json_ld(items) -> str:
    """A schema.org FAQPage block for the given FAQ items, safe to place in a <script>."""
    data = {
        "@context": "https://schema.org",
        "@type": "FAQPage",
        "mainEntity": [
            {
                "@type": "Question",
                "name": item.question,
                "acceptedAnswer": {"@type": "Answer", "text": item.answer},
            }
            for item in items
        ],
    }
    payload = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return mark_safe(  # noqa: S308 -- the JSON is escaped for a script element just above
        f'<script type="application/ld+json">{payload.translate(_SCRIPT_ESCAPES)}</script>'
    )


@register.simple_tag(takes_context=True)
def personal(context, template_name: str, *, visitors_too: bool = False) -> str:
    """A part of the page that depends on who is looking (see apps.core.page_cache): on a page
    rendered for the cache, a hole filled at each request; elsewhere rendered in place. A
    visitor's part is the same for every visitor, so it stays in the visitor's copy, unless
    `visitors_too` (messages)."""
    user = context.get("user")
    signed_in = user is not None and user.is_authenticated
    if context.get(HOLES_CONTEXT_FLAG) and (signed_in or visitors_too):
        return mark_safe(hole(template_name))  # noqa: S308 - a fixed comment, no user data
    return context.template.engine.get_template(template_name).render(context)
