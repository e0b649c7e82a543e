"""Counts for reports: the monthly report to the child-rights authority (rule 22) and the
public statistics page. Counts only, suppressed with ``helpline.suppression`` before they leave."""

from __future__ import annotations

import io
from collections import Counter
from datetime import date, datetime, time

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from helpline import csvout, indicators
from helpline.models import Call, Centre, Outcome, Request, Topic, labels
from helpline.models.contact import AGE_BANDS, RISK_LEVELS
from helpline.models.request import CHANNELS
from helpline.orm import codes
from helpline.suppression import TOTAL, SuppressedTable, suppress_linked
from helpline.vocabulary import DEFAULT_ZONE as ZONE

CALL_OUTCOMES = ("answered", "abandoned", "no_one_available", "failed", "blocked")
#: Sections counting every request once each: published together, suppressed together.
REQUEST_SECTIONS = ("requests_by_channel", "requests_by_caller_type", "requests_by_age_band",
                    "requests_by_risk_level")


def month_bounds(first_day: date) -> tuple[datetime, datetime]:
    after = date(first_day.year + (first_day.month == 12), first_day.month % 12 + 1, 1)
    return (datetime.combine(first_day, time(0), ZONE), datetime.combine(after, time(0), ZONE))


def _grouped(session: Session, columns: tuple, stamp, start: datetime, end: datetime) -> list[tuple]:
    """The month's rows counted by ``columns``: one GROUP BY, read from a covering index."""
    return [tuple(row) for row in session.execute(
        select(*columns, func.count()).where(stamp >= start, stamp < end).group_by(*columns))]


def _outcomes(session: Session, centre_ids, start: datetime, end: datetime) -> dict:
    """(centre id, outcome) -> the month's calls: one count over an index range per centre and
    outcome, so the month's million calls are never sorted."""
    count = select(func.count()).select_from(Call).where(
        Call.centre_id == bindparam("centre"), Call.outcome == bindparam("outcome"),
        Call.started_at >= start, Call.started_at < end)
    return {(centre, outcome.value): session.scalar(count, {"centre": centre, "outcome": outcome.value})
            for centre in centre_ids for outcome in Outcome}


def _by(groups: list[tuple], position: int) -> Counter:
    """(centre id, the value at ``position``) -> count, from ``_grouped`` rows."""
    out: Counter = Counter()
    for group in groups:
        out[(group[0], group[position])] += group[-1]
    return out


def monthly_tables(session: Session, first_day: date) -> tuple[list[str], list[tuple[str, SuppressedTable]]]:
    """(centre names, [(section, suppressed table with centres as rows)])."""
    start, end = month_bounds(first_day)
    centres = list(session.scalars(select(Centre).order_by(Centre.name)))
    names = {c.id: c.name for c in centres}
    rows = [c.name for c in centres]

    def cells(raw: dict, columns: list[str], remap=lambda key: key) -> tuple[dict, list[str]]:
        out: dict[tuple[str, str], int] = {}
        for (centre_id, key), count in raw.items():
            if centre_id in names:
                column = remap(key)
                if column in columns:
                    out[(names[centre_id], column)] = out.get((names[centre_id], column), 0) + count
        return out, columns

    def said(known):
        # every request counted once in each table, so their centre totals are the same figures
        return lambda key: key if key in known else "not_said"

    calls = cells(_outcomes(session, names, start, end), list(CALL_OUTCOMES), indicators.outcome_kind)
    described = _grouped(session, (Request.centre_id, Request.channel, Request.caller_type, Request.age_band,
                                   Request.risk_level), Request.received_at, start, end)
    by_channel = cells(_by(described, 1), list(CHANNELS))
    caller_types = ["child", "parent", "specialist"]
    by_caller = cells(_by(described, 2), [*caller_types, "not_said"], said(caller_types))
    by_age = cells(_by(described, 3), [*AGE_BANDS, "not_said"], said(AGE_BANDS))
    by_risk = cells(_by(described, 4), [*RISK_LEVELS, "not_said"], said(RISK_LEVELS))
    topic_codes = list(session.scalars(select(Topic.code).order_by(Topic.id)))
    topic_counts: Counter = Counter()
    mentions = _grouped(session, (Request.centre_id, Request.topics), Request.received_at, start, end)
    for centre_id, topics, count in mentions:
        for code in codes(topics):
            topic_counts[(centre_id, code)] += count
    requests = suppress_linked([by_channel, by_caller, by_age, by_risk], rows)
    sections = [("calls", suppress_linked([calls], rows)[0]),
                *zip(REQUEST_SECTIONS, requests, strict=True),
                ("request_topics", suppress_linked([cells(topic_counts, topic_codes)], rows)[0])]
    return rows, sections


def monthly_csv(session: Session, first_day: date, centre_name: str | None = None,
                lang: str | None = None) -> str:
    """The monthly report in its fixed layout: one block per section, centres as rows; in
    ``lang``'s words, or with its codes for a script when no language is given."""
    from helpline.services.period_report import topic_names
    from helpline.services.report_words import report_words

    rows, sections = monthly_tables(session, first_day)
    out = io.StringIO()
    writer = csvout.writer(out)
    with report_words(lang, topic_names(session)) as words:
        everyone = words.text("All centres")
        month = first_day.strftime("%Y-%m") if lang is None else labels.month(first_day)
        writer.writerow([words.text("Monthly report to the child-rights authority"), month,
                         centre_name or everyone, words.legend()])
        for title, table in sections:
            writer.writerow([])
            writer.writerow([words.section(title), *(words.row(title, c) for c in table.columns),
                             words.text("total")])
            for row in rows if centre_name is None else [centre_name]:
                writer.writerow([row, *table.row(row)])
            if centre_name is None:
                writer.writerow([everyone, *table.row(TOTAL)])
    return out.getvalue()
