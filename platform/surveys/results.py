"""The arithmetic of results: distributions, means, matched change over time, heat maps and the
small-group rule. Plain functions on plain values, so the numbers are easy to test exactly."""
from __future__ import annotations

import statistics
from dataclasses import dataclass, field


def mean(values) -> float | None:
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None


def median(values) -> float | None:
    values = [v for v in values if v is not None]
    return float(statistics.median(values)) if values else None


def percent(part: int, whole: int) -> float:
    return 100.0 * part / whole if whole else 0.0


def too_small(n: int, minimum: int) -> bool:
    """The privacy rule: a group with fewer answers than the district minimum is not shown.
    An empty group is simply empty, not suppressed."""
    return 0 < n < minimum


@dataclass
class Distribution:
    labels: list[str]
    counts: list[int]
    n: int
    mean: float | None = None  # on the 1..len(labels) scale, for ordered scales

    @property
    def percents(self) -> list[float]:
        return [percent(c, self.n) for c in self.counts]


def scale_distribution(labels: list[str], points) -> Distribution:
    """Counts of 1-based points on an ordered scale (Likert, rubric levels), with the mean point."""
    counts = [0] * len(labels)
    kept = []
    for p in points:
        if isinstance(p, int) and 1 <= p <= len(labels):
            counts[p - 1] += 1
            kept.append(p)
    return Distribution(labels, counts, len(kept), mean(kept))


def choice_distribution(labels: list[str], chosen, *, multiple: bool = False) -> Distribution:
    """Single choice: one 0-based index per answer. Multiple: a list per answer; n counts respondents."""
    counts = [0] * len(labels)
    n = 0
    for value in chosen:
        picks = value if multiple else [value]
        picks = [i for i in (picks or []) if isinstance(i, int) and 0 <= i < len(labels)]
        if not picks and not multiple:
            continue
        n += 1
        for i in set(picks):
            counts[i] += 1
    return Distribution(labels, counts, n)


@dataclass
class NumberSummary:
    n: int
    mean: float | None
    median: float | None
    low: float | None
    high: float | None


def number_summary(values) -> NumberSummary:
    values = [float(v) for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    return NumberSummary(len(values), mean(values), median(values), min(values, default=None),
                         max(values, default=None))


def text_list(values) -> list[str]:
    """Written answers in alphabetical order, so their order says nothing about who wrote them."""
    return sorted((v.strip() for v in values if isinstance(v, str) and v.strip()), key=lambda s: (s.casefold(), s))


@dataclass
class RubricSummary:
    levels: list[str]
    indicators: list[tuple[str, Distribution]]
    overall: Distribution
    n: int


def rubric_summary(levels: list[str], indicators: list[dict], answers) -> RubricSummary:
    """answers: per respondent, a list of 1-based levels (None where unanswered), one per indicator."""
    answers = [a for a in answers if isinstance(a, list)]
    rows = []
    everything = []
    for i, indicator in enumerate(indicators):
        column = [a[i] if i < len(a) else None for a in answers]
        rows.append((indicator.get("text", ""), scale_distribution(levels, column)))
        everything.extend(column)
    return RubricSummary(levels, rows, scale_distribution(levels, everything), len(answers))


def rubric_score(value) -> float | None:
    """One respondent's rubric answer as its mean level (for matching over time)."""
    if not isinstance(value, list):
        return None
    return mean(v for v in value if isinstance(v, int))


@dataclass
class RetroSummary:
    before: Distribution
    now: Distribution
    n_pairs: int
    mean_change: float | None


def retrospective_summary(labels: list[str], answers) -> RetroSummary:
    """"Before / now" pairs answered in one sitting: each respondent is matched with themselves."""
    pairs = [(a.get("before"), a.get("now")) for a in answers if isinstance(a, dict)]
    full = [(b, n) for b, n in pairs if isinstance(b, int) and isinstance(n, int)]
    return RetroSummary(scale_distribution(labels, [b for b, _ in pairs]), scale_distribution(labels, [n for _, n in pairs]),
                        len(full), mean(n - b for b, n in full))


@dataclass
class MatchedChange:
    """The same question across waves, for the respondents who answered it in every wave."""

    labels: list[str]
    n_matched: int
    means: list[float | None]
    changes: list[float | None] = field(default_factory=list)  # each wave minus the first

    @property
    def total_change(self) -> float | None:
        return self.changes[-1] if self.changes else None


def matched_change(waves: list[tuple[str, dict[str, float]]]) -> MatchedChange:
    """waves: (label, {pseudonym: score}) in time order. Only pseudonyms present in every wave count."""
    labels = [label for label, _ in waves]
    if not waves:
        return MatchedChange(labels, 0, [])
    common = set.intersection(*({k for k, v in scores.items() if v is not None} for _, scores in waves))
    means = [mean(scores[k] for k in common) for _, scores in waves]
    changes = [None if m is None or means[0] is None else m - means[0] for m in means]
    return MatchedChange(labels, len(common), means, changes)


@dataclass
class HeatRow:
    area: str
    distribution: Distribution  # every indicator rating of the area, all respondents


def heat_map(rubric_questions: list[tuple[str, RubricSummary]]) -> list[HeatRow]:
    """One row per area (a rubric question): the share of ratings at each level."""
    return [HeatRow(area, summary.overall) for area, summary in rubric_questions]


def turnaround_days(pairs) -> tuple[float | None, float | None, int]:
    """Mean and median days from submitted to decided, and how many decisions they cover."""
    days = [(decided - submitted).total_seconds() / 86400 for submitted, decided in pairs
            if submitted is not None and decided is not None and decided >= submitted]
    return mean(days), median(days), len(days)
