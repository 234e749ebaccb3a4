from django.db import models


class BaseModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class RecordSequence(models.Model):
    """A monotonically increasing counter per record kind. Stable record IDs come from here rather
    than from primary keys because SQLite may hand a deleted row's key out again, and a record ID
    cited in a legal filing must never point at something else."""

    key = models.CharField(max_length=32, primary_key=True)
    last_value = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"{self.key}: {self.last_value}"
