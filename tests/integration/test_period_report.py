"""Period reports: figures from a seeded data set computed independently; CSV and PDF exports
open and hold the figures; the page draws charts."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from helpline.extensions import db
from helpline.models import Call, Request
from helpline.services.calls import new_call_id
from helpline.suppression import TOTAL
from tests.disclosure import Published, audit, narrowed

T0 = datetime(2026, 3, 2, 4, tzinfo=UTC)      # 09:00 in Almaty


def seed(app):
    rows = [  # (minutes after T0, outcome, language, wait, talk)
        (0, "answered", "kk", 10, 300), (5, "answered", "ru", 30, 600),
        (10, "abandoned_in_queue", "ru", 40, None), (20, "abandoned_in_menu", None, None, None),
        (60 * 24, "answered", "en", 5, 120), (60 * 24 + 5, "no_one_available", "kk", 45, None),
    ]
    with app.app_context():
        for minutes, outcome, language, wait, talk in rows:
            at = T0 + timedelta(minutes=minutes)
            queued = at if wait is not None else None
            answered = at + timedelta(seconds=wait) if outcome == "answered" else None
            db.session.add(Call(id=new_call_id(), centre_id=2, state="ended", started_at=at,
                                queued_at=queued, answered_at=answered, ended_at=at + timedelta(hours=1),
                                wait_seconds=wait, talk_seconds=talk, language=language,
                                is_urgent=False, menu_path="", outcome=outcome))
        for topics in ("bullying,self_harm", "bullying", "divorce"):
            db.session.add(Request(centre_id=2, channel="phone", received_at=T0, due_at=T0,
                                   status="open", topics=topics, risk_level="low", updated_at=T0))
        db.session.commit()
    # computed by hand: offered = queued calls = 5, all left the queue; answered 3; abandoned in
    # queue 1; answered within 20 s: 2 of the 5 (the one sent away after 45 s counts against)
    return {"offered": 5, "answered": 3, "answer_rate": 60.0, "abandonment": 20.0,
            "average_speed_of_answer": 15.0, "service_level": 40.0, "average_handling_time": 340.0}


def test_csv_holds_the_independently_computed_figures(app, helpline_cli):
    expected = seed(app)
    out = helpline_cli("reports", "period", "--centre", "2", "--from", "2026-03-01", "--to",
                       "2026-03-31").output
    rows = list(csv.reader(io.StringIO(out)))
    kpis = {r[0]: r[1] for r in rows if len(r) == 2 and r[0] in expected}
    assert {k: float(v) for k, v in kpis.items()} == {k: float(v) for k, v in expected.items()}
    as_text = "\n".join(",".join(r) for r in rows)
    assert "2026-03-02,4" in as_text and "2026-03-03,2" in as_text          # by local day
    assert "bullying,2" in as_text and "self_harm,1" in as_text
    outside = helpline_cli("reports", "period", "--centre", "2", "--from", "2026-03-01", "--to",
                           "2026-03-31", "--outside").output
    # three topics of 1 to 4 under a total of 1 to 4 would each be 1 or 2: one is not published
    topics = [line for line in outside.splitlines()[-14:] if line.split(",")[0] in ("bullying", "self_harm",
                                                                                    "divorce")]
    assert sorted(line.split(",")[1] for line in topics) == ["<5", "<5", "…"]
    assert "low,<5" in outside and "answer_rate" not in outside and "legend," in outside


def test_pdf_opens_and_holds_the_figures(app, helpline_cli, tmp_path):
    seed(app)
    path = tmp_path / "report.pdf"
    result = helpline_cli("reports", "period", "--from", "2026-03-01", "--to", "2026-03-31",
                          "--format", "pdf", "--output", str(path))
    assert result.exit_code == 0
    data = path.read_bytes()
    assert data.startswith(b"%PDF")
    from pypdf import PdfReader

    text = " ".join(" ".join(page.extract_text() for page in PdfReader(str(path)).pages).split())
    assert "Answer rate 60 %" in text and "Almaty PSC (demo)" in text
    assert "Average talk time 5.7 min" in text and "Calls by outcome" in text and "no_one" not in text
    piped = helpline_cli("reports", "period", "--from", "2026-03-01", "--to", "2026-03-31",
                         "--format", "pdf")
    assert piped.exit_code == 0 and piped.stdout_bytes.startswith(b"%PDF")


def test_the_reports_page_draws_charts_and_exports(app, make_user, staff_client):
    seed(app)
    make_user("sup.almaty", role="supervisor", centre_id=2)
    http, _ = staff_client("sup.almaty")
    page = http.get("/reports?from=2026-03-01&to=2026-03-31").get_data(as_text=True)
    assert "chart-4.6.1.umd.min.js" in page and 'data-section="calls_by_hour"' in page
    assert 'data-kpi="answer_rate">60 %<' in page
    csv_response = http.get("/reports?from=2026-03-01&to=2026-03-31&format=csv&lang=en")
    assert csv_response.mimetype == "text/csv" and "Answer rate,60 %" in csv_response.get_data(as_text=True)
    in_russian = http.get("/reports?from=2026-03-01&to=2026-03-31&format=csv&lang=ru").get_data(as_text=True)
    assert "Доля отвеченных,60 %" in in_russian and "никто не был свободен,1" in in_russian
    pdf = http.get("/reports?from=2026-03-01&to=2026-03-31&format=pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert http.get("/reports?from=2026-04-01&to=2026-03-01").status_code == 400


def _sections(text: str) -> dict[str, list[tuple[str, str]]]:
    sections, current = {}, None
    for row in csv.reader(io.StringIO(text)):
        if not row:
            current = None
        elif current is None and len(row) == 2 and row[1] == "count":
            current = row[0]
            sections[current] = []
        elif current is not None:
            sections[current].append((row[0], row[1]))
    return sections


#: What anyone knows: the calls sections each count every call once (one total), the request
#: sections every request once; topics count mentions.
LINKED = (("calls_by_day", "calls_by_hour", "calls_by_outcome", "calls_by_language", "calls_by_caller_type"),
          ("requests_by_age_band", "requests_by_risk_level", "requests_by_channel"), ("requests_by_topic",))


def test_the_outside_report_lets_no_one_narrow_a_hidden_count(app, helpline_cli, tmp_path):
    seed(app)
    args = ("reports", "period", "--centre", "2", "--from", "2026-03-01", "--to", "2026-03-31", "--outside")
    sections = _sections(helpline_cli(*args).output)
    tables, links = [], []
    for group in LINKED:
        links.append(list(range(len(tables), len(tables) + len(group))))
        for name in group:
            *cells, (_total, total) = sections[name]
            shown = {("all", label): value for label, value in cells} | {("all", TOTAL): total}
            tables.append(Published(name, ["all"], [label for label, _ in cells], shown))
    assert sections["calls_by_outcome"] == [("answered", "<5"), ("abandoned", "<5"),
                                            ("no_one_available", "<5"), ("total", "x")]
    findings = audit(tables, links, [(8, 5)])               # requests with a topic are some requests
    assert len(findings) > 10 and narrowed(findings) == []
    helpline_cli(*args, "--format", "pdf", "--output", str(tmp_path / "outside.pdf"))
    from pypdf import PdfReader

    pages = PdfReader(str(tmp_path / "outside.pdf")).pages
    text = " ".join(" ".join(page.extract_text() for page in pages).split())
    assert "x: a count of 5 or more" in text and "Answer rate" not in text
    from flask_babel import force_locale

    from helpline.models.labels import row_label

    with app.test_request_context(), force_locale("en"):    # the PDF prints the same figures, in words
        for name, rows in sections.items():
            for label, value in rows:
                words = row_label(name, label, {"bullying": "Bullying", "self_harm": "Self-harm",
                                                "divorce": "Parents' divorce"})
                assert f"{words} {value}" in text, (label, value)
