"""What the documents app announces to the apps above it, which must not be imported from here.

`change_event_recorded` is sent once the transaction that wrote a ChangeEvent has committed,
with `change_event_id=`. Receivers only queue work (a task), so a slow or failing reaction never
holds up or undoes the ingest."""

from django.dispatch import Signal

change_event_recorded = Signal()
