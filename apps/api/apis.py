"""API v1 endpoints. Thin: parse parameters, ask a selector or service, serialize. What a caller
may read comes from the entitlements of the key's organization (a visitor's without a key)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response

from apps.api import filters, selectors
from apps.api.base import CatalogAPIView, OrganizationAPIView
from apps.api.errors import BadParameter, error_responses
from apps.api.pagination import NewestChangesCursorPagination, NewestFirstCursorPagination
from apps.api.serializers import (
    AgencySerializer,
    ChainSerializer,
    ChangeSerializer,
    ClauseTypeSerializer,
    DocumentSerializer,
    OrganizationSerializer,
    PlatformDetailSerializer,
    PlatformSerializer,
    ProvisionDetailSerializer,
    ProvisionSerializer,
    RegulationSerializer,
    SearchResultSerializer,
    VersionDetailSerializer,
    VersionSerializer,
    WatchedPlatformAddSerializer,
    WatchedPlatformSerializer,
    WatchedProvisionAddSerializer,
    WatchedProvisionSerializer,
)
from apps.core.search import search_input_parse
from apps.documents.selectors import document_chain
from apps.monitoring import services as monitoring_services
from apps.monitoring.models import WatchedPlatform, WatchedProvision
from apps.monitoring.selectors import watched_provisions, watchlist_usage
from apps.platforms.models import Platform
from apps.platforms.selectors import platform_search
from apps.provisions.models import ClauseType, Provision
from apps.provisions.selectors import (
    clause_type_list,
    provision_compliance_analysis,
    provision_get_published,
    provision_published_by_record_id,
    provision_search,
)
from apps.regulations.models import Regulation

# Every endpoint can meet a bad key (401), a plan without API access (403) and the rate (429).
COMMON_ERRORS = (401, 403, 429)
LIST_ERRORS = error_responses(400, *COMMON_ERRORS)
DETAIL_ERRORS = error_responses(404, *COMMON_ERRORS)
NOT_MODIFIED = {304: None}
SEARCH_RESULTS_LIMIT = 50


def _not_found(noun: str, identifier: str) -> exceptions.NotFound:
    return exceptions.NotFound(f"No {noun} “{identifier[:80]}”.")


class PlatformListAPI(CatalogAPIView):
    serializer_class = PlatformSerializer

    @extend_schema(
        tags=["catalog"],
        summary="Platforms",
        description="Every platform in the catalog, in name order.",
        responses={200: PlatformSerializer(many=True), **NOT_MODIFIED, **LIST_ERRORS},
    )
    def get(self, request):
        page = self.paginate_queryset(selectors.platform_list())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class PlatformDetailAPI(CatalogAPIView):
    serializer_class = PlatformDetailSerializer

    @extend_schema(
        tags=["catalog"],
        summary="A platform and its documents",
        responses={200: PlatformDetailSerializer, **NOT_MODIFIED, **DETAIL_ERRORS},
    )
    def get(self, request, slug):
        platform = Platform.objects.listed().prefetch_related("documents").filter(slug=slug).first()
        if platform is None:
            raise _not_found("platform", slug)
        return Response(self.get_serializer(platform).data)


class DocumentListAPI(CatalogAPIView):
    serializer_class = DocumentSerializer

    @extend_schema(
        tags=["catalog"],
        summary="Documents",
        description="The archived documents (terms, policies), by record ID.",
        parameters=[filters.PLATFORM],
        responses={200: DocumentSerializer(many=True), **NOT_MODIFIED, **LIST_ERRORS},
    )
    def get(self, request):
        platform = filters.slug_param(request, "platform", Platform, "platform")
        page = self.paginate_queryset(selectors.document_list(platform=platform))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


def _document_or_404(record_id: str):
    document = selectors.document_by_record_id(record_id=record_id)
    if document is None:
        raise _not_found("document", record_id)
    return document


class DocumentDetailAPI(CatalogAPIView):
    serializer_class = DocumentSerializer

    @extend_schema(
        tags=["catalog"],
        summary="A document",
        responses={200: DocumentSerializer, **NOT_MODIFIED, **DETAIL_ERRORS},
    )
    def get(self, request, record_id):
        return Response(self.get_serializer(_document_or_404(record_id)).data)


class VersionListAPI(CatalogAPIView):
    serializer_class = VersionSerializer
    pagination_class = NewestFirstCursorPagination

    @extend_schema(
        tags=["catalog"],
        summary="A document's archived versions",
        description="Newest first, without the text; follow `next` for older versions.",
        responses={
            200: VersionSerializer(many=True),
            **NOT_MODIFIED,
            **error_responses(400, 404, *COMMON_ERRORS),
        },
    )
    def get(self, request, record_id):
        document = _document_or_404(record_id)
        page = self.paginate_queryset(selectors.version_list(document=document))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class VersionDetailAPI(CatalogAPIView):
    serializer_class = VersionDetailSerializer

    @extend_schema(
        tags=["catalog"],
        summary="One archived version, with its extracted text",
        responses={200: VersionDetailSerializer, **NOT_MODIFIED, **DETAIL_ERRORS},
    )
    def get(self, request, record_id, number):
        version = selectors.version_get(document=_document_or_404(record_id), number=number)
        if version is None:
            raise _not_found("version", str(number))
        return Response(self.get_serializer(version).data)


class DocumentChainAPI(CatalogAPIView):
    serializer_class = ChainSerializer
    pagination_class = None

    @extend_schema(
        tags=["catalog"],
        summary="A document's hash chain",
        description="Every version's record, oldest first: recompute each `chain_sha256` from "
        "its `record` (SHA-256 of canonical JSON), check that each `previous_chain_sha256` is the "
        "hash before it, and that the file at `raw_url` hashes to `snapshot_sha256`. The README "
        "gives a script.",
        responses={200: ChainSerializer, **NOT_MODIFIED, **DETAIL_ERRORS},
    )
    def get(self, request, record_id):
        document = _document_or_404(record_id)
        chain = {"document": document.record_id, "links": document_chain(document=document)}
        return Response(self.get_serializer(chain).data)


class ChangeListAPI(CatalogAPIView):
    serializer_class = ChangeSerializer
    pagination_class = NewestChangesCursorPagination

    @extend_schema(
        tags=["catalog"],
        summary="Change events",
        description="Each document's first record and every change of its text (never a "
        "technical re-extraction), newest first, with what changed.",
        parameters=[filters.PLATFORM, filters.CHANGED_SINCE],
        responses={200: ChangeSerializer(many=True), **NOT_MODIFIED, **LIST_ERRORS},
    )
    def get(self, request):
        changes = selectors.change_list(
            platform=filters.slug_param(request, "platform", Platform, "platform"),
            changed_since=filters.since_param(request),
        )
        page = self.paginate_queryset(changes)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class ProvisionListAPI(CatalogAPIView):
    serializer_class = ProvisionSerializer

    @extend_schema(
        tags=["catalog"],
        summary="Published provisions",
        description="Clauses with their public analysis; the compliance memo is on each "
        "provision's own endpoint.",
        parameters=[
            filters.PLATFORM,
            filters.CLAUSE_TYPE,
            filters.SEVERITY,
            filters.REGULATION,
            filters.CHANGED_SINCE,
        ],
        responses={200: ProvisionSerializer(many=True), **NOT_MODIFIED, **LIST_ERRORS},
    )
    def get(self, request):
        provisions = selectors.provision_list(
            platform=filters.slug_param(request, "platform", Platform, "platform"),
            clause_type=filters.slug_param(request, "clause_type", ClauseType, "clause type"),
            severity=filters.severity_param(request),
            regulation=filters.slug_param(request, "regulation", Regulation, "regulation"),
            changed_since=filters.since_param(request),
        )
        page = self.paginate_queryset(provisions)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class ProvisionDetailAPI(CatalogAPIView):
    serializer_class = ProvisionDetailSerializer

    @extend_schema(
        tags=["catalog"],
        summary="A provision with the memo parts the caller's plan may read",
        description="`memo` holds only the parts the key's plan includes (none without a key); "
        "`memo_locked` names the parts a bigger plan would add.",
        responses={200: ProvisionDetailSerializer, **NOT_MODIFIED, **DETAIL_ERRORS},
        examples=[
            OpenApiExample(
                "Watcher plan",
                value={
                    "record_id": "CA-P-000001",
                    "memo": {"regulatory_framework": "GDPR Art. 6(1)(f)."},
                    "memo_locked": ["Governance exposure", "Enforcement risk"],
                },
                response_only=True,
            )
        ],
    )
    def get(self, request, record_id):
        located = provision_published_by_record_id(record_id=record_id)
        provision = located and provision_get_published(
            platform_slug=located.document.platform.slug,
            document_slug=located.document.slug,
            provision_slug=located.slug,
        )
        if not provision:
            raise _not_found("provision", record_id)
        analysis = provision_compliance_analysis(
            provision=provision, entitlements=self.entitlements
        )
        serializer = self.get_serializer(
            provision,
            context={**self.get_serializer_context(), "compliance_analysis": analysis},
        )
        return Response(serializer.data)


class ClauseTypeListAPI(CatalogAPIView):
    serializer_class = ClauseTypeSerializer

    @extend_schema(
        tags=["catalog"],
        summary="Clause types",
        description="Clause types having at least one published provision.",
        responses={200: ClauseTypeSerializer(many=True), **NOT_MODIFIED, **LIST_ERRORS},
    )
    def get(self, request):
        page = self.paginate_queryset(clause_type_list())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class ClauseTypeDetailAPI(CatalogAPIView):
    serializer_class = ClauseTypeSerializer

    @extend_schema(
        tags=["catalog"],
        summary="A clause type",
        description="Its provisions: `/api/v1/provisions/?clause_type=<slug>`.",
        responses={200: ClauseTypeSerializer, **NOT_MODIFIED, **DETAIL_ERRORS},
    )
    def get(self, request, slug):
        clause_type = clause_type_list().filter(slug=slug).first()
        if clause_type is None:
            raise _not_found("clause type", slug)
        return Response(self.get_serializer(clause_type).data)


class RegulationListAPI(CatalogAPIView):
    serializer_class = RegulationSerializer

    @extend_schema(
        tags=["catalog"],
        summary="Regulations",
        responses={200: RegulationSerializer(many=True), **NOT_MODIFIED, **LIST_ERRORS},
    )
    def get(self, request):
        page = self.paginate_queryset(selectors.regulation_list())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class RegulationDetailAPI(CatalogAPIView):
    serializer_class = RegulationSerializer

    @extend_schema(
        tags=["catalog"],
        summary="A regulation",
        description="Its provisions: `/api/v1/provisions/?regulation=<slug>`.",
        responses={200: RegulationSerializer, **NOT_MODIFIED, **DETAIL_ERRORS},
    )
    def get(self, request, slug):
        regulation = selectors.regulation_list().filter(slug=slug).first()
        if regulation is None:
            raise _not_found("regulation", slug)
        return Response(self.get_serializer(regulation).data)


class AgencyListAPI(CatalogAPIView):
    serializer_class = AgencySerializer

    @extend_schema(
        tags=["catalog"],
        summary="Agencies",
        description="Regulators and authorities a provision can be reported to.",
        responses={200: AgencySerializer(many=True), **NOT_MODIFIED, **LIST_ERRORS},
    )
    def get(self, request):
        page = self.paginate_queryset(selectors.agency_list())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class AgencyDetailAPI(CatalogAPIView):
    serializer_class = AgencySerializer

    @extend_schema(
        tags=["catalog"],
        summary="An agency",
        responses={200: AgencySerializer, **NOT_MODIFIED, **DETAIL_ERRORS},
    )
    def get(self, request, slug):
        agency = selectors.agency_list().filter(slug=slug).first()
        if agency is None:
            raise _not_found("agency", slug)
        return Response(self.get_serializer(agency).data)


class SearchAPI(CatalogAPIView):
    serializer_class = SearchResultSerializer

    @extend_schema(
        tags=["catalog"],
        summary="Search platforms and provisions",
        description="Matches platform names and descriptions, and provision titles, summaries "
        f"and clause text (never the memo). At most {SEARCH_RESULTS_LIMIT} provisions.",
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, required=True, description="Words to find.")
        ],
        responses={200: SearchResultSerializer, **NOT_MODIFIED, **LIST_ERRORS},
    )
    def get(self, request):
        search = search_input_parse(request.query_params.get("q", ""))
        if search.is_empty:
            raise BadParameter("q", "Give at least one word to search for in `q`.")
        result = {
            "query": search.text,
            "platforms": platform_search(search=search),
            "provisions": provision_search(search=search)[:SEARCH_RESULTS_LIMIT],
        }
        return Response(self.get_serializer(result).data)


ORG_ERRORS = error_responses(404, *COMMON_ERRORS)


class OrganizationAPI(OrganizationAPIView):
    serializer_class = OrganizationSerializer

    @extend_schema(
        tags=["organization"],
        summary="The key's organization: plan and usage",
        responses={200: OrganizationSerializer, **NOT_MODIFIED, **ORG_ERRORS},
    )
    def get(self, request, org_slug):
        data = {
            "slug": self.organization.slug,
            "name": self.organization.name,
            "plan": self.entitlements,
            "usage": watchlist_usage(organization=self.organization),
        }
        return Response(self.get_serializer(data).data)


class OrganizationChangeListAPI(OrganizationAPIView):
    serializer_class = ChangeSerializer
    pagination_class = NewestChangesCursorPagination

    @extend_schema(
        tags=["organization"],
        summary="Notifications: the changes that reached the organization",
        description="Each change of a tracked platform or provision that alerted the "
        "organization's members, once, newest first (the dashboard's notifications).",
        parameters=[filters.CHANGED_SINCE],
        responses={
            200: ChangeSerializer(many=True),
            **NOT_MODIFIED,
            **error_responses(400, 404, *COMMON_ERRORS),
        },
    )
    def get(self, request, org_slug):
        changes = selectors.organization_change_list(
            organization=self.organization, changed_since=filters.since_param(request)
        )
        page = self.paginate_queryset(changes)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class WatchedPlatformListAPI(OrganizationAPIView):
    serializer_class = WatchedPlatformSerializer

    @extend_schema(
        tags=["organization"],
        summary="Tracked platforms",
        responses={
            200: WatchedPlatformSerializer(many=True),
            **NOT_MODIFIED,
            **error_responses(400, 404, *COMMON_ERRORS),
        },
    )
    def get(self, request, org_slug):
        tracked = WatchedPlatform.objects.filter(organization=self.organization).select_related(
            "platform"
        )
        page = self.paginate_queryset(tracked.order_by("platform__name", "pk"))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        tags=["organization"],
        summary="Track a platform",
        description="Within the plan's limit: past it, 403 with `limit` and `used` in `extra`. "
        "Tracking a platform already tracked returns it again. Needs a read-write key.",
        request=WatchedPlatformAddSerializer,
        responses={
            201: WatchedPlatformSerializer,
            **error_responses(400, 404, *COMMON_ERRORS),
        },
    )
    def post(self, request, org_slug):
        payload = WatchedPlatformAddSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        watched = monitoring_services.watchlist_add_platform(
            organization=self.organization, platform_ref=payload.validated_data["platform"]
        )
        return Response(self.get_serializer(watched).data, status=status.HTTP_201_CREATED)


class WatchedPlatformDetailAPI(OrganizationAPIView):
    serializer_class = WatchedPlatformSerializer

    @extend_schema(
        tags=["organization"],
        summary="Stop tracking a platform",
        description="Needs a read-write key.",
        responses={204: None, **ORG_ERRORS},
    )
    def delete(self, request, org_slug, watched_id):
        watched = get_object_or_404(WatchedPlatform, organization=self.organization, pk=watched_id)
        monitoring_services.watchlist_remove_platform(
            organization=self.organization, watched_platform_id=watched.pk
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class WatchedProvisionListAPI(OrganizationAPIView):
    serializer_class = WatchedProvisionSerializer

    @extend_schema(
        tags=["organization"],
        summary="Tracked provisions",
        responses={
            200: WatchedProvisionSerializer(many=True),
            **NOT_MODIFIED,
            **error_responses(400, 404, *COMMON_ERRORS),
        },
    )
    def get(self, request, org_slug):
        tracked = watched_provisions(organization=self.organization).order_by(
            "provision__title", "pk"
        )
        page = self.paginate_queryset(tracked)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        tags=["organization"],
        summary="Track a provision",
        description="Needs provision-level monitoring in the plan and room under its limit "
        "(else 403 with `limit` and `used` in `extra`), and a read-write key.",
        request=WatchedProvisionAddSerializer,
        responses={
            201: WatchedProvisionSerializer,
            **error_responses(400, 404, *COMMON_ERRORS),
        },
    )
    def post(self, request, org_slug):
        payload = WatchedProvisionAddSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        record_id = payload.validated_data["provision"]
        provision = Provision.objects.published().filter(record_id=record_id).first()
        if provision is None:
            raise BadParameter("provision", f"There is no published provision “{record_id}”.")
        watched = monitoring_services.watchlist_add_provision(
            organization=self.organization, provision_id=provision.pk
        )
        return Response(self.get_serializer(watched).data, status=status.HTTP_201_CREATED)


class WatchedProvisionDetailAPI(OrganizationAPIView):
    serializer_class = WatchedProvisionSerializer

    @extend_schema(
        tags=["organization"],
        summary="Stop tracking a provision",
        description="Needs a read-write key.",
        responses={204: None, **ORG_ERRORS},
    )
    def delete(self, request, org_slug, watched_id):
        watched = get_object_or_404(WatchedProvision, organization=self.organization, pk=watched_id)
        monitoring_services.watchlist_remove_provision(
            organization=self.organization, watched_provision_id=watched.pk
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
