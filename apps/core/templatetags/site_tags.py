import json
import unicodedata
from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.template.defaultfilters import truncatechars
from django.templatetags.static import static
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import add_truncation_text

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
    a paginated list beyond the first page, which is a page of its own, and a query the view
    names as part of the page's identity (`canonical_query`, already encoded: the platforms
    a comparison compares)."""
    url = settings.SITE_URL + context["request"].path
    page_obj = context.get("page_obj")
    if context.get("canonical_query"):
        url += f"?{context['canonical_query']}"
    elif page_obj is not None and page_obj.number > 1:
        url += f"?page={page_obj.number}"
    return url


def _json_ld_script(data: dict) -> SafeString:
    payload = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return mark_safe(  # noqa: S308 -- the JSON is escaped for a script element just here
        f'<script type="application/ld+json">{payload.translate(_SCRIPT_ESCAPES)}</script>'
    )


@register.filter(is_safe=True)
def clip(value, length: int):
    """`truncatechars` at a fraction of its cost in list rows: text within the length is kept
    as it is and ASCII text past it is cut by slicing, as truncatechars would cut them (it
    counts character by character, combining marks apart, which only other text needs)."""
    text = str(value)
    if len(text) <= length and unicodedata.is_normalized("NFC", text):
        return value
    if length > 0 and text.isascii():
        return add_truncation_text(text[: length - 1])
    return truncatechars(value, length)


@register.simple_tag
def faq_json_ld(items) -> str:
    """A schema.org FAQPage block for the given FAQ items, safe to place in a <script>."""
    return _json_ld_script(
        {
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


@register.inclusion_tag("includes/_breadcrumbs.html", takes_context=True)
def breadcrumbs(context, *trail):
    """The breadcrumb trail and its schema.org BreadcrumbList, from one list so the two never
    disagree: `trail` is the name and path of each page above this one, then this page's name
    (`{% breadcrumbs "Platforms" platforms_url platform.name %}`)."""
    if len(trail) % 2 != 1:
        raise ValueError("breadcrumbs takes name and path pairs, then the current page's name.")
    above = [{"name": str(trail[i]), "path": trail[i + 1]} for i in range(0, len(trail) - 1, 2)]
    current = str(trail[-1])
    urls = [settings.SITE_URL + crumb["path"] for crumb in above] + [canonical_url(context)]
    json_ld = _json_ld_script(
        {
            "@context": "https://schema.org",
            "@type": "BreadcrumbList",
            "itemListElement": [
                {"@type": "ListItem", "position": position, "name": name, "item": url}
                for position, (name, url) in enumerate(
                    zip([crumb["name"] for crumb in above] + [current], urls, strict=True),
                    start=1,
                )
            ],
        }
    )
    return {"above": above, "current": current, "json_ld": json_ld}


@register.simple_tag
def share_query(**params) -> str:
    """A query string for a share link (`text=... url=...`), each value encoded."""
    return urlencode({name: str(value) for name, value in params.items()})


@register.simple_tag
def absolute_static(path: str) -> str:
    """A static file's absolute URL (social cards need one), whether static files are served
    by the site or from another host."""
    url = static(path)
    return url if url.startswith(("http://", "https://")) else settings.SITE_URL + url


class CaptureNode(template.Node):
    def __init__(self, nodelist, variable: str):
        self.nodelist = nodelist
        self.variable = variable

    def render(self, context):
        # What the nodes rendered is already escaped, as it would be in place.
        context[self.variable] = mark_safe(self.nodelist.render(context).strip())  # noqa: S308
        return ""


@register.tag
def capture(parser, token):
    """`{% capture as name %}...{% endcapture %}` renders its content once into `name`, so the
    base layout can use a page's title and description blocks in several tags (a block can be
    rendered only where it is defined)."""
    bits = token.split_contents()
    if len(bits) != 3 or bits[1] != "as":
        raise template.TemplateSyntaxError("Usage: {% capture as name %}...{% endcapture %}")
    nodelist = parser.parse(("endcapture",))
    parser.delete_first_token()
    return CaptureNode(nodelist, bits[2])
