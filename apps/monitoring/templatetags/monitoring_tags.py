from django import template

from apps.monitoring.selectors import monitor_button_state as select_monitor_button_state

register = template.Library()


@register.simple_tag(takes_context=True)
def monitor_button_state(context, platform, provision=None):
    """The state of the "Start monitoring" control; `provision` is empty on platform pages."""
    request = context["request"]
    if not request.user.is_authenticated:
        return None
    return select_monitor_button_state(request, platform=platform, provision=provision or None)
