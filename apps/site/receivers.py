"""The site's reactions to catalog writes, whoever made them (a curator in the admin, the
workflow services, the document pipeline, the demo loader): the search index follows the row
in the same transaction, and the cached pages showing it, search results included, become
stale (apps.core.page_cache)."""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

from apps.billing.models import Plan
from apps.core.page_cache import page_cache_invalidate
from apps.core.page_tokens import (
    ARTICLES,
    CLAUSE_TYPE_LIST_PAGE,
    HOME_PAGE,
    PLANS,
    PLATFORM_LIST_PAGE,
    REGULATION_LIST_PAGE,
    SEARCH_RESULTS,
    agency_token,
    clause_type_page_token,
    platform_page_token,
    regulation_page_token,
)
from apps.documents.models import ChangeEvent, Document, DocumentVersion
from apps.platforms.models import Platform
from apps.provisions.models import (
    AnalysisArticle,
    ClauseType,
    FAQEntry,
    Provision,
    ProvisionAgency,
    ProvisionImpact,
)
from apps.provisions.signals import provision_impacts_recorded
from apps.regulations.models import Agency, Regulation
from apps.site.models import SearchKind
from apps.site.services import (
    search_index_fill_missing,
    search_index_refresh,
    search_index_refresh_provisions,
)

_SEARCH_KIND_OF = {
    Platform: SearchKind.PLATFORM,
    Provision: SearchKind.PROVISION,
    ClauseType: SearchKind.CLAUSE_TYPE,
    Regulation: SearchKind.REGULATION,
    Agency: SearchKind.AGENCY,
    AnalysisArticle: SearchKind.ARTICLE,
}


def _pages_listing(provisions) -> list[str]:
    """The pages listing these provisions as cards (which show their platform's and clause
    type's names): their platforms', clause types' and regulations' pages."""
    rows = provisions.values_list("document__platform_id", "clause_type_id", "regulations")
    tokens = set()
    for platform_id, clause_type_id, regulation_id in rows:
        tokens.add(platform_page_token(platform_id))
        tokens.add(clause_type_page_token(clause_type_id))
        if regulation_id is not None:
            tokens.add(regulation_page_token(regulation_id))
    return sorted(tokens)


def _pages_showing(instance) -> list[str]:
    """The names of the pages a written row appears on."""
    if isinstance(instance, Platform):
        return [
            platform_page_token(instance.pk),
            PLATFORM_LIST_PAGE,
            HOME_PAGE,
            *_pages_listing(Provision.objects.filter(document__platform_id=instance.pk)),
        ]
    if isinstance(instance, Document):
        return [platform_page_token(instance.platform_id), PLATFORM_LIST_PAGE, HOME_PAGE]
    if isinstance(instance, DocumentVersion | ChangeEvent):
        # The pipeline writes both with their document at hand: no query then.
        if type(instance).document.is_cached(instance):
            platform_id = [instance.document.platform_id]
        else:
            platform_id = Document.objects.filter(pk=instance.document_id).values_list(
                "platform_id", flat=True
            )
        return [*(platform_page_token(pk) for pk in platform_id), HOME_PAGE]
    if isinstance(instance, Provision):
        clause_types = {instance.clause_type_id, getattr(instance, "_clause_type_before", None)}
        return [
            *_pages_listing(Provision.objects.filter(pk=instance.pk)),
            *(clause_type_page_token(pk) for pk in clause_types if pk is not None),
            PLATFORM_LIST_PAGE,
            CLAUSE_TYPE_LIST_PAGE,
            REGULATION_LIST_PAGE,
            HOME_PAGE,
        ]
    if isinstance(instance, ProvisionAgency | FAQEntry | ProvisionImpact):
        return _pages_listing(Provision.objects.filter(pk=instance.provision_id))
    if isinstance(instance, ClauseType):
        return [
            clause_type_page_token(instance.pk),
            CLAUSE_TYPE_LIST_PAGE,
            *_pages_listing(Provision.objects.filter(clause_type_id=instance.pk)),
        ]
    if isinstance(instance, Regulation):
        return [regulation_page_token(instance.pk), REGULATION_LIST_PAGE]
    if isinstance(instance, Agency):
        return [agency_token(instance.pk)]
    if isinstance(instance, AnalysisArticle):
        return [ARTICLES]
    if isinstance(instance, Plan):
        return [PLANS]
    return []


def search_index_after_migrate(sender, using="default", **kwargs) -> None:
    """Rows that data migrations wrote (seeded clause types) sent no save signal."""
    search_index_fill_missing()


