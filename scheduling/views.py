"""Rota pages: the supervisor's week and month views, staff's own shifts, calendar feeds."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import wraps

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from helpline.extensions import db
from helpline.models import Centre, Shift, SwapRequest, User
from helpline.runtime import current_runtime
from helpline.services import audit
from helpline.services.centres import list_centres
from helpline.uow import unit_of_work
from helpline.vocabulary import zone_of
from helpline.web import inputs
from helpline.web.access import SUPERVISORS, fetch, may_see_centre, roles_required
from scheduling import service
from scheduling.ical import calendar_feed
from scheduling.service import RotaError
from scheduling.staffing import advice_for_week

bp = Blueprint("rota", __name__)
MAX_IMPORT_BYTES = 2_000_000


def _chosen(field: str) -> int | None:
    """The id chosen in a form's list (empty: none); ``RotaError`` naming the field for a value
    that is no row's id."""
    try:
        return inputs.optional_id(request.values.get(field), field)
    except inputs.InputError as exc:
        raise RotaError(str(exc)) from exc


def _centre() -> tuple[Centre, RotaError | None]:
    """The centre asked for (an administrator's choice, anyone else's own) or else the first one,
    and the refusal of a centre id that is no centre's."""
    refusal = None
    wanted = current_user.centre_id
    if current_user.is_admin:
        try:
            wanted = _chosen("centre")
        except RotaError as exc:
            wanted, refusal = None, exc
    centre = db.session.get(Centre, wanted) if wanted else None
    if centre is None:
        centres = list_centres(db.session)
        if not centres:
            abort(404)
        centre = centres[0]
    return centre, refusal


def _centre_to_change() -> Centre:
    """The centre a change is for (as ``_centre``); a centre id that is no centre's is refused."""
    centre, refusal = _centre()
    if refusal is not None:
        raise refusal
    return centre


def _local(centre: Centre, day: str, clock: str, field: str = "day") -> datetime:
    zone = zone_of(centre)
    try:
        return datetime.combine(inputs.day(day, field), time.fromisoformat(clock), zone)
    except inputs.InputError as exc:
        raise RotaError(str(exc)) from exc
    except ValueError as exc:
        raise RotaError("date and time: YYYY-MM-DD and HH:MM") from exc


def _shift_times(centre: Centre) -> tuple[datetime, datetime]:
    """The form's day, from and to as a shift's start and end in UTC (a night shift, ending at or
    before its start time, ends the next morning)."""
    start = _local(centre, request.form.get("day", ""), request.form.get("from", ""))
    end = _local(centre, request.form.get("day", ""), request.form.get("to", ""))
    if end <= start:
        end += timedelta(days=1)
    return start.astimezone(UTC), end.astimezone(UTC)


def _period(centre: Centre, view: str, start: str | None, now: datetime) -> tuple[date, date]:
    """The week or month shown; ``InputError`` for a start day outside the accepted range."""
    today = now.astimezone(zone_of(centre)).date()
    first = inputs.optional_day(start, "start") or today
    if view == "month":
        first = first.replace(day=1)
        last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    else:
        first -= timedelta(days=first.weekday())
        last = first + timedelta(days=6)
    return first, last


@bp.get("/rota")
@roles_required(*SUPERVISORS)
def board(status: int = 200, form_error: RotaError | None = None):
    rt = current_runtime()
    centre, refusal = _centre()
    if refusal is not None:                # the first centre, and the field named
        status, form_error = 400, form_error or refusal
    view = request.values.get("view", "week")
    try:
        first, last = _period(centre, view, request.values.get("start"), rt.clock.now())
    except inputs.InputError as exc:       # this week, and the field named
        first, last = _period(centre, view, None, rt.clock.now())
        status, form_error = 400, form_error or RotaError(str(exc))
    zone = zone_of(centre)
    start = datetime.combine(first, time(0), zone)
    end = datetime.combine(last + timedelta(days=1), time(0), zone)
    shifts = service.current_shifts(db.session, centre.id, start, end)
    result = service.check(db.session, centre, start, end, rt.settings)
    staff = list(db.session.scalars(select(User).where(User.centre_id == centre.id,
                                                       User.is_enabled.is_(True))
                                    .order_by(User.role, User.username)))
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    cells: dict[tuple[int, date], list[Shift]] = {}
    for shift in shifts:
        cells.setdefault((shift.user_id, shift.starts_at.astimezone(zone).date()), []).append(shift)
    gaps_by_day: dict[date, list] = {}
    for gap in result.gaps:
        day = gap.start.astimezone(zone).date()
        while day <= (gap.end - timedelta(seconds=1)).astimezone(zone).date():
            gaps_by_day.setdefault(day, []).append(gap)
            day += timedelta(days=1)
    names = {u.id: u.username for u in staff}
    swaps = list(db.session.scalars(select(SwapRequest).join(Shift).where(
        Shift.centre_id == centre.id, SwapRequest.state == "accepted")))
    advice = advice_for_week(db.session, centre, rt.clock.now()) if view == "week" else None
    return render_template(
        "rota.html", centre=centre, centres=list_centres(db.session), view=view, days=days,
        staff=staff, cells=cells, gaps=result.gaps, gaps_by_day=gaps_by_day, zone=zone,
        violations=result.violations, names=names, swaps=swaps, advice=advice,
        printing=bool(request.values.get("print")), form_error=form_error,
        prev_start=(first - timedelta(days=1 if view == "month" else 7)).isoformat(),
        next_start=(last + timedelta(days=1)).isoformat(), form=request.form,
    ), status


