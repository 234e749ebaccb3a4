"""Writes of the site app: the search index, kept in step with the catalog by the receivers in
apps/site/receivers.py (whatever wrote the catalog row: a curator in the admin, the workflow
services, the demo loader) and rebuilt whole by `manage.py search_index_rebuild` after bulk
loads, which skip them."""

import re
from collections.abc import Iterable, Iterator

from django.db import transaction
from django.db.models import QuerySet

from apps.core.search import strip_highlight_markers
from apps.platforms.models import Platform
from apps.provisions.models import AnalysisArticle, ClauseType, Provision
from apps.regulations.models import Agency, Regulation
from apps.site.models import SearchEntry, SearchKind, SearchWord

_BATCH = 1000
# Vocabulary words: letters only, three or more (shorter words are rarely misspelt, and
# digits are never suggested).
_VOCABULARY_WORD = re.compile(r"[^\W\d_]{3,64}")


def _joined(*parts: str) -> str:
    return strip_highlight_markers("\n".join(part for part in parts if part))


def _platform_entries(ids: Iterable[int] | None) -> Iterator[SearchEntry]:
    platforms = Platform.objects.all() if ids is None else Platform.objects.filter(pk__in=ids)
    for platform in platforms.iterator(chunk_size=_BATCH):
        yield SearchEntry(
            kind=SearchKind.PLATFORM,
            object_id=platform.pk,
            title=_joined(platform.name),
            keywords=_joined(platform.get_sector_display()),
            summary=_joined(platform.description),
            url=platform.get_absolute_url(),
            context=platform.get_sector_display(),
            platform_id=platform.pk,
        )


def _provision_entries(provisions: QuerySet[Provision]) -> Iterator[SearchEntry]:
    """Published provisions only, and only their public fields: a match in the compliance memo
    would reveal locked content."""
    provisions = (
        provisions.published()
        .select_related("document__platform", "clause_type")
        .only(
            "title",
            "slug",
            "severity",
            "summary",
            "clause_text",
            "why_it_matters",
            "consumer_impact",
            "clause_type__name",
            "document__title",
            "document__slug",
            "document__platform__name",
            "document__platform__slug",
        )
    )
    for provision in provisions.iterator(chunk_size=_BATCH):
        platform = provision.document.platform
        yield SearchEntry(
            kind=SearchKind.PROVISION,
            object_id=provision.pk,
            title=_joined(provision.title),
            keywords=_joined(provision.clause_type.name),
            summary=_joined(provision.summary),
            body=_joined(
                provision.clause_text, provision.why_it_matters, provision.consumer_impact
            ),
            url=provision.get_absolute_url(),
            context=f"{platform.name} · {provision.document.title}",
            severity=provision.severity,
            platform_id=platform.pk,
            clause_type_id=provision.clause_type_id,
        )


def _clause_type_entries(ids: Iterable[int] | None) -> Iterator[SearchEntry]:
    clause_types = ClauseType.objects.all()
    if ids is not None:
        clause_types = clause_types.filter(pk__in=ids)
    for clause_type in clause_types:
        yield SearchEntry(
            kind=SearchKind.CLAUSE_TYPE,
            object_id=clause_type.pk,
            title=_joined(clause_type.name),
            summary=_joined(clause_type.description),
            url=clause_type.get_absolute_url(),
            clause_type_id=clause_type.pk,
        )


def _regulation_entries(ids: Iterable[int] | None) -> Iterator[SearchEntry]:
    regulations = Regulation.objects.all() if ids is None else Regulation.objects.filter(pk__in=ids)
    for regulation in regulations:
        yield SearchEntry(
            kind=SearchKind.REGULATION,
            object_id=regulation.pk,
            title=_joined(regulation.name),
            keywords=_joined(regulation.short_name, regulation.jurisdiction),
            summary=_joined(regulation.description),
            url=regulation.get_absolute_url(),
            context=regulation.jurisdiction,
        )


def _agency_entries(ids: Iterable[int] | None) -> Iterator[SearchEntry]:
    agencies = Agency.objects.all() if ids is None else Agency.objects.filter(pk__in=ids)
    for agency in agencies:
        yield SearchEntry(
            kind=SearchKind.AGENCY,
            object_id=agency.pk,
            title=_joined(agency.name),
            keywords=_joined(agency.short_name, agency.jurisdiction),
            summary=_joined(agency.description),
            # Agencies have no page of their own: the result leads to where complaints go.
            url=agency.complaint_url,
            context=agency.jurisdiction,
        )


