"""Every page, in Kazakh (and Russian), for each role: no raw code (``no_one_available``,
``10_13``, ``answered``) and no English message of the catalogue in what a person sees; the PDF
report and the CSVs in the same language; refusals inside the layout naming the field."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from helpline.extensions import db
from helpline.models import Call, Escalation, FollowUp, Request, Shift, SwapRequest, labels
from helpline.services.calls import new_call_id
from tests.po import translations

#: Routes that answer a script, a file, a carrier or a sign-in step, not a page for a person.
NOT_PAGES = ("static", "agent_console.static", "rota.feed", "ivr.", "simulator.state", "simulator.faults",
             "console.get_record", "console.supervisors_on_call", "console.voice_token", "auth.code",
             "auth.enrol", "auth.forced_change", "reports.monthly")
#: Pages again with their query: filters, other views, and refusals (which must be words too).
WITH_QUERIES = ("/stats?month=2026-02", "/stats?month=2026-13", "/reports?from=2026-02-01&to=2026-03-02",
                "/reports?from=1.2.2026", "/admin/audit?from=2026-13-01", "/requests?view=all",
                "/rota?view=month&start=2026-02-23", "/rota?start=0001-01-01",
                "/requests?view=all&status=open")
#: Every code a page could show: the enum values and the codes behind each label.
CODES = {code for name, group in labels.GROUPS.items() if name != "field" for code in group
         if code not in ("kk", "ru", "en")}
PEOPLE = {"psychologist": "aigul", "supervisor": "bolat", "administrator": "zhanna"}
SNAKE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b|\b\d+_\d+\b|\b\d+_plus\b")


class _Visible(HTMLParser):
    """The text a person sees in their language: outside scripts and styles, plus labels read
    aloud; left out are ``<code>`` (an identifier to type, such as an audit action or a topic's
    code) and anything marked as another language (``lang="en"``: a topic's English name)."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}

    def __init__(self, locale: str) -> None:
        super().__init__()
        self.locale = locale
        self.parts: list[str] = []
        self.stack: list[tuple[str, bool]] = []

    def _hidden(self) -> bool:
        return any(skip for _tag, skip in self.stack)

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        skip = tag in ("script", "style", "code") or values.get("lang", self.locale) != self.locale
        if not skip and not self._hidden():
            self.parts.extend(v for n, v in attrs if n in ("aria-label", "title", "placeholder") and v)
        if tag not in self.VOID:
            self.stack.append((tag, skip and tag != "html"))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if not self._hidden():
            self.parts.append(data)


def visible(html: str, locale: str = "kk") -> str:
    parser = _Visible(locale)
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def english_left(text: str, locale: str) -> list[str]:
    """English catalogue messages (those with a different translation) found in ``text``."""
    found = []
    for msgid, text in translations(locale).items():
        if not isinstance(msgid, str) or "%(" in msgid or "{" in msgid or text == msgid or len(msgid) < 3:
            continue
        if re.search(rf"(?<![\w-]){re.escape(msgid)}(?![\w-])", text):
            found.append(msgid)
    return found


def raw_codes(text: str) -> list[str]:
    words = set(re.findall(r"[A-Za-z0-9_]+", text))
    return sorted({*SNAKE.findall(text), *(words & CODES)})


@pytest.fixture
def seeded(app, make_user, clock):
    """Calls of every outcome, requests with bands, risks, channels, statuses and a follow-up, an
    open escalation, shifts of both duties, a swap asked: everything a page names by a code."""
    ids = {role: make_user(name, role=role, centre_id=None if role == "administrator" else 2)
           for role, name in PEOPLE.items()}
    colleague = make_user("nurlan", role="psychologist", centre_id=2)
    now = clock.now()
    with app.app_context():
        outcomes = ["answered", "abandoned_in_menu", "abandoned_in_queue", "no_one_available", "failed",
                    "blocked"]
        for days in (3, 40):
            for n, outcome in enumerate(outcomes):
                at = now - timedelta(days=days, minutes=n)
                db.session.add(Call(id=new_call_id(), centre_id=2, state="ended", started_at=at, queued_at=at,
                                    answered_at=at + timedelta(seconds=12) if outcome == "answered" else None,
                                    ended_at=at + timedelta(minutes=5), wait_seconds=12, talk_seconds=250,
                                    language=("kk", "ru", None)[n % 3], caller_type=("child", None)[n % 2],
                                    is_urgent=False, menu_path="", outcome=outcome,
                                    agent_id=ids["psychologist"] if outcome == "answered" else None))
        answered_id = db.session.scalars(select(Call.id).where(Call.outcome == "answered")
                                         .order_by(Call.started_at.desc())).first()
        call_id = new_call_id()
        db.session.add(Call(id=call_id, centre_id=2, state="answered", started_at=now, is_urgent=True,
                            menu_path="9", language="kk"))
        request = None
        for days in (2, 35):
            for n, (channel, status, band, risk) in enumerate(
                    [("phone", "open", "10_13", "immediate"), ("walk_in", "in_progress", "18_plus", "low"),
                     ("referral_111", "referred", "under_10", None),
                     ("school_letter", "closed", None, "high")]):
                at = now - timedelta(days=days, hours=n)
                request = Request(centre_id=2, channel=channel, received_at=at, due_at=at + timedelta(days=1),
                                  status=status, caller_type=("child", "parent", None, "specialist")[n],
                                  age_band=band, risk_level=risk, topics="bullying,self_harm",
                                  created_by_id=ids["psychologist"], updated_at=at)
                db.session.add(request)
        db.session.flush()
        db.session.add(FollowUp(request_id=request.id, at=now, by_id=ids["psychologist"],
                                action="authority_informed"))
        db.session.add(Escalation(call_id=call_id, centre_id=2, raised_by_id=ids["psychologist"],
                                  raised_at=now, due_at=now + timedelta(hours=1)))
        shifts = [Shift(centre_id=2, user_id=user, duty=duty, starts_at=now + timedelta(hours=h),
                        ends_at=now + timedelta(hours=h + 12), created_at=now)
                  for user, duty, h in ((ids["psychologist"], "line", 2),
                                        (ids["supervisor"], "supervisor", 2), (colleague, "line", 26))]
        db.session.add_all(shifts)
        db.session.flush()
        db.session.add(SwapRequest(shift_id=shifts[0].id, requester_id=ids["psychologist"],
                                   colleague_id=colleague, asked_at=now))
        db.session.commit()
        return {"user_id": ids["psychologist"], "request_id": request.id, "call_id": answered_id}


def _pages(app, params: dict[str, int]) -> list[str]:
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint.startswith(NOT_PAGES) or rule.rule.endswith(".json"):
            continue
        paths.append(re.sub(r"<(?:int:)?(\w+)>", lambda m: str(params[m.group(1)]), rule.rule))
    return sorted(paths) + list(WITH_QUERIES)


def _signed_in(staff_client, app, role: str):
    if role == "anonymous":
        return app.test_client()
    return staff_client(PEOPLE[role])[0]


@pytest.mark.parametrize("locale", ["kk", "ru"])
@pytest.mark.parametrize("role", ["psychologist", "supervisor", "administrator", "anonymous"])
def test_every_page_speaks_the_persons_language(app, seeded, staff_client, role, locale):
    client = _signed_in(staff_client, app, role)
    seen, problems = 0, {}
    for path in _pages(app, seeded):
        response = client.get(f"{path}{'&' if '?' in path else '?'}lang={locale}")
        if response.status_code in (301, 302, 403, 404) or response.mimetype != "text/html":
            continue                             # not this role's page (or not a page at all)
        text = visible(response.get_data(as_text=True), locale)
        seen += 1
        found = raw_codes(text) + english_left(text, locale)
        if found:
            problems[path] = found
    assert seen >= {"anonymous": 3, "psychologist": 8}.get(role, 12), "the pages were reached"
    assert problems == {}


@pytest.mark.parametrize("locale", ["kk", "ru"])
def test_the_report_files_speak_the_chosen_language(app, seeded, staff_client, locale):
    from pypdf import PdfReader

    client = _signed_in(staff_client, app, "supervisor")
    query = f"/reports?from=2026-01-01&to=2026-03-02&lang={locale}"
    pdf = client.get(f"{query}&format=pdf")
    assert pdf.mimetype == "application/pdf"
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages).split())
    assert {"kk": "Көрсеткіштер", "ru": "Показатели"}[locale] in text and "%" in text
    files = {"pdf": text}
    for name, url in (("csv", f"{query}&format=csv"), ("outside", f"{query}&format=csv&outside=1"),
                      ("monthly", f"/reports/monthly?month=2026-02&lang={locale}")):
        response = client.get(url)
        assert response.status_code == 200 and response.mimetype == "text/csv", name
        rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
        # the words of the file: everything but the figures and the centres' names
        files[name] = " ".join(cell for row in rows for cell in row if "PSC" not in cell)
    problems = {name: raw_codes(words) + english_left(words, locale) for name, words in files.items()}
    assert problems == {name: [] for name in files}
    assert {"kk": "бос маман болмады", "ru": "никто не был свободен"}[locale] in files["monthly"]


