"""What the API sends. Serializers only shape rows the selectors chose; the memo arrives already
cut to the caller's plan by `provision_compliance_analysis`."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.documents.chain import version_chain_record
from apps.documents.models import ArchivedSnapshot, ChangeEvent, Document, DocumentVersion
from apps.monitoring.models import WatchedPlatform, WatchedProvision
from apps.platforms.models import Platform
from apps.provisions.models import MEMO_FIELDS, ClauseType, Provision
from apps.provisions.selectors import visible_memo_fields
from apps.regulations.models import Agency, Regulation


class PageLinkField(serializers.SerializerMethodField):
    """The absolute address of the object's public page."""

    def __init__(self, **kwargs):
        super().__init__(method_name="get_html_url", **kwargs)


class HtmlUrlMixin:
    @extend_schema_field(serializers.URLField())
    def get_html_url(self, obj) -> str:
        return self.context["request"].build_absolute_uri(obj.get_absolute_url())


class PlatformSerializer(HtmlUrlMixin, serializers.ModelSerializer):
    html_url = PageLinkField()
    grade = serializers.CharField(
        read_only=True,
        help_text="A (least concern) to E, from the published provisions' severities by the rule "
        "on the methodology page; empty when too few provisions are published to grade.",
    )

    class Meta:
        model = Platform
        fields = ["slug", "name", "website", "sector", "description", "grade", "html_url"]


class DocumentSerializer(HtmlUrlMixin, serializers.ModelSerializer):
    platform = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    html_url = PageLinkField()

    class Meta:
        model = Document
        fields = [
            "record_id",
            "title",
            "slug",
            "doc_type",
            "platform",
            "source_url",
            "first_tracked_at",
            "last_verified_at",
            "stated_last_updated",
            "html_url",
        ]


class PlatformDetailSerializer(PlatformSerializer):
    documents = DocumentSerializer(many=True, read_only=True)

    class Meta(PlatformSerializer.Meta):
        fields = [*PlatformSerializer.Meta.fields, "documents"]


class SnapshotSerializer(serializers.ModelSerializer):
    class Meta:
        model = ArchivedSnapshot
        fields = ["sha256", "size", "content_type", "fetched_at", "last_verification_ok"]


class VersionLinksMixin:
    """The version's page and its two downloads, absolute."""

    def _version_url(self, version, name: str) -> str:
        document = version.document
        path = reverse(
            name,
            kwargs={
                "platform_slug": document.platform.slug,
                "document_slug": document.slug,
                "number": version.number,
            },
        )
        return self.context["request"].build_absolute_uri(path)

    @extend_schema_field(serializers.URLField())
    def get_html_url(self, version) -> str:
        return self._version_url(version, "documents:version_detail")

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_raw_url(self, version) -> str | None:
        if not version.snapshot_id:
            return None
        return self._version_url(version, "documents:version_raw")

    @extend_schema_field(serializers.URLField())
    def get_text_url(self, version) -> str:
        return self._version_url(version, "documents:version_text")


class VersionSerializer(VersionLinksMixin, serializers.ModelSerializer):
    document = serializers.SlugRelatedField(slug_field="record_id", read_only=True)
    snapshot = SnapshotSerializer(read_only=True, allow_null=True)
    html_url = PageLinkField()
    raw_url = serializers.SerializerMethodField(help_text="The exact captured bytes.")
    text_url = serializers.SerializerMethodField(help_text="The extracted text, UTF-8.")

    class Meta:
        model = DocumentVersion
        fields = [
            "document",
            "number",
            "kind",
            "captured_at",
            "text_sha256",
            "extraction_rule_version",
            "archive_url",
            "snapshot",
            "previous_chain_sha256",
            "chain_sha256",
            "html_url",
            "raw_url",
            "text_url",
        ]


class VersionDetailSerializer(VersionSerializer):
    class Meta(VersionSerializer.Meta):
        fields = [*VersionSerializer.Meta.fields, "text"]


class ChainRecordSerializer(serializers.Serializer):
    document = serializers.CharField()
    number = serializers.IntegerField()
    snapshot_sha256 = serializers.CharField(allow_blank=True)
    text_sha256 = serializers.CharField()
    captured_at = serializers.CharField(help_text="UTC, to the microsecond, as hashed.")
    previous_chain_sha256 = serializers.CharField(allow_blank=True)


class ChainLinkSerializer(VersionLinksMixin, serializers.Serializer):
    record = serializers.SerializerMethodField(
        help_text="Exactly what `chain_sha256` hashes, as canonical JSON (keys sorted, no "
        "spaces, UTF-8)."
    )
    chain_sha256 = serializers.CharField()
    raw_url = serializers.SerializerMethodField()
    text_url = serializers.SerializerMethodField()

    @extend_schema_field(ChainRecordSerializer)
    def get_record(self, version) -> dict:
        return version_chain_record(version)


class ChainSerializer(serializers.Serializer):
    document = serializers.CharField()
    links = ChainLinkSerializer(many=True, help_text="Oldest version first.")