def _catalog_deleting(sender, instance, **kwargs) -> None:
    """Before the row (and its links) goes: the pages showing it are found through them."""
    page_cache_invalidate(_pages_showing(instance))


# What a document change writes to a provision it flags for review: its search entry shows none
# of it, so such a save leaves the entry (and the search results) as they are.
_PROVISION_REVIEW_FIELDS = frozenset({"needs_review", "review_reason", "updated_at"})


def _catalog_written(sender, instance, **kwargs) -> None:
    if kwargs["signal"] is post_save:
        page_cache_invalidate(_pages_showing(instance))
    kind = _SEARCH_KIND_OF.get(sender)
    # A raw save (fixtures, a test's serialized rollback) loads the index's own rows beside the
    # catalog's: writing entries here as well would insert them twice.
    if kind is None or kwargs.get("raw"):
        return
    update_fields = kwargs.get("update_fields")
    if sender is Provision and update_fields and update_fields <= _PROVISION_REVIEW_FIELDS:
        return
    search_index_refresh(kind=kind, object_ids=[instance.pk])
    page_cache_invalidate([SEARCH_RESULTS])
    # Provision entries show their platform's, document's and clause type's names, and their
    # URLs the platform's and document's slugs.
    if kwargs.get("created"):
        return
    if sender is Platform:
        search_index_refresh_provisions(
            provisions=Provision.objects.filter(document__platform_id=instance.pk)
        )
    elif sender is ClauseType:
        search_index_refresh_provisions(
            provisions=Provision.objects.filter(clause_type_id=instance.pk)
        )


def _document_written(sender, instance, created=False, **kwargs) -> None:
    page_cache_invalidate([*_pages_showing(instance), SEARCH_RESULTS])
    if not created and not kwargs.get("raw") and kwargs["signal"] is post_save:
        search_index_refresh_provisions(provisions=Provision.objects.filter(document=instance))


def _remember_clause_type(sender, instance, update_fields=None, **kwargs) -> None:
    """A provision moved to another clause type leaves the old type's pages too."""
    if update_fields is not None and "clause_type" not in update_fields:
        return
    if instance.pk is not None:
        before = Provision.objects.filter(pk=instance.pk).values_list("clause_type_id", flat=True)
        instance._clause_type_before = before.first()


def _provision_links_changed(sender, instance, action, pk_set, **kwargs) -> None:
    """A provision's regulations or categories changed (admin inlines, the loader)."""
    if not action.startswith("post_"):
        return
    tokens = list(_pages_showing(instance))
    if sender is Provision.regulations.through:
        tokens += [regulation_page_token(pk) for pk in pk_set or ()]
        tokens.append(REGULATION_LIST_PAGE)
    page_cache_invalidate(tokens)


def _provision_impacts_written(sender, provision_ids, **kwargs) -> None:
    """Impacts written in bulk (no save signal per row) appear where their provisions do."""
    page_cache_invalidate(_pages_listing(Provision.objects.filter(pk__in=provision_ids)))


def _article_links_changed(sender, instance, action, **kwargs) -> None:
    if action.startswith("post_"):
        page_cache_invalidate([ARTICLES])


_WRITTEN = (
    Platform,
    Provision,
    ClauseType,
    Regulation,
    Agency,
    AnalysisArticle,
    DocumentVersion,
    ChangeEvent,
    ProvisionAgency,
    FAQEntry,
    ProvisionImpact,
    Plan,
)
for _model in _WRITTEN:
    post_save.connect(_catalog_written, sender=_model, dispatch_uid=f"site.save.{_model.__name__}")
    post_delete.connect(
        _catalog_written, sender=_model, dispatch_uid=f"site.delete.{_model.__name__}"
    )
    pre_delete.connect(
        _catalog_deleting, sender=_model, dispatch_uid=f"site.deleting.{_model.__name__}"
    )
post_save.connect(_document_written, sender=Document, dispatch_uid="site.save.Document")
pre_delete.connect(_document_written, sender=Document, dispatch_uid="site.deleting.Document")
pre_save.connect(_remember_clause_type, sender=Provision, dispatch_uid="site.pre_save.Provision")
for _through in (Provision.regulations.through, Provision.categories.through):
    m2m_changed.connect(
        _provision_links_changed, sender=_through, dispatch_uid=f"site.m2m.{_through.__name__}"
    )
for _through in (AnalysisArticle.provisions.through, AnalysisArticle.clause_types.through):
    m2m_changed.connect(
        _article_links_changed, sender=_through, dispatch_uid=f"site.m2m.{_through.__name__}"
    )
provision_impacts_recorded.connect(
    _provision_impacts_written, dispatch_uid="site.provision_impacts_recorded"
)
