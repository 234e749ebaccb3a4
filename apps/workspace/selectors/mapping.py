"""The regulatory mapping of an organization's watchlist: its published provisions against the
regulations they are mapped to, each cell holding the memo's points about that regulation.

A cell's points are the sentences of the memo parts the plan releases (through the provision
page's own `provision_compliance_analysis`) that name the regulation; where none names it, the
memo's compliance considerations stand in, marked as general."""

import re
from dataclasses import dataclass

from django.db.models import Prefetch

from apps.accounts.models import Organization
from apps.billing.entitlements import Entitlements
from apps.monitoring.selectors import watchlist_provision_ids
from apps.provisions.models import ClauseType, Provision
from apps.provisions.selectors import ComplianceAnalysis, provision_compliance_analysis
from apps.regulations.models import Regulation

# A sentence ends at . ! or ? followed by a capital or an opening bracket or quote, so that
# "Art. 6" or "U.S. law" stay whole.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(“\"])")
GENERAL_POINTS_FIELD = "compliance_considerations"
MAX_GENERAL_POINTS = 3


@dataclass(frozen=True)
class MappingCell:
    regulation: Regulation
    mapped: bool
    points: tuple[str, ...] = ()
    # True when no memo sentence names the regulation and the points are the memo's general
    # compliance considerations.
    general: bool = False


@dataclass(frozen=True)
class MappingRow:
    provision: Provision
    cells: list[MappingCell]


@dataclass(frozen=True)
class RegulatoryMapping:
    regulations: list[Regulation]
    rows: list[MappingRow]

    @property
    def mapped_cells(self) -> list[tuple[Provision, MappingCell]]:
        return [(row.provision, cell) for row in self.rows for cell in row.cells if cell.mapped]


@dataclass(frozen=True)
class MappingChoices:
    """What the filters offer: only values present on this watchlist."""

    regulations: list[Regulation]
    jurisdictions: list[str]
    clause_types: list[ClauseType]


def _watchlist_provisions(organization: Organization):
    return Provision.objects.published().filter(
        pk__in=watchlist_provision_ids(organization=organization)
    )


def mapping_choices(*, organization: Organization) -> MappingChoices:
    provisions = _watchlist_provisions(organization).values("pk")
    regulations = list(
        Regulation.objects.filter(provisions__in=provisions)
        .distinct()
        .only("name", "slug", "jurisdiction")
        .order_by("name")
    )
    clause_types = list(
        ClauseType.objects.filter(provisions__in=provisions)
        .distinct()
        .only("name", "slug")
        .order_by("name")
    )
    jurisdictions = sorted({regulation.jurisdiction for regulation in regulations})
    return MappingChoices(
        regulations=regulations, jurisdictions=jurisdictions, clause_types=clause_types
    )


def _sentences(text: str) -> list[str]:
    return [sentence.strip() for sentence in _SENTENCE_END.split(text) if sentence.strip()]


def _names(regulation: Regulation) -> re.Pattern:
    names = [re.escape(name) for name in (regulation.short_name, regulation.name) if name]
    return re.compile(rf"(?<!\w)(?:{'|'.join(names)})(?!\w)", re.IGNORECASE)


def _cell(regulation: Regulation, analysis: ComplianceAnalysis) -> MappingCell:
    pattern = _names(regulation)
    named = tuple(
        sentence
        for section in analysis.sections
        for sentence in _sentences(section.text)
        if pattern.search(sentence)
    )
    if named:
        return MappingCell(regulation=regulation, mapped=True, points=named)
    general = next(
        (section.text for section in analysis.sections if section.field == GENERAL_POINTS_FIELD),
        "",
    )
    return MappingCell(
        regulation=regulation,
        mapped=True,
        points=tuple(_sentences(general)[:MAX_GENERAL_POINTS]),
        general=True,
    )


def regulatory_mapping(
    *,
    organization: Organization,
    entitlements: Entitlements,
    regulation_slug: str | None = None,
    jurisdiction: str | None = None,
    severity: int | None = None,
    clause_type_slug: str | None = None,
) -> RegulatoryMapping:
    """The watchlist's provisions (rows) against the regulations mapped to them (columns),
    narrowed by the filters given. A regulation or jurisdiction filter keeps the provisions
    mapped to a matching regulation; without one, provisions not mapped yet show as a row of
    empty cells."""
    regulations_in_view = Regulation.objects.only("name", "short_name", "slug", "jurisdiction")
    if regulation_slug:
        regulations_in_view = regulations_in_view.filter(slug=regulation_slug)
    if jurisdiction:
        regulations_in_view = regulations_in_view.filter(jurisdiction=jurisdiction)
    provisions = (
        _watchlist_provisions(organization)
        .select_related("document__platform", "clause_type")
        .prefetch_related(
            Prefetch(
                "regulations",
                queryset=regulations_in_view.order_by("jurisdiction", "name"),
                to_attr="regulations_in_view",
            )
        )
        .order_by("document__platform__name", "-severity", "title", "pk")
    )
    if severity:
        provisions = provisions.filter(severity=severity)
    if clause_type_slug:
        provisions = provisions.filter(clause_type__slug=clause_type_slug)
    if regulation_slug or jurisdiction:
        provisions = provisions.filter(regulations__in=regulations_in_view).distinct()
    provisions = list(provisions)

    columns = {
        regulation.pk: regulation
        for provision in provisions
        for regulation in provision.regulations_in_view
    }
    regulations = sorted(
        columns.values(), key=lambda regulation: (regulation.jurisdiction, regulation.name)
    )
    rows = []
    for provision in provisions:
        analysis = provision_compliance_analysis(provision=provision, entitlements=entitlements)
        mapped = {regulation.pk for regulation in provision.regulations_in_view}
        rows.append(
            MappingRow(
                provision=provision,
                cells=[
                    _cell(regulation, analysis)
                    if regulation.pk in mapped
                    else MappingCell(regulation=regulation, mapped=False)
                    for regulation in regulations
                ],
            )
        )
    return RegulatoryMapping(regulations=regulations, rows=rows)
