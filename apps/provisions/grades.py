"""The platform grade rule: an A–E grade from the severities of a platform's published
provisions, in the manner of ToS;DR's class ratings. The methodology page renders its
description from the constants here, so the rule published and the rule applied are one.

The rule: each published provision counts concern points by its severity (low 0, medium 1,
high 2, critical 3); the platform's grade follows the average points per provision (A at most
0.5, B at most 1, C at most 1.5, D at most 2, E above); a platform with a critical provision
grades no better than C; a platform with fewer than three published provisions is not graded,
because one or two clauses say too little about a whole set of terms."""

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

from apps.platforms.models import Grade
from apps.provisions.models import Severity

MIN_GRADED_PROVISIONS = 3
CONCERN_POINTS = {
    Severity.LOW: 0,
    Severity.MEDIUM: 1,
    Severity.HIGH: 2,
    Severity.CRITICAL: 3,
}
# The highest average concern each grade allows, best grade first; above the last, the grade
# is E. Fractions keep the boundaries exact (an average of exactly 1 is a B, not a C).
GRADE_CEILINGS = (
    (Grade.A, Fraction(1, 2)),
    (Grade.B, Fraction(1)),
    (Grade.C, Fraction(3, 2)),
    (Grade.D, Fraction(2)),
)
WORST_GRADE = Grade.E
# However mild the rest, a critical clause is what a reader must weigh first.
BEST_GRADE_WITH_CRITICAL = Grade.C


def grade_for(severity_counts: Mapping[int, int]) -> str:
    """The grade of a platform whose published provisions have these severities (severity →
    number of provisions), or "" when there are too few to grade."""
    total = sum(severity_counts.values())
    if total < MIN_GRADED_PROVISIONS:
        return ""
    points = sum(CONCERN_POINTS[severity] * count for severity, count in severity_counts.items())
    average = Fraction(points, total)
    grade = next((grade for grade, ceiling in GRADE_CEILINGS if average <= ceiling), WORST_GRADE)
    # Grades are letters in order from best to worst, so "better than C" is "before C".
    if severity_counts.get(Severity.CRITICAL) and grade < BEST_GRADE_WITH_CRITICAL:
        grade = BEST_GRADE_WITH_CRITICAL
    return grade


def grades_by_platform(
    severity_rows: Iterable[tuple[int, int, int]], *, platform_ids: Iterable[int]
) -> dict[int, str]:
    """The grade of each of `platform_ids` from rows of (platform id, severity, number of
    published provisions); a platform without rows has none to grade."""
    severities: dict[int, Counter] = defaultdict(Counter)
    for platform_id, severity, count in severity_rows:
        severities[platform_id][severity] += count
    return {platform_id: grade_for(severities[platform_id]) for platform_id in platform_ids}


@dataclass(frozen=True)
class GradeBand:
    """A grade and the averages it covers: above `floor` (None: from 0) and at most `ceiling`
    (None: without limit)."""

    grade: str
    floor: Fraction | None
    ceiling: Fraction | None

    @property
    def floor_text(self) -> str:
        return _average_text(self.floor)

    @property
    def ceiling_text(self) -> str:
        return _average_text(self.ceiling)


def _average_text(value: Fraction | None) -> str:
    return "" if value is None else f"{float(value):.2f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class GradeRule:
    """The rule as the methodology page states it."""

    min_provisions: int
    concern_points: list[tuple[str, int]]  # severity label, points
    bands: list[GradeBand]
    best_grade_with_critical: str


def grade_rule() -> GradeRule:
    return GradeRule(
        min_provisions=MIN_GRADED_PROVISIONS,
        concern_points=[(severity.label, CONCERN_POINTS[severity]) for severity in Severity],
        bands=[
            GradeBand(grade=grade, floor=floor, ceiling=ceiling)
            for (grade, ceiling), floor in zip(
                [*GRADE_CEILINGS, (WORST_GRADE, None)],
                [None, *(ceiling for _grade, ceiling in GRADE_CEILINGS)],
                strict=True,
            )
        ],
        best_grade_with_critical=BEST_GRADE_WITH_CRITICAL,
    )
