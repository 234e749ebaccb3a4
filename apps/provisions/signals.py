"""What the provisions app announces to the apps above it, which must not be imported from here.

`provision_impacts_recorded` is sent, inside the transaction that wrote them, with the
`provision_ids` of the provisions a change event's impacts were just written for: the impacts
are written in bulk, without a save signal per row."""

from django.dispatch import Signal

provision_impacts_recorded = Signal()