def test_the_authoritys_monthly_report_is_a_supervisors_own_centre_and_an_ended_month(app, seeded,
                                                                                      staff_client):
    client = _signed_in(staff_client, app, "supervisor")
    own = client.get("/reports/monthly?month=2026-02&lang=en").get_data(as_text=True)
    assert "Almaty PSC (demo)" in own and "Astana PSC (demo)" not in own and "All centres" not in own
    running = client.get("/reports/monthly?month=2026-03&lang=en")          # the clock is in March
    assert running.status_code == 400 and "Month: Figures for a month are published once it has ended." in \
        visible(running.get_data(as_text=True))
    everyone = _signed_in(staff_client, app, "administrator").get("/reports/monthly?month=2026-02&lang=ru")
    assert "Все центры" in everyone.get_data(as_text=True)
    refused = _signed_in(staff_client, app, "psychologist").get("/reports/monthly?month=2026-02")
    assert refused.status_code == 403


def test_a_bad_month_is_named_in_words_and_never_put_in_the_heading(app, staff_client):
    response = app.test_client().get("/stats?month=2026-13&lang=kk")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and 'class="topbar"' in page
    assert "2026-13" not in re.search(r"<h1>(.*?)</h1>", page, re.S).group(1)
    assert "Ай: 2026-11 түрінде жазыңыз" in visible(page)


def test_the_language_links_keep_the_page_query(app, seeded, staff_client):
    page = app.test_client().get("/stats?month=2026-02&lang=kk").get_data(as_text=True)
    assert 'href="/stats?month=2026-02&amp;lang=ru"' in page
    client = _signed_in(staff_client, app, "supervisor")             # saved language: English
    page = client.get("/requests?view=all&status=open&lang=kk").get_data(as_text=True)
    assert 'href="/requests?view=all&amp;status=open&amp;lang=en"' in page
    kept = re.search(r'name="next" value="([^"]+)"', page).group(1)   # "Keep this language"
    assert kept == "/requests?view=all&amp;status=open&amp;lang=kk"