def _article_entries(ids: Iterable[int] | None) -> Iterator[SearchEntry]:
    articles = AnalysisArticle.objects.filter(is_published=True)
    if ids is not None:
        articles = articles.filter(pk__in=ids)
    for article in articles:
        yield SearchEntry(
            kind=SearchKind.ARTICLE,
            object_id=article.pk,
            title=_joined(article.title),
            summary=_joined(article.summary),
            body=_joined(article.body),
            url=article.get_absolute_url(),
        )


def _provision_entries_by_ids(ids: Iterable[int] | None) -> Iterator[SearchEntry]:
    provisions = Provision.objects.all() if ids is None else Provision.objects.filter(pk__in=ids)
    return _provision_entries(provisions)


_ENTRY_BUILDERS = {
    SearchKind.PLATFORM: _platform_entries,
    SearchKind.PROVISION: _provision_entries_by_ids,
    SearchKind.CLAUSE_TYPE: _clause_type_entries,
    SearchKind.REGULATION: _regulation_entries,
    SearchKind.AGENCY: _agency_entries,
    SearchKind.ARTICLE: _article_entries,
}


def _vocabulary_add(entries: list[SearchEntry]) -> None:
    words = set()
    for entry in entries:
        for text in (entry.title, entry.keywords, entry.summary, entry.body):
            words.update(word.lower() for word in _VOCABULARY_WORD.findall(text))
    SearchWord.objects.bulk_create(
        (SearchWord(word=word) for word in sorted(words)), batch_size=_BATCH, ignore_conflicts=True
    )


def _entries_write(entries: Iterable[SearchEntry]) -> int:
    written = 0
    batch: list[SearchEntry] = []
    for entry in entries:
        batch.append(entry)
        if len(batch) == _BATCH:
            written += _batch_write(batch)
            batch = []
    return written + _batch_write(batch)


def _batch_write(batch: list[SearchEntry]) -> int:
    SearchEntry.objects.bulk_create(batch)
    _vocabulary_add(batch)
    return len(batch)


def search_index_refresh(*, kind: str, object_ids: Iterable[int]) -> None:
    """Rewrites the entries of these rows of one kind from the catalog as it now stands: a row
    that is gone, or is no longer public (a provision returned to draft, an unpublished
    article), leaves the index. Words never leave the vocabulary; a suggestion of a word no
    longer used finds nothing, which is no worse than no suggestion."""
    object_ids = list(object_ids)
    if not object_ids:
        return
    with transaction.atomic():
        SearchEntry.objects.filter(kind=kind, object_id__in=object_ids).delete()
        _entries_write(_ENTRY_BUILDERS[kind](object_ids))


def search_index_refresh_provisions(*, provisions: QuerySet[Provision]) -> None:
    """Every provision of a platform, a document or a clause type, whose entries show its name."""
    search_index_refresh(
        kind=SearchKind.PROVISION, object_ids=provisions.values_list("pk", flat=True)
    )


def search_index_rebuild() -> int:
    """The whole index from the catalog (after a bulk load, which sends no signals). Returns
    the number of entries."""
    with transaction.atomic():
        SearchEntry.objects.all().delete()
        return sum(_entries_write(builder(None)) for builder in _ENTRY_BUILDERS.values())


def search_index_fill_missing() -> int:
    """Entries for the public rows the index lacks: rows written where no save signal is sent
    (data migrations, bulk loads) or before the index existed. Run after every migrate; one
    query per kind when nothing is missing. Returns the number of entries written."""
    written = 0
    indexed = SearchEntry.objects.values("object_id")
    for kind, rows in (
        (SearchKind.PLATFORM, Platform.objects.all()),
        (SearchKind.PROVISION, Provision.objects.published()),
        (SearchKind.CLAUSE_TYPE, ClauseType.objects.all()),
        (SearchKind.REGULATION, Regulation.objects.all()),
        (SearchKind.AGENCY, Agency.objects.all()),
        (SearchKind.ARTICLE, AnalysisArticle.objects.filter(is_published=True)),
    ):
        missing = list(rows.exclude(pk__in=indexed.filter(kind=kind)).values_list("pk", flat=True))
        if missing:
            written += _entries_write(_ENTRY_BUILDERS[kind](missing))
    return written
