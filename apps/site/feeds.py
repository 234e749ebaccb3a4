"""Atom feeds of the documented changes of a platform and of one document. Each answers a
conditional GET: its ETag and Last-Modified come from the newest change and the number of
changes, so a reader polling an unchanged feed gets a 304 without the feed being built."""

import hashlib

from django.contrib.syndication.views import Feed
from django.db.models import Count, Max
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.http import condition

from apps.platforms.models import Platform
from apps.provisions.selectors import change_events_of
from apps.site.selectors import document_get

FEED_ITEMS = 50


class _ChangesFeed(Feed):
    feed_type = Atom1Feed
    description_template = "changes/feed_item.html"

    def items(self, obj):
        return (
            self.events(obj)
            .select_related("document__platform", "version", "previous_version")
            .defer(
                "version__text",
                "version__change_summary",
                "previous_version__text",
                "previous_version__change_summary",
            )[:FEED_ITEMS]
        )

    def item_title(self, item):
        return (
            f"{item.document.platform.name} {item.document.title}: version "
            f"{item.previous_version.number} → {item.version.number}"
        )

    def item_link(self, item):
        return reverse("changes:detail", args=[item.pk])

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        return item.created_at


class PlatformChangesFeed(_ChangesFeed):
    def get_object(self, request, platform_slug):
        return get_object_or_404(Platform, slug=platform_slug)

    def events(self, obj):
        return change_events_of(platform_id=obj.pk)

    def title(self, obj):
        return f"{obj.name}: documented changes"

    def subtitle(self, obj):
        return f"Every recorded change of the terms and policies {obj.name} publishes."

    def link(self, obj):
        return obj.get_absolute_url()


class DocumentChangesFeed(_ChangesFeed):
    def get_object(self, request, platform_slug, document_slug):
        document = document_get(platform_slug=platform_slug, document_slug=document_slug)
        if document is None:
            raise Http404("No such document.")
        return document

    def events(self, obj):
        return change_events_of(document_id=obj.pk)

    def title(self, obj):
        return f"{obj.platform.name} {obj.title}: documented changes"

    def subtitle(self, obj):
        return f"Every recorded change of {obj.platform.name}'s {obj.title}."

    def link(self, obj):
        return obj.get_absolute_url()


def _feed_state(request, **kwargs) -> dict | None:
    """The newest change and the change count behind a feed, read once per request for both
    the ETag and Last-Modified; None (no validators, so the feed's own 404) for an unknown
    platform or document."""
    if not hasattr(request, "_feed_state"):
        if "document_slug" in kwargs:
            document = document_get(**kwargs)
            events = None if document is None else change_events_of(document_id=document.pk)
        else:
            platform = Platform.objects.listed().filter(slug=kwargs["platform_slug"]).first()
            events = None if platform is None else change_events_of(platform_id=platform.pk)
        request._feed_state = (
            None
            if events is None
            else events.aggregate(count=Count("pk"), newest=Max("created_at"), last_id=Max("pk"))
        )
    return request._feed_state


def _etag(request, **kwargs) -> str | None:
    state = _feed_state(request, **kwargs)
    if state is None:
        return None
    key = f"{request.path}|{state['count']}|{state['last_id']}|{state['newest']}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _last_modified(request, **kwargs):
    state = _feed_state(request, **kwargs)
    return None if state is None else state["newest"]


platform_changes_feed = condition(etag_func=_etag, last_modified_func=_last_modified)(
    PlatformChangesFeed()
)
document_changes_feed = condition(etag_func=_etag, last_modified_func=_last_modified)(
    DocumentChangesFeed()
)
