"""The reports page: a period and one or more centres, charts, CSV and PDF."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import Blueprint, Response, render_template, request
from flask_login import current_user

from agent_console.access import roles_required
from helpline.extensions import db
from helpline.runtime import current_runtime
from helpline.services import audit
from helpline.services import period_report as reports
from helpline.services.centres import list_centres

bp = Blueprint("reports", __name__, url_prefix="/reports")


def _period() -> tuple[date, date]:
    today = current_runtime().clock.now().astimezone(reports.ZONE).date()
    first = today.replace(day=1)
    try:
        start = date.fromisoformat(request.args.get("from") or first.isoformat())
        end = date.fromisoformat(request.args.get("to") or today.isoformat())
    except ValueError as exc:
        raise ValueError("from/to: YYYY-MM-DD") from exc
    if end < start or (end - start).days > 366:
        raise ValueError("to: after from, at most a year")
    return start, end


def _centres() -> list[int] | None:
    if not current_user.is_admin:
        return [current_user.centre_id]
    chosen = [int(v) for v in request.args.getlist("centre") if v.isdigit()]
    return chosen or None


@bp.get("")
@roles_required("supervisor", "administrator")
def page():
    try:
        start, end = _period()
    except ValueError as exc:
        return str(exc), 400
    report = reports.build(db.session, _centres(), datetime.combine(start, time(0), reports.ZONE),
                           datetime.combine(end + timedelta(days=1), time(0), reports.ZONE))
    fmt = request.args.get("format")
    suppressed = bool(request.args.get("outside"))
    if fmt in ("csv", "pdf"):
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
                           centres=list_centres(db.session), chosen=_centres() or [])
