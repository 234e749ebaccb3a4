from django.db import transaction
from django.db.models import F

from apps.core.models import RecordSequence


def record_id_allocate(*, key: str, prefix: str, width: int) -> str:
    """Hand out the next stable record ID of a kind (`CA-P-000042`). The counter only grows, so
    an ID is never given twice, even after the record that had it is deleted. `width` is the
    minimum number of digits: past it the number simply grows (`CA-D-99999`, `CA-D-100000`)."""
    with transaction.atomic():
        RecordSequence.objects.get_or_create(key=key)
        RecordSequence.objects.filter(key=key).update(last_value=F("last_value") + 1)
        value = RecordSequence.objects.get(key=key).last_value
    return f"{prefix}{value:0{width}d}"