def _back(centre: Centre):
    return redirect(url_for("rota.board", centre=centre.id, view=request.form.get("view", "week"),
                            start=request.form.get("start_view") or None), 303)


def _done(centre: Centre, message: str, action: str = "rota.change", obj_id: object = None):
    audit.record(db.session, current_runtime().clock.now(), action, current_user, "centre",
                 obj_id if obj_id is not None else centre.id, detail=request.path)
    db.session.commit()
    flash(message)
    return _back(centre)


def _failed(error: RotaError):
    db.session.rollback()
    return board(status=409 if error.violations else 400, form_error=error)


def _change(rule: str):
    """A supervisor's change to the rota at ``rule``: the view makes it and returns the centre and
    what to say, which is audited, committed, then said; a ``RotaError`` writes nothing and shows
    the board again with the refusal (409 for a broken working-time rule, else 400)."""
    def register(view):
        @wraps(view)
        def change(*args, **kwargs):
            try:
                centre, message = view(*args, **kwargs)
            except RotaError as error:
                return _failed(error)
            return _done(centre, message)
        return bp.post(rule)(roles_required(*SUPERVISORS)(change))
    return register


@_change("/rota/shifts")
def add_shift():
    rt = current_runtime()
    centre = _centre_to_change()
    start, end = _shift_times(centre)
    user = db.session.get(User, _chosen("user_id") or 0)
    service.add_shift(db.session, centre, user, request.form.get("duty", "line"), start, end,
                      current_user, rt.clock.now(), rt.settings, request.form.get("reason"))
    return centre, _("Shift saved.")


def _shift(shift_id: int) -> Shift:
    return fetch(Shift, shift_id, lambda shift: may_see_centre(current_user, shift.centre_id))


@_change("/rota/shifts/<int:shift_id>/delete")
def delete_shift(shift_id: int):
    shift = _shift(shift_id)
    service.delete_shift(db.session, shift, current_runtime().clock.now())
    return db.session.get(Centre, shift.centre_id), _("Shift deleted (kept in the history).")


@_change("/rota/shifts/<int:shift_id>/edit")
def edit_shift(shift_id: int):
    rt = current_runtime()
    shift = _shift(shift_id)
    centre = db.session.get(Centre, shift.centre_id)
    start, end = _shift_times(centre)
    user = db.session.get(User, _chosen("user_id") or shift.user_id)
    service.change_shift(db.session, shift, user, start, end, current_user, rt.clock.now(),
                         rt.settings, request.form.get("reason"))
    return centre, _("Shift changed (the earlier version is kept).")


@_change("/rota/template")
def apply_template():
    rt = current_runtime()
    centre = _centre_to_change()
    try:
        people = [db.session.get(User, i) for i in inputs.ids(request.form.getlist("people"),
                                                              "people")]
        if any(p is None for p in people):
            raise RotaError("people: unknown person")
        first = inputs.day(request.form.get("first"), "first")
        last = inputs.day(request.form.get("last"), "last")
        made = service.apply_template(db.session, centre, request.form.get("pattern", ""), people,
                                      first, last, int(request.form.get("start_hour", "8")),
                                      request.form.get("duty", "line"), current_user,
                                      rt.clock.now(), rt.settings, request.form.get("reason"))
    except RotaError:                       # (a ValueError too: kept as it is)
        raise
    except inputs.InputError as exc:
        raise RotaError(str(exc)) from exc
    except (ValueError, TypeError) as exc:
        raise RotaError(f"template: {exc}" if str(exc) else "template: check the dates") from exc
    return centre, _("%(count)s shifts added from the template.", count=len(made))


@_change("/rota/import")
def import_shifts():
    """Shifts from a CSV file (as ``helpline rota import``); a supervisor's own centre only."""
    rt = current_runtime()
    upload = request.files.get("file")
    centre = _centre_to_change()
    if upload is None or not upload.filename:
        raise RotaError(_("file: choose a CSV file"))
    data = upload.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        raise RotaError(_("file: at most 2 MB"))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RotaError(_("file: save it as CSV UTF-8")) from exc
    made = service.import_csv(db.session, text, current_user, rt.clock.now(), rt.settings,
                              centre_ids=None if current_user.is_admin else {current_user.centre_id})
    return centre, _("%(count)s shifts imported.", count=len(made))


