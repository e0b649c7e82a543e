"""Reports for a period and one or more centres: volumes and the line's performance.

Inside the centre the figures are exact; ``suppressed=True`` (for anything sent outside) shows
1 to 4 as "<5" and hides what would let them be recomputed.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from importlib import resources

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline import csvout, indicators
from helpline.models import Call, Centre, Request, Topic
from helpline.orm import codes
from helpline.services import interventions
from helpline.services.report_words import report_words
from helpline.suppression import TOTAL, suppress_linked
from helpline.vocabulary import DEFAULT_ZONE as ZONE


@dataclass
class PeriodReport:
    centres: list[str]
    start: datetime
    end: datetime
    kpis: dict[str, float | int | None] = field(default_factory=dict)
    #: section -> ordered {label: count}
    sections: dict[str, dict[str, int]] = field(default_factory=dict)
    #: topic code -> {language: name}, for the rows of the topics section
    topic_names: dict[str, dict[str, str]] = field(default_factory=dict)


def build(session: Session, centre_ids: Sequence[int] | None, start: datetime, end: datetime
          ) -> PeriodReport:
    calls_q = select(Call.started_at, Call.language, Call.caller_type, Call.outcome,
                     *(getattr(Call, c) for c in indicators.REGISTER_COLUMNS)).where(
        Call.started_at >= start, Call.started_at < end)
    requests_q = select(Request.caller_type, Request.age_band, Request.risk_level, Request.topics,
                        Request.channel).where(Request.received_at >= start, Request.received_at < end)
    centres_q = select(Centre.name).order_by(Centre.name)
    if centre_ids:
        calls_q = calls_q.where(Call.centre_id.in_(centre_ids))
        requests_q = requests_q.where(Request.centre_id.in_(centre_ids))
        centres_q = centres_q.where(Centre.id.in_(centre_ids))
    by_day, by_hour, outcome, language, caller = Counter(), Counter(), Counter(), Counter(), Counter()
    facts = []
    for started, lang, ctype, result, *register in session.execute(calls_q):
        local = started.astimezone(ZONE)
        by_day[local.strftime("%Y-%m-%d")] += 1
        by_hour[f"{local.hour:02d}"] += 1
        outcome[indicators.outcome_kind(result)] += 1
        language[lang or "not_chosen"] += 1
        caller[ctype or "not_said"] += 1
        facts.append(indicators.CallFact.of_register(*register))
    age, risk, topic, channel = Counter(), Counter(), Counter(), Counter()
    for _ctype, band, level, topics, chan in session.execute(requests_q):
        age[band or "not_said"] += 1
        risk[level or "not_said"] += 1
        channel[chan] += 1
        for code in codes(topics):
            topic[code] += 1
    report = PeriodReport(list(session.scalars(centres_q)), start, end,
                          topic_names=topic_names(session))
    kpis = indicators.all_of(indicators.tally(facts))
    report.kpis = {"calls": sum(outcome.values()),
                   **{key: kpis[key] for key in ("offered", "answered", "answer_rate", "abandonment",
                                                 "average_speed_of_answer", "service_level",
                                                 "average_handling_time")},
                   **interventions.figures(session, centre_ids, start, end)}
    report.sections = {
        "calls_by_day": dict(sorted(by_day.items())), "calls_by_hour": dict(sorted(by_hour.items())),
        "calls_by_outcome": dict(outcome.most_common()), "calls_by_language": dict(language.most_common()),
        "calls_by_caller_type": dict(caller.most_common()),
        "requests_by_age_band": dict(age.most_common()), "requests_by_topic": dict(topic.most_common()),
        "requests_by_risk_level": dict(risk.most_common()),
        "requests_by_channel": dict(channel.most_common()),
    }
    return report


def topic_names(session: Session) -> dict[str, dict[str, str]]:
    """Every topic's names by language (a report names the topics it counts)."""
    return {t.code: {lang: t.name(lang) for lang in ("kk", "ru", "en")}
            for t in session.scalars(select(Topic))}


def in_language(names: dict[str, dict[str, str]], lang: str) -> dict[str, str]:
    """Topic code -> its name in ``lang``."""
    return {code: by_lang.get(lang, code) for code, by_lang in names.items()}


#: Sections counting the same calls (or the same requests) once each: their totals are one
#: figure, so they are suppressed together. Topics count mentions: a section on its own.
LINKED_SECTIONS = (("calls_by_day", "calls_by_hour", "calls_by_outcome", "calls_by_language",
                    "calls_by_caller_type"),
                   ("requests_by_age_band", "requests_by_risk_level", "requests_by_channel"),
                   ("requests_by_topic",))
