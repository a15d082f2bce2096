"""The CSV export of a survey's answers: one row per submitted response. An anonymous survey's rows carry a
respondent code that matches the same person across an anonymous set and says nothing else about them; an
identified survey's rows carry the person's name and no code, so a code never stands beside a name."""
from __future__ import annotations

import hashlib

from milepost.surveys import access
from milepost.surveys.models import Question, QuestionKind, Survey
from milepost.surveys.services.results import Respondent
from milepost.surveys.services.taking import shares_set_pseudonyms


def respondent_label(survey_set_or_survey_key: str, pseudonym_value: str) -> str:
    """A short stand-in for a pseudonym in exports: stable within its scope, unrelated to the stored value."""
    return "R-" + hashlib.sha256(f"{survey_set_or_survey_key}:{pseudonym_value}".encode()).hexdigest()[:10]


def export_table(survey: Survey, people: list[Respondent], *, with_names: bool) -> tuple[list[str], list[list]]:
    """One row per submitted response and one column per answer part. Anonymous surveys export a
    respondent code (the same across an anonymous set, for matching) and nothing about the person. Asked with
    names, an identified survey exports the name instead of any code; without, a code of this survey alone."""
    names = access.names_shown(survey, with_names)
    header = ["name"] if names else ["respondent"]
    columns = _columns(survey)
    header += [label for _, _, label in columns]
    scope = f"set:{survey.set_id}" if shares_set_pseudonyms(survey) else f"survey:{survey.id}"
    rows = []
    for p in people:
        row = [p.name or ""] if names else [respondent_label(scope, p.pseudonym)]
        for q, part, _ in columns:
            value = p.answers.get(q.id)
            row.append(_cell(q, value, part))
        rows.append(row)
    rows.sort(key=lambda r: (str(r[0]).casefold(), str(r[0])))  # by code or name, never by when
    return header, rows


def _columns(survey: Survey) -> list[tuple[Question, object, str]]:
    columns = []
    for q in survey.asked:
        if q.kind == QuestionKind.RUBRIC:
            for i, indicator in enumerate(q.indicators):
                columns.append((q, i, f"{q.prompt}: {indicator['text']}"))
        elif q.retrospective:
            columns += [(q, "before", f"{q.prompt} (before)"), (q, "now", f"{q.prompt} (now)")]
        else:
            columns.append((q, None, q.prompt))
    return columns


CODEBOOK_HEADER = ["column", "question key", "question", "kind", "answers", "asked when", "required"]


def codebook_table(survey: Survey) -> tuple[list[str], list[list]]:
    """What each column of the answers export holds: the question, its kind, the answers it can take (in
    scale order, with the number a Likert or rubric point has) and when it is asked (skip logic)."""
    rows = [["respondent" if survey.anonymous else "name", "", "One row per submitted response: "
             + ("a code standing for the person, the same across an anonymous set" if survey.anonymous
                else "the person's name"), "identifier", "", "always", "yes"]]
    for q, part, label in _columns(survey):
        if q.kind in (QuestionKind.LIKERT, QuestionKind.RUBRIC):
            answers = "; ".join(f"{i} = {option}" for i, option in enumerate(q.options, start=1))
        elif q.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            answers = "; ".join(q.options) + (" (several, separated by ;)" if q.kind == QuestionKind.MULTIPLE else "")
        elif q.kind == QuestionKind.NUMBER:
            low = "" if q.min_value is None else f"{q.min_value:g}"
            high = "" if q.max_value is None else f"{q.max_value:g}"
            answers = f"a number{f' from {low}' if low else ''}{f' to {high}' if high else ''}"
        else:
            answers = "written text"
        condition = q.condition()
        asked = f"only after \u201c{condition[1]}\u201d to \u201c{condition[0].prompt}\u201d" if condition else "always"
        kind = q.kind_label + (f" ({part})" if isinstance(part, str) else "")
        rows.append([label, q.key, q.prompt, kind, answers, asked, "yes" if q.required else "no"])
    return CODEBOOK_HEADER, rows


def _cell(q: Question, value, part):
    if value is None:
        return ""
    if q.kind == QuestionKind.RUBRIC:
        level = value[part] if part < len(value) else None
        return q.options[level - 1] if level else ""
    if q.retrospective:
        point = value.get(part)
        return q.options[point - 1] if point else ""
    if q.kind == QuestionKind.LIKERT:
        return q.options[value - 1]
    if q.kind == QuestionKind.SINGLE:
        return q.options[value]
    if q.kind == QuestionKind.MULTIPLE:
        return "; ".join(q.options[i] for i in value)
    if q.kind == QuestionKind.NUMBER:
        return f"{value:g}"
    return value
