"""The public statistics page (no sign-in): suppressed counts per centre and month, served from
the stored figures (``helpline.services.public_figures``)."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _

from helpline.extensions import db
from helpline.runtime import current_runtime
from helpline.services import public_figures
from helpline.services.period_report import in_language, topic_names
from helpline.suppression import TOTAL
from helpline.uow import unit_of_work
from helpline.vocabulary import local, local_day
from helpline.web import inputs

bp = Blueprint("public", __name__)


@bp.get("/stats")
def stats():
    rt = current_runtime()
    now = rt.clock.now()
    default = public_figures.last_month(local_day(now))
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
    with unit_of_work(db.session):
        figures = public_figures.published(db.session, first_day, now, rt.settings.stats_refresh_minutes)
    names = in_language(topic_names(db.session), str(get_locale() or "kk"))
    return render_template("stats.html", sections=figures.sections, rows=figures.rows, month=first_day,
                           topic_names=names, typed=first_day.strftime("%Y-%m"), total=TOTAL, error=None,
                           as_of=local(figures.as_of).strftime("%Y-%m-%d %H:%M"),
                           refresh_minutes=rt.settings.stats_refresh_minutes)
