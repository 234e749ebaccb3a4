from django.core.paginator import Paginator
from django.db import models
from django.utils.functional import cached_property
from simple_history.admin import SimpleHistoryAdmin


class CatalogAdmin(SimpleHistoryAdmin):
    """Admin base for curated catalog records: keeps who changed what, and reads a URL typed
    without a scheme as https (Django 6's default, adopted now so curators see no change later)."""

    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


class CappedCountPaginator(Paginator):
    """A paginator that counts at most COUNT_CAP rows. Counting every row of a table with
    millions of them takes seconds on each page view; past the cap the list still pages
    through its first COUNT_CAP rows (40 pages of 50), and a filter or search narrows it to
    what a person reads."""

    COUNT_CAP = 2_000

    @cached_property
    def count(self) -> int:
        return self.object_list.order_by().values("pk")[: self.COUNT_CAP].count()


class LargeTableAdminMixin:
    """For the tables that grow to millions of rows (fetch attempts, snapshots, versions, change
    events, documents, organizations and what they track): each page reads one page of an
    index, with no full COUNT and no date hierarchy (which reads the dates of every row). Give
    the admin an `ordering` an index serves (the primary key, newest first, when nothing else
    does)."""

    show_full_result_count = False
    paginator = CappedCountPaginator
    # Rendering a row costs the admin about as much as the rest of the page; half Django's
    # default keeps a page of millions of rows as quick to draw as its query is to read.
    list_per_page = 50