@_change("/rota/absences")
def add_absence():
    centre = _centre_to_change()
    user = db.session.get(User, _chosen("user_id") or 0)
    if user is None or user.centre_id != centre.id:
        raise RotaError("person: a member of this centre")
    start = _local(centre, request.form.get("first", ""), "00:00", "first")
    end = _local(centre, request.form.get("last", ""), "00:00", "last") + timedelta(days=1)
    service.add_absence(db.session, user, start.astimezone(UTC), end.astimezone(UTC),
                        request.form.get("kind", "leave"), current_user, current_runtime().clock.now())
    return centre, _("Absence saved.")


@_change("/rota/swaps/<int:swap_id>/<any(approve, refuse):decision>")
def decide_swap(swap_id: int, decision: str):
    rt = current_runtime()
    swap = db.session.get(SwapRequest, swap_id)
    if swap is None:
        abort(404)
    shift = _shift(swap.shift_id)
    service.decide_swap(db.session, swap, current_user, decision == "approve", rt.clock.now(),
                        rt.settings, request.form.get("reason"))
    return db.session.get(Centre, shift.centre_id), _("Swap decided.")


# ---------------------------------------------------------------- staff


@bp.get("/my-shifts")
@login_required
def my_shifts():
    rt = current_runtime()
    now = rt.clock.now()
    shifts = service.current_shifts(db.session, None, now - timedelta(days=1), now + timedelta(days=62),
                                    user_id=current_user.id)
    colleagues = list(db.session.scalars(select(User).where(
        User.centre_id == current_user.centre_id, User.id != current_user.id,
        User.is_enabled.is_(True)).order_by(User.username)))
    incoming = list(db.session.scalars(select(SwapRequest).where(
        SwapRequest.colleague_id == current_user.id, SwapRequest.state == "asked")))
    mine = list(db.session.scalars(select(SwapRequest).where(
        SwapRequest.requester_id == current_user.id).order_by(SwapRequest.asked_at.desc()).limit(20)))
    user = db.session.merge(current_user._get_current_object())
    zone = zone_of(user.centre)
    feed = (rt.settings.public_base_url + url_for("rota.feed", token=user.calendar_token)
            if user.calendar_token else None)      # made only when the person asks (a POST)
    return render_template("my_shifts.html", shifts=shifts, colleagues=colleagues,
                           incoming=incoming, mine=mine, zone=zone, feed=feed)


@bp.post("/my-shifts/<int:shift_id>/swap")
@login_required
def ask_swap(shift_id: int):
    rt = current_runtime()
    shift = fetch(Shift, shift_id, lambda s: s.user_id == current_user.id)

    def step():
        colleague = db.session.get(User, _chosen("colleague_id") or 0)
        service.ask_swap(db.session, shift, current_user, colleague, rt.clock.now())
    return _swap_step(step, "rota.swap_ask", shift.id, _("Swap requested."))


def _swap_step(step, action: str, obj_id: int, message: str):
    """Run one step of a swap for the signed-in person: commit and say so, or roll back and say why."""
    try:
        step()
    except RotaError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("rota.my_shifts"), 303)
    audit.record(db.session, current_runtime().clock.now(), action, current_user, "shift", obj_id)
    db.session.commit()
    flash(message)
    return redirect(url_for("rota.my_shifts"), 303)


@bp.post("/my-shifts/swaps/<int:swap_id>/accept")
@login_required
def accept_swap(swap_id: int):
    swap = fetch(SwapRequest, swap_id, lambda s: s.colleague_id == current_user.id)
    return _swap_step(lambda: service.accept_swap(db.session, swap, current_user,
                                                  current_runtime().clock.now()),
                      "rota.swap_accept", swap.shift_id,
                      _("Accepted: a supervisor will approve the swap."))


@bp.post("/my-shifts/calendar-feed")
@login_required
def new_feed_address():
    """The person's first calendar address, or a new one: the old address stops working at once
    (e.g. it was shared by mistake)."""
    with unit_of_work(db.session):
        user = db.session.merge(current_user._get_current_object())
        first = not user.calendar_token
        service.revoke_calendar_token(user)
        audit.record(db.session, current_runtime().clock.now(),
                     "calendar_feed.create" if first else "calendar_feed.revoke", current_user,
                     "user", current_user.id)
    flash(_("Your calendar feed has an address now.") if first else
          _("The calendar feed has a new address; the old one no longer works."))
    return redirect(url_for("rota.my_shifts"), 303)


@bp.get("/calendar/<token>.ics")
def feed(token: str):
    """A person's shifts as iCalendar, at a secret URL: nothing but the shifts."""
    user = db.session.scalar(select(User).where(User.calendar_token == token)) if token else None
    if user is None or not user.is_enabled:
        abort(404)
    now = current_runtime().clock.now()
    shifts = service.current_shifts(db.session, None, now - timedelta(days=31),
                                    now + timedelta(days=92), user_id=user.id)
    return Response(calendar_feed(shifts, now), mimetype="text/calendar")
