"""What billing tells the apps above it. Billing never imports them: they connect receivers."""

from django.dispatch import Signal

# Sent after the commit that moved an organization to another plan, with `organization`,
# `previous_plan` and `plan`. Monitoring pauses or resumes watchlist items to fit the new limits.
plan_changed = Signal()
