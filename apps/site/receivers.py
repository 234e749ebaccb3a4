"""The site's reactions to catalog writes, whoever made them (a curator in the admin, the
workflow services, the demo loader): the search index follows the row in the same transaction."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from apps.documents.models import Document
from apps.platforms.models import Platform
from apps.provisions.models import AnalysisArticle, ClauseType, Provision
from apps.regulations.models import Agency, Regulation
from apps.site.models import SearchKind
from apps.site.services import search_index_refresh, search_index_refresh_provisions

_KIND_OF = {
    Platform: SearchKind.PLATFORM,
    Provision: SearchKind.PROVISION,
    ClauseType: SearchKind.CLAUSE_TYPE,
    Regulation: SearchKind.REGULATION,
    Agency: SearchKind.AGENCY,
    AnalysisArticle: SearchKind.ARTICLE,
}


def _refresh(sender, instance, **kwargs) -> None:
    search_index_refresh(kind=_KIND_OF[sender], object_ids=[instance.pk])
    # Provision entries show their platform's and clause type's names and their URLs the
    # platform's slug, so those changes rewrite them too.
    if sender is Platform and not kwargs.get("created"):
        search_index_refresh_provisions(
            provisions=Provision.objects.filter(document__platform_id=instance.pk)
        )
    elif sender is ClauseType and not kwargs.get("created"):
        search_index_refresh_provisions(
            provisions=Provision.objects.filter(clause_type_id=instance.pk)
        )


for _model in _KIND_OF:
    post_save.connect(_refresh, sender=_model, dispatch_uid=f"site.search.save.{_model.__name__}")
    post_delete.connect(
        _refresh, sender=_model, dispatch_uid=f"site.search.delete.{_model.__name__}"
    )


@receiver(post_save, sender=Document, dispatch_uid="site.search.save.Document")
def refresh_document_provisions(sender, instance, created, **kwargs) -> None:
    """A document's title and slug are in its provisions' entries."""
    if not created:
        search_index_refresh_provisions(provisions=Provision.objects.filter(document=instance))
