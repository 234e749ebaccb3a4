from django.db import models
from simple_history.models import HistoricalRecords

from apps.core.models import BaseModel
from apps.core.reversing import reverse_slugs
from apps.core.validators import validate_http_url


class Regulation(BaseModel):
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=60, blank=True)
    slug = models.SlugField(max_length=200, unique=True)
    jurisdiction = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    reference_url = models.URLField(blank=True, validators=[validate_http_url])

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse_slugs("regulations:regulation_detail", slug=self.slug)


class Agency(BaseModel):
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=60, blank=True)
    slug = models.SlugField(max_length=200, unique=True)
    jurisdiction = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    complaint_url = models.URLField(validators=[validate_http_url])

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self):
        return self.short_name or self.name