#: Counts, and rates of counts (which give counts away next to them), left out of outside reports.
COUNT_KPIS = ("calls", "offered", "answered", "answer_rate", "abandonment", "service_level", "transfers",
              "supervisor_interventions")


def shown_sections(report: PeriodReport, suppressed: bool) -> dict[str, list[tuple[str, str]]]:
    """Each section as (label, shown text) rows ending with its total."""
    out: dict[str, list[tuple[str, str]]] = {}
    if not suppressed:
        for name, section in report.sections.items():
            out[name] = ([(label, str(count)) for label, count in section.items()]
                         + [("total", str(sum(section.values())))])
        return out
    for group in LINKED_SECTIONS:
        names = [name for name in group if name in report.sections]
        tables = suppress_linked([({("all", label): count for label, count in report.sections[name].items()},
                                   list(report.sections[name])) for name in names], ["all"])
        for name, table in zip(names, tables, strict=True):
            out[name] = ([(label, table.shown[("all", label)]) for label in table.columns]
                         + [("total", table.shown[("all", TOTAL)])])
    return {name: out[name] for name in report.sections}


def _kpis(report: PeriodReport, suppressed: bool) -> dict[str, float | int | None]:
    return {k: v for k, v in report.kpis.items() if not (suppressed and k in COUNT_KPIS)}


def _last_day(report: PeriodReport) -> str:
    return (report.end.astimezone(ZONE) - timedelta(seconds=1)).date().isoformat()


def to_csv(report: PeriodReport, suppressed: bool = False, lang: str | None = None) -> str:
    """The report as CSV: in ``lang``'s words (for people), or with its codes when no language
    is given (for scripts reading it)."""
    with report_words(lang, report.topic_names) as words:
        out = io.StringIO()
        writer = csvout.writer(out)
        writer.writerow([words.text("report"), report.start.astimezone(ZONE).date().isoformat(),
                         _last_day(report), "; ".join(report.centres),
                         words.text("suppressed" if suppressed else "internal: exact counts")])
        if suppressed:
            writer.writerow([words.text("legend"), words.legend()])
        writer.writerow([])
        writer.writerow([words.text("indicator"), words.text("value")])
        for key, value in _kpis(report, suppressed).items():
            writer.writerow([words.kpi(key), words.value(key, value)])
        for name, rows in shown_sections(report, suppressed).items():
            writer.writerow([])
            writer.writerow([words.section(name), words.text("count")])
            for label, value in rows:
                writer.writerow([words.row(name, label), value])
        return out.getvalue()


def to_pdf(report: PeriodReport, suppressed: bool = False, lang: str = "en") -> bytes:
    """A printable PDF in ``lang`` (DejaVu Sans, so Kazakh and Russian letters print)."""
    from fpdf import FPDF

    fonts = resources.files("helpline").joinpath("static", "fonts")
    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", "", str(fonts.joinpath("DejaVuSans.ttf")))
    pdf.add_font("DejaVu", "B", str(fonts.joinpath("DejaVuSans-Bold.ttf")))
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    with report_words(lang, report.topic_names) as words:
        pdf.set_font("DejaVu", "B", 15)
        period = f"{report.start.astimezone(ZONE).date().isoformat()} – {_last_day(report)}"
        pdf.cell(0, 9, words.text("Senim trust line report"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 10)
        kind = words.text("suppressed for outside use" if suppressed else "internal, exact counts")
        pdf.multi_cell(0, 6, f"{period} · {', '.join(report.centres) or words.text('no centre')} · {kind}")
        if suppressed:
            pdf.set_x(pdf.l_margin)
            pdf.multi_cell(0, 5, words.legend(), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        pdf.set_font("DejaVu", "B", 11)
        pdf.cell(0, 8, words.text("Indicators"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 10)
        for key, value in _kpis(report, suppressed).items():
            pdf.cell(90, 6, words.kpi(key))
            pdf.cell(0, 6, words.value(key, value) or "—", new_x="LMARGIN", new_y="NEXT")
        for name, rows in shown_sections(report, suppressed).items():
            pdf.ln(2)
            pdf.set_font("DejaVu", "B", 11)
            pdf.cell(0, 8, words.section(name), new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("DejaVu", "", 9)
            # bars scaled to the largest figure shown, so a bar's length never measures a hidden one
            top = max([int(v) for label, v in rows if v.isdigit() and label != "total"] or [0]) or 1
            for label, value in rows:
                pdf.cell(55, 5, words.row(name, label))
                pdf.cell(20, 5, value, align="R")
                if value.isdigit() and label != "total":
                    pdf.set_fill_color(31, 111, 92)
                    pdf.cell(max(0.5, 100 * int(value) / top), 4, "", fill=True)
                pdf.ln(5)
    return bytes(pdf.output())
