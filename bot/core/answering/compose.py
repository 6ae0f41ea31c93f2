"""Pieces of replies that several kinds of question share: conflicts, routes, reports."""

from __future__ import annotations

from bot.core import formatting as fmt
from bot.core.answering.view import View
from bot.core.i18n import current, t
from bot.core.model import Edition, Era, Event, Report
from bot.core.reply import Draft


def conflict_lines(draft: Draft, ed: Edition, fields: tuple[str, ...]) -> None:
    """'Sources differ: ...' for every disagreement about the fields shown."""
    for conflict in ed.conflicts_for(*fields):
        line = t("answers.labels.sources_differ", text=conflict.text)
        if line not in draft.lines:
            draft.lines.append(line)


def route_line(draft: Draft, ed: Edition) -> None:
    if ed.route:
        draft.lines.append(t("answers.labels.route", value=" - ".join(ed.route)))
    elif ed.route_note:
        draft.lines.append(t("answers.labels.route", value=ed.route_note))


def route_of(event: Event, ed: Edition) -> str:
    """'Route of the 2016 Mille Miglia: Brescia - ... - Brescia.'"""
    return t(
        "answers.edition.route",
        of_edition=fmt.the_edition(event, ed, "of_edition"),
        route=" - ".join(ed.route),
    )


def attach(view: View, draft: Draft, ed: Edition, sources: bool = True) -> None:
    """The edition's reports, and its sources unless the draft cites others."""
    draft.reports.extend(view.reports.get(ed.key, []))
    if sources:
        draft.add_sources(ed.sources)


def report_line(rep: Report) -> str:
    by = t("answers.report.by", author=rep.author) if rep.author else ""
    photos = t("answers.report.photos", name=rep.photos_by) if rep.photos_by else ""
    if rep.author and rep.photos_by == rep.author:  # not "by X (photos: X)"
        by, photos = t("answers.report.by_and_photos", author=rep.author), ""
    return t("answers.report.line", title=rep.title, site=rep.site, by=by, photos=photos)


def era_words(era: Era) -> str:
    """'the revival (regularity rally)', 'the speed race': how a sentence names an era."""
    cat = current()
    return cat.texts.get(f"answers.era_names.{era.id}") or era.name


def era_span(era: Era) -> str:
    """'in the speed race (1927-1957)', 'in the revival (regularity rally) (1977-today)'."""
    cat = current()
    name = cat.texts.get(f"answers.eras.{era.id}") or cat(
        "answers.eras.other", name=era.name.lower()
    )
    end = era.end_year or cat("answers.era_open")
    return cat("answers.era_span", era=name, start=era.start_year, end=end)


def sp(text: str) -> str:
    return f" {text}" if text else ""
