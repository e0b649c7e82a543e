"""The words for every code a person sees: outcomes, channels, statuses, roles, report
indicators and sections, form fields. Pages, the PDF, the CSVs and the scripts (through a JSON
block) all take their words from here, so a code such as ``no_one_available`` or ``10_13`` is
never shown, and each value is shown with its unit ("66.7 %", "30 s", "2.5 min") in the
person's language (or the language a report was asked in).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from flask_babel import format_date, format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

OUTCOMES = {
    "answered": _l("answered"), "abandoned": _l("abandoned"),
    "abandoned_in_menu": _l("hung up in the menu"), "abandoned_in_queue": _l("hung up while waiting"),
    "no_one_available": _l("no one available"), "failed": _l("failed"),
    "interrupted": _l("interrupted"), "blocked": _l("blocked"), "in_progress": _l("in progress"),
}
CALLER_TYPES = {"child": _l("Child or teenager"), "parent": _l("Parent or guardian"),
                "specialist": _l("Teacher or specialist")}
AGE_BANDS = {"under_10": _l("under 10"), "10_13": "10–13", "14_15": "14–15", "16_17": "16–17",
             "18_plus": "18+", "unknown": _l("unknown")}
GENDERS = {"not_said": _l("not said"), "female": _l("female"), "male": _l("male")}
CONSENTS = {"parent_consent": _l("parent's consent obtained"), "not_required": _l("not required"),
            "immediate_threat": _l("immediate-threat exception (rule 15)")}
REFERRALS = {"advice": _l("advice given"), "school_psychologist": _l("school psychologist"),
             "face_to_face": _l("face-to-face at the centre"), "mobile_group": _l("mobile response group"),
             "medical": _l("medical"), "police": _l("police"), "other_service": _l("other service")}
RISK_LEVELS = {"none": _l("none"), "low": _l("low"), "medium": _l("medium"), "high": _l("high"),
               "immediate": _l("immediate danger")}
CHANNELS = {"phone": _l("phone"), "email": _l("email"), "messenger": _l("messenger"),
            "walk_in": _l("in person"), "school_letter": _l("letter from a school"),
            "referral_111": _l("referred by 111"), "platform": _l("online platform")}
STATUSES = {"open": _l("open"), "in_progress": _l("in progress"), "referred": _l("referred"),
            "closed": _l("closed")}
FOLLOW_UP_ACTIONS = {"call_back": _l("called back"), "referral_sent": _l("referral sent"),
                     "meeting": _l("meeting"), "authority_informed": _l("authority informed"),
                     "other": _l("other")}
#: Who may use the console's pages, and who the supervisors' (roles as ``User.role`` holds them).
STAFF = ("psychologist", "supervisor", "administrator")
SUPERVISORS = ("supervisor", "administrator")
ROLES = {"psychologist": _l("Psychologist"), "supervisor": _l("Supervisor"),
         "administrator": _l("Administrator")}
DUTIES = {"line": _l("Line"), "supervisor": _l("Supervisor on call")}
AGENT_STATES = {"available": _l("Available"), "on_call": _l("On a call"), "wrap_up": _l("Wrap-up"),
                "break": _l("Break"), "offline": _l("Offline")}
LANGUAGES = {"kk": "Қазақша", "ru": "Русский", "en": "English", "not_chosen": _l("not chosen")}
ABSENCES = {"leave": _l("leave"), "sick": _l("sick"), "other": _l("other")}
SWAP_STATES = {"asked": _l("asked"), "accepted": _l("accepted by the colleague"),
               "approved": _l("approved"), "refused": _l("refused")}
VIOLATIONS = {"shift_too_long": _l("shift too long"), "overlap": _l("two shifts at once"),
              "back_to_back": _l("no rest between shifts"), "short_rest": _l("too little rest"),
              "weekly_norm": _l("over the weekly norm"),
              "overtime_month": _l("overtime over the month's cap"),
              "overtime_year": _l("overtime over the year's cap")}
KPIS = {"calls": _l("Calls"), "offered": _l("Offered to psychologists"), "answered": _l("Answered"),
        "answer_rate": _l("Answer rate"), "abandonment": _l("Hung up while waiting"),
        "average_speed_of_answer": _l("Average speed of answer"),
        "service_level": _l("Service level (20 s)"), "average_handling_time": _l("Average talk time"),
        "transfers": _l("Transfers to another centre"),
        "supervisor_interventions": _l("Supervisor interventions (help asked, supervisor joined)")}
SECTIONS = {
    "calls_by_day": _l("Calls by day"), "calls_by_hour": _l("Calls by hour"),
    "calls_by_outcome": _l("Calls by outcome"), "calls_by_language": _l("Calls by language"),
    "calls_by_caller_type": _l("Calls by who called"), "requests_by_age_band": _l("Requests by age"),
    "requests_by_topic": _l("Requests by topic"), "requests_by_risk_level": _l("Requests by risk level"),
    "requests_by_channel": _l("Requests by channel"), "calls": _l("Calls"),
    "requests_by_caller_type": _l("Requests by who called"), "request_topics": _l("Topics of requests"),
}
#: Form fields named in refusals ("Month: use the form 2026-11").
FIELDS = {"from": _l("From"), "to": _l("To"), "month": _l("Month"), "start": _l("Week starting"),
          "day": _l("Day"), "first": _l("First day"), "last": _l("Last day"), "received": _l("Received"),
          "centre": _l("Centre"), "user_id": _l("Person"), "people": _l("People, in turn"),
          "colleague_id": _l("Colleague")}
NOT_SAID = _l("not said")

GROUPS: dict[str, Mapping] = {
    "outcome": OUTCOMES, "caller_type": CALLER_TYPES, "age_band": AGE_BANDS, "risk": RISK_LEVELS,
    "channel": CHANNELS, "status": STATUSES, "action": FOLLOW_UP_ACTIONS, "role": ROLES,
    "duty": DUTIES, "agent_state": AGENT_STATES, "language": LANGUAGES, "absence": ABSENCES,
    "swap": SWAP_STATES, "violation": VIOLATIONS, "kpi": KPIS, "section": SECTIONS, "field": FIELDS,
    "gender": GENDERS, "consent": CONSENTS, "referral": REFERRALS,
}
#: The group naming each report section's rows.
SECTION_ROWS = {"calls_by_outcome": "outcome", "calls_by_language": "language",
                "calls_by_caller_type": "caller_type", "requests_by_age_band": "age_band",
                "requests_by_risk_level": "risk", "requests_by_channel": "channel",
                "requests_by_caller_type": "caller_type", "calls": "outcome"}
PERCENT_KPIS = ("answer_rate", "abandonment", "service_level")
SECONDS_KPIS = ("average_speed_of_answer", "average_handling_time")


def label(group: str, code: str | None) -> str:
    """The words for ``code`` in ``group`` ("—" for nothing); an unknown code is shown as it is."""
    if code is None or code == "":
        return "—"
    if code == "not_said":
        return str(NOT_SAID)
    words = GROUPS[group].get(code)
    return code if words is None else str(words)


def choices(group: str) -> list[tuple[str, str]]:
    """A group's codes and words, in the group's order: the options a select or a row of
    checkboxes shows (templates render them with the macros in ``_macros.html``)."""
    return [(code, str(words)) for code, words in GROUPS[group].items()]


def languages(codes: str | None) -> str:
    """A person's languages ("kk,ru") by their names ("Қазақша, Русский")."""
    return ", ".join(label("language", code.strip()) for code in (codes or "").split(",") if code.strip())