class ChangeSerializer(serializers.ModelSerializer):
    document = serializers.CharField(source="document.record_id")
    document_title = serializers.CharField(source="document.title")
    platform = serializers.CharField(source="document.platform.slug")
    number = serializers.IntegerField(source="version.number", help_text="The new version.")
    previous_number = serializers.IntegerField(
        source="previous_version.number",
        allow_null=True,
        help_text="The version it replaced; null for a document's first record.",
    )
    captured_at = serializers.DateTimeField(source="version.captured_at")
    summary = serializers.JSONField(
        help_text="Sections added, removed and reworded; words added and removed."
    )

    class Meta:
        model = ChangeEvent
        fields = [
            "document",
            "document_title",
            "platform",
            "number",
            "previous_number",
            "captured_at",
            "created_at",
            "summary",
        ]


class ProvisionSerializer(HtmlUrlMixin, serializers.ModelSerializer):
    platform = serializers.CharField(source="document.platform.slug")
    document = serializers.CharField(source="document.record_id")
    clause_type = serializers.CharField(source="clause_type.slug")
    html_url = PageLinkField()

    class Meta:
        model = Provision
        fields = [
            "record_id",
            "title",
            "slug",
            "severity",
            "platform",
            "document",
            "clause_type",
            "summary",
            "clause_text",
            "published_at",
            "updated_at",
            "html_url",
        ]


class MemoSerializer(serializers.Serializer):
    """The memo parts the caller's plan may read; the others are absent, never empty."""

    def get_fields(self):
        return {field: serializers.CharField(required=False) for field in MEMO_FIELDS}


class AgencyNoteSerializer(serializers.Serializer):
    agency = serializers.CharField(source="agency.slug")
    name = serializers.CharField(source="agency.name")
    note = serializers.CharField()


class CitedVersionSerializer(serializers.Serializer):
    document = serializers.CharField(source="document.record_id")
    number = serializers.IntegerField()


class ProvisionDetailSerializer(ProvisionSerializer):
    categories = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    regulations = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    agencies = AgencyNoteSerializer(source="agency_notes", many=True, read_only=True)
    cited_version = CitedVersionSerializer(read_only=True, allow_null=True)
    memo = serializers.SerializerMethodField()
    memo_locked = serializers.SerializerMethodField()

    class Meta(ProvisionSerializer.Meta):
        fields = [
            *ProvisionSerializer.Meta.fields,
            "why_it_matters",
            "consumer_impact",
            "interpretive_note",
            "categories",
            "regulations",
            "agencies",
            "cited_version",
            "memo",
            "memo_locked",
        ]

    @extend_schema_field(MemoSerializer)
    def get_memo(self, provision) -> dict:
        analysis = self.context["compliance_analysis"]
        return {section.field: section.text for section in analysis.sections}

    def get_memo_locked(self, provision) -> list[str]:
        """The names of the memo parts a bigger plan would show."""
        return self.context["compliance_analysis"].locked


class ClauseTypeSerializer(HtmlUrlMixin, serializers.ModelSerializer):
    provision_count = serializers.IntegerField()
    platform_count = serializers.IntegerField()
    html_url = PageLinkField()

    class Meta:
        model = ClauseType
        fields = ["slug", "name", "description", "provision_count", "platform_count", "html_url"]


class RegulationSerializer(HtmlUrlMixin, serializers.ModelSerializer):
    html_url = PageLinkField()

    class Meta:
        model = Regulation
        fields = [
            "slug",
            "name",
            "short_name",
            "jurisdiction",
            "description",
            "reference_url",
            "html_url",
        ]


class AgencySerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["slug", "name", "short_name", "jurisdiction", "description", "complaint_url"]


class SearchResultSerializer(serializers.Serializer):
    query = serializers.CharField()
    platforms = PlatformSerializer(many=True)
    provisions = ProvisionSerializer(many=True)


class PlanSerializer(serializers.Serializer):
    code = serializers.CharField(source="plan_code")
    name = serializers.CharField(source="plan_name")
    max_tracked_platforms = serializers.IntegerField()
    max_tracked_provisions = serializers.IntegerField()
    visible_memo_fields = serializers.SerializerMethodField()
    api_requests_per_minute = serializers.IntegerField()
    api_requests_per_day = serializers.IntegerField()

    def get_visible_memo_fields(self, entitlements) -> list[str]:
        """The memo parts the provision endpoint sends with this organization's keys."""
        return list(visible_memo_fields(entitlements))


class UsageSerializer(serializers.Serializer):
    tracked_platforms = serializers.IntegerField()
    tracked_provisions = serializers.IntegerField()


class OrganizationSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    plan = PlanSerializer()
    usage = UsageSerializer()


class WatchedPlatformSerializer(serializers.ModelSerializer):
    platform = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    platform_name = serializers.CharField(source="platform.name", read_only=True)

    class Meta:
        model = WatchedPlatform
        fields = ["id", "platform", "platform_name", "created_at"]


class WatchedPlatformAddSerializer(serializers.Serializer):
    platform = serializers.SlugField(max_length=200, help_text="The platform's slug.")


class WatchedProvisionSerializer(serializers.ModelSerializer):
    provision = serializers.CharField(source="provision.record_id", read_only=True)
    title = serializers.CharField(source="provision.title", read_only=True)
    platform = serializers.CharField(source="provision.document.platform.slug", read_only=True)

    class Meta:
        model = WatchedProvision
        fields = ["id", "provision", "title", "platform", "created_at"]


class WatchedProvisionAddSerializer(serializers.Serializer):
    provision = serializers.RegexField(
        r"^CA-P-\d{6,}$", max_length=20, help_text="The provision's record ID (CA-P-000001)."
    )
