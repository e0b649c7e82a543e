"""The reports page: a period and one or more centres, charts, CSV and PDF."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import Blueprint, Response, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from helpline.extensions import db
from helpline.models import Centre, labels
from helpline.runtime import current_runtime
from helpline.services import audit
from helpline.services import period_report as reports
from helpline.services.centres import list_centres
from helpline.services.figures import monthly_csv
from helpline.web import inputs
from helpline.web.access import roles_required

bp = Blueprint("reports", __name__, url_prefix="/reports")


def _period() -> tuple[date, date]:
    """The chosen days (this month so far by default); ``InputError`` names the field."""
    today = current_runtime().clock.now().astimezone(reports.ZONE).date()
    start = inputs.optional_day(request.args.get("from"), "from") or today.replace(day=1)
    end = inputs.optional_day(request.args.get("to"), "to") or today
    if end < start or (end - start).days > 366:
        raise inputs.InputError("to", _("on or after the first day, at most a year later"))
    return start, end


def _centres() -> list[int] | None:
    if not current_user.is_admin:
        return [current_user.centre_id]
    chosen = [int(v) for v in request.args.getlist("centre") if v.isascii() and v.isdigit() and len(v) < 12]
    return chosen or None


def _lang() -> str:
    """The language a file is written in: ``?lang`` or the person's own (the page's)."""
    return str(get_locale() or "kk")


def _page(start: date, end: date, error: str | None):
    report = reports.build(db.session, _centres(), datetime.combine(start, time(0), reports.ZONE),
                           datetime.combine(end + timedelta(days=1), time(0), reports.ZONE))
    today = current_runtime().clock.now().astimezone(reports.ZONE).date()
    last_month = (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    names = reports.in_language(report.topic_names, _lang())
    chart_labels = {name: [labels.row_label(name, key, names) for key in section]
                    for name, section in report.sections.items()}
    return render_template("reports.html", report=report, start=start, end=end,
                           centres=list_centres(db.session), chosen=_centres() or [], error=error,
                           topic_names=names, chart_labels=chart_labels,
                           last_month=last_month), 400 if error else 200


@bp.get("")
@roles_required("supervisor", "administrator")
def page():
    error = None
    try:
        start, end = _period()
    except inputs.InputError as exc:       # the page again, the field named, what was typed kept
        error = str(exc)
        today = current_runtime().clock.now().astimezone(reports.ZONE).date()
        start, end = today.replace(day=1), today
    fmt = request.args.get("format")
    if fmt not in ("csv", "pdf") or error is not None:
        return _page(start, end, error)
    report = reports.build(db.session, _centres(), datetime.combine(start, time(0), reports.ZONE),
                           datetime.combine(end + timedelta(days=1), time(0), reports.ZONE))
    suppressed = bool(request.args.get("outside"))
    audit.record(db.session, current_runtime().clock.now(), f"export.report_{fmt}", current_user,
                 detail=f"{start} to {end}{' suppressed' if suppressed else ''} ({_lang()})")
    db.session.commit()
    name = f"senim-report-{start}-{end}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if fmt == "csv":
        return Response(reports.to_csv(report, suppressed, _lang()), mimetype="text/csv", headers=headers)
    return Response(reports.to_pdf(report, suppressed, _lang()), mimetype="application/pdf",
                    headers=headers)


@bp.get("/monthly")
@roles_required("supervisor", "administrator")
def monthly():
    """The monthly report to the child-rights authority (rule 22), small counts suppressed as
    the command line and the monthly job write it: a supervisor's own centre, or (for an
    administrator) all centres or the one chosen; in the chosen language."""
    today = current_runtime().clock.now().astimezone(reports.ZONE).date()
    try:
        first_day = inputs.month(request.args.get("month"), "month")
        if first_day >= today.replace(day=1):
            raise inputs.InputError("month", _("Figures for a month are published once it has ended."))
        centre_id = current_user.centre_id if not current_user.is_admin else inputs.optional_id(
            request.args.get("centre"), "centre")
        centre = db.session.get(Centre, centre_id) if centre_id else None
        if centre_id and centre is None:
            raise inputs.InputError("centre", _("choose one from the list"))
    except inputs.InputError as exc:
        return _page(today.replace(day=1), today, str(exc))
    text = monthly_csv(db.session, first_day, centre.name if centre else None, _lang())
    audit.record(db.session, current_runtime().clock.now(), "report.monthly", current_user,
                 detail=f"{first_day:%Y-%m} {centre.name if centre else 'all centres'} ({_lang()})")
    db.session.commit()
    name = f"senim-monthly-{first_day:%Y-%m}.csv"
    return Response(text, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
