"""The reports page: a period and one or more centres, charts, CSV and PDF."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import Blueprint, Response, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from agent_console import inputs
from agent_console.access import roles_required
from helpline.extensions import db
from helpline.runtime import current_runtime
from helpline.services import audit
from helpline.services import period_report as reports
from helpline.services.centres import list_centres

bp = Blueprint("reports", __name__, url_prefix="/reports")


def _period() -> tuple[date, date]:
    """The chosen days (this month so far by default); ``InputError`` names the field."""
    today = current_runtime().clock.now().astimezone(reports.ZONE).date()
    start = inputs.optional_day(request.args.get("from"), "from") or today.replace(day=1)
    end = inputs.optional_day(request.args.get("to"), "to") or today
    if end < start or (end - start).days > 366:
        raise inputs.InputError("to", _("after from, at most a year"))
    return start, end


def _centres() -> list[int] | None:
    if not current_user.is_admin:
        return [current_user.centre_id]
    chosen = [int(v) for v in request.args.getlist("centre") if v.isascii() and v.isdigit() and len(v) < 12]
    return chosen or None


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
    report = reports.build(db.session, _centres(), datetime.combine(start, time(0), reports.ZONE),
                           datetime.combine(end + timedelta(days=1), time(0), reports.ZONE))
    fmt = request.args.get("format")
    suppressed = bool(request.args.get("outside"))
    if fmt in ("csv", "pdf") and error is None:
        audit.record(db.session, current_runtime().clock.now(), f"export.report_{fmt}", current_user,
                     detail=f"{start} to {end}{' suppressed' if suppressed else ''}")
        db.session.commit()
        name = f"senim-report-{start}-{end}.{fmt}"
        headers = {"Content-Disposition": f'attachment; filename="{name}"'}
        if fmt == "csv":
            return Response(reports.to_csv(report, suppressed), mimetype="text/csv", headers=headers)
        return Response(reports.to_pdf(report, suppressed), mimetype="application/pdf",
                        headers=headers)
    return render_template("reports.html", report=report, start=start, end=end,
                           centres=list_centres(db.session), chosen=_centres() or [],
                           error=error), 400 if error else 200
