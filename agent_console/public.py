"""The public statistics page (no sign-in): suppressed counts per centre and month."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _

from helpline.extensions import db
from helpline.runtime import current_runtime
from helpline.services.figures import ZONE, monthly_tables
from helpline.services.period_report import in_language, topic_names
from helpline.suppression import TOTAL
from helpline.web import inputs

bp = Blueprint("public", __name__)


@bp.get("/stats")
def stats():
    today = current_runtime().clock.now().astimezone(ZONE).date()
    default = (today.replace(day=1) - timedelta(days=1)).replace(day=1)   # last month
    text = request.args.get("month", "")
    try:
        first_day = inputs.month(text, "month") if text else default
    except inputs.InputError as exc:       # the heading never shows what was typed, the field does
        return render_template("stats.html", error=str(exc), sections=[], rows=[], month=None,
                               typed=text, total=TOTAL), 400
    if first_day > default:
        # a month's figures change while it runs: two looks a day apart would tell one call apart
        return render_template("stats.html", error=_("Figures for a month are published once it has ended."),
                               sections=[], rows=[], month=None, typed=text, total=TOTAL), 400
    rows, sections = monthly_tables(db.session, first_day)
    names = in_language(topic_names(db.session), str(get_locale() or "kk"))
    return render_template("stats.html", sections=sections, rows=rows, month=first_day, topic_names=names,
                           typed=first_day.strftime("%Y-%m"), total=TOTAL, error=None)
