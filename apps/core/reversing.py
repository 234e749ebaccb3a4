"""reverse() at the cost of a string format, for the catalog's URLs: list pages link every row
(provision, clause type, platform), and reverse() walks the URL patterns for each link."""

import re

from django.urls import get_script_prefix, get_urlconf, reverse

_SLUG = re.compile(r"[-a-zA-Z0-9_]+")
_PLACEHOLDER = "__slot_{}__"
# Format strings by view name, argument names, script prefix and URL configuration: a few dozen.
_templates: dict[tuple, str] = {}


def reverse_slugs(viewname: str, **slugs: str) -> str:
    """What `reverse(viewname, kwargs=slugs)` gives, for URL patterns whose arguments are all
    slugs: the pattern is reversed once (per script prefix and URL configuration) with a
    placeholder for each argument, and later calls fill the placeholders in. A value that is
    not a slug goes through reverse() itself, which refuses it as before."""
    if not all(isinstance(value, str) and _SLUG.fullmatch(value) for value in slugs.values()):
        return reverse(viewname, kwargs=slugs)
    key = (viewname, tuple(slugs), get_script_prefix(), get_urlconf())
    template = _templates.get(key)
    if template is None:
        url = reverse(viewname, kwargs={name: _PLACEHOLDER.format(name) for name in slugs})
        template = url.replace("{", "{{").replace("}", "}}")
        for name in slugs:
            template = template.replace(_PLACEHOLDER.format(name), "{%s}" % name)  # noqa: UP031
        _templates[key] = template
    return template.format(**slugs)
