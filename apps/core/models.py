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


class OrgOwnedModel(BaseModel):
    """Private data of one organization (tenant). Every query for it goes through the
    organization the request was resolved to, so one tenant never reads another's rows."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="%(class)ss"
    )

    class Meta:
        abstract = True