def number(value: float | int) -> str:
    """A number with the locale's decimal sign (66,7 in Russian and Kazakh), no grouping (a
    spreadsheet reads it as a number)."""
    return format_decimal(value, format="0.#")


def duration(seconds: float | int) -> str:
    """"30 s" under a minute, "2.5 min" from a minute on."""
    if seconds < 60:
        return _("%(n)s s", n=number(round(seconds)))
    return _("%(n)s min", n=number(round(seconds / 60, 1)))


def kpi_value(key: str, value: float | int | None) -> str:
    """An indicator's value with its unit; "—" when there was nothing to measure."""
    if value is None:
        return "—"
    if key in PERCENT_KPIS:
        return f"{number(value)} %"
    if key in SECONDS_KPIS:
        return duration(value)
    return number(value)


def day(value: date, form: str = "medium") -> str:
    """A day in the person's language ("25 қар. 2026 ж.", "25 нояб. 2026 г.")."""
    return format_date(value, form)


def month(value: date) -> str:
    """A month and its year in the person's language ("қараша 2026", "ноябрь 2026")."""
    return format_date(value, "LLLL yyyy")


def weekday_day(value: date) -> str:
    """A rota column's day: the weekday's short name and the day ("сс, 24.11")."""
    return format_date(value, "EEE, dd.MM")


def row_label(section: str, key: str, topics: Mapping[str, str] | None = None) -> str:
    """A report row's words: a day, an hour, a topic's name or a code's label."""
    if key in ("total", "__total__"):
        return _("Total")
    if section == "calls_by_day":
        return day(date.fromisoformat(key))
    if section == "calls_by_hour":
        return f"{key}:00"
    if section in ("requests_by_topic", "request_topics"):
        return (topics or {}).get(key, key)
    group = SECTION_ROWS.get(section)
    return label(group, key) if group else key


def for_scripts() -> dict[str, dict[str, str]]:
    """Every group's words, for a page's JSON block (the scripts show no code of their own)."""
    shown = {name: {code: str(words) for code, words in group.items()} for name, group in GROUPS.items()
             if name not in ("field", "violation")}
    shown["units"] = {"seconds": _("%(n)s s", n="{n}"), "minutes": _("%(n)s min", n="{n}"),
                      "national_backup": _("(national backup)"), "not_said": str(NOT_SAID)}
    return shown
