"""Rota operations on the database: load spans, edit shifts with history, templates, CSV,
checks. Functions flush; the caller commits."""

from __future__ import annotations

import csv
import io
import secrets
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline import csvout
from helpline.config import Settings
from helpline.models import Absence, Centre, Shift, StaffingMinimum, SwapRequest, User
from helpline.vocabulary import zone_of
from scheduling import rota

TEMPLATES = {
    "3x8": ((0, 8), (8, 8), (16, 8)),      # (start hour offset, length) per slot of a day
    "2x12": ((0, 12), (12, 12)),
}


class RotaError(ValueError):
    """A rota change that cannot be made; ``violations`` when a reason is needed to save."""

    def __init__(self, message: str, violations: Sequence[rota.Violation] = ()) -> None:
        super().__init__(message)
        self.violations = list(violations)


def rules_from(settings: Settings) -> rota.Rules:
    return rota.Rules(
        weekly_norm_hours=settings.rota_weekly_norm_hours,
        max_shift_hours=settings.rota_max_shift_hours,
        min_rest_hours=settings.rota_min_rest_hours,
        overtime_month_hours=settings.rota_overtime_month_hours,
        overtime_year_hours=settings.rota_overtime_year_hours,
    )


def _standing():
    """Shifts as the rota stands: neither replaced by a later version nor deleted."""
    return select(Shift).where(Shift.superseded_at.is_(None), Shift.deleted_at.is_(None))


def current_shifts(session: Session, centre_id: int | None, start: datetime, end: datetime,
                   user_id: int | None = None) -> list[Shift]:
    """Shifts that overlap [start, end)."""
    query = _standing().where(Shift.ends_at > start, Shift.starts_at < end)
    if centre_id is not None:
        query = query.where(Shift.centre_id == centre_id)
    if user_id is not None:
        query = query.where(Shift.user_id == user_id)
    return list(session.scalars(query.order_by(Shift.starts_at, Shift.id)))


def shifts_starting(session: Session, start: datetime, end: datetime, duty: str = "line") -> list[Shift]:
    """Shifts of one duty that begin in [start, end), in every centre (reminders, start checks)."""
    return list(session.scalars(_standing().where(Shift.duty == duty, Shift.starts_at >= start,
                                                  Shift.starts_at < end).order_by(Shift.starts_at, Shift.id)))


def spans(shifts: Sequence[Shift]) -> list[rota.Span]:
    return [rota.Span(s.user_id, s.duty, s.starts_at, s.ends_at, s.id) for s in shifts]


def absences(session: Session, user_ids: Sequence[int], start: datetime, end: datetime
             ) -> list[rota.Absence]:
    rows = session.scalars(select(Absence).where(Absence.user_id.in_(list(user_ids)),
                                                 Absence.ends_at > start, Absence.starts_at < end))
    return [rota.Absence(a.user_id, a.starts_at, a.ends_at) for a in rows]


def minimum_for(session: Session, centre: Centre, settings: Settings):
    """``instant -> people needed on line duty`` from the centre's table, else the defaults."""
    zone = zone_of(centre)
    table = {(m.weekday, m.hour): m.minimum for m in session.scalars(
        select(StaffingMinimum).where(StaffingMinimum.centre_id == centre.id))}

    def minimum(instant: datetime) -> int:
        local = instant.astimezone(zone)
        if (local.weekday(), local.hour) in table:
            return table[(local.weekday(), local.hour)]
        day = settings.staffing_day_start_hour <= local.hour < settings.staffing_day_end_hour
        return settings.staffing_day_minimum if day else settings.staffing_night_minimum

    return minimum


def set_minimum(session: Session, centre: Centre, weekdays: Sequence[int], hours: Sequence[int],
                people: int) -> int:
    """Set how many people are needed on line duty at these hours of these days (local time)."""
    if people < 0 or people > 100:
        raise RotaError("people: 0 to 100")
    if not weekdays or any(d not in range(7) for d in weekdays):
        raise RotaError("days: 0 (Monday) to 6 (Sunday)")
    if not hours or any(h not in range(24) for h in hours):
        raise RotaError("hours: 0 to 23")
    for day in weekdays:
        for hour in hours:
            row = session.get(StaffingMinimum, (centre.id, day, hour))
            if row is None:
                session.add(StaffingMinimum(centre_id=centre.id, weekday=day, hour=hour, minimum=people))
            else:
                row.minimum = people
    session.flush()
    return len(weekdays) * len(hours)


@dataclass(frozen=True)
class CheckResult:
    gaps: list[rota.Gap]
    violations: list[rota.Violation]


def check(session: Session, centre: Centre, start: datetime, end: datetime, settings: Settings,
          extra: Sequence[rota.Span] = (), without: Sequence[int] = ()) -> CheckResult:
    """Gaps in [start, end) and working-time violations of the people with shifts in it (their
    shifts a week either side are counted too). ``extra``/``without``: a change to preview."""
    margin = timedelta(days=8)
    shifts = [s for s in current_shifts(session, centre.id, start - margin, end + margin)
              if s.id not in without]
    all_spans = spans(shifts) + list(extra)
    people = sorted({s.user_id for s in all_spans})
    away = absences(session, people, start - margin, end + margin)
    gaps = rota.find_gaps(all_spans, away, start, end, minimum_for(session, centre, settings))
    zone = zone_of(centre)
    violations = [v for v in rota.check_working_time(all_spans, away, zone, rules_from(settings))
                  if start - timedelta(days=7) <= v.at < end]
    return CheckResult(gaps, violations)


def _validate(session: Session, centre: Centre, user: User | None, duty: str, start: datetime,
              end: datetime) -> None:
    if user is None or not user.is_enabled:
        raise RotaError("person: not an active member of staff")
    if user.centre_id != centre.id:
        raise RotaError(f"person: {user.username} is not on the staff of {centre.name}")
    if duty not in (rota.LINE, rota.SUPERVISOR):
        raise RotaError("duty: line or supervisor")
    if duty == rota.SUPERVISOR and not user.is_supervisor:
        raise RotaError(f"duty: {user.username} is not a supervisor")
    if end <= start:
        raise RotaError("end: must be after the start")
    if end - start > timedelta(hours=24):
        raise RotaError("length: at most 24 hours in one shift")


def _person_violations(session: Session, centre: Centre, span: rota.Span, settings: Settings,
                       without: Sequence[int] = ()) -> list[rota.Violation]:
    result = check(session, centre, span.start, span.end, settings, extra=[span], without=without)
    return [v for v in result.violations if v.user_id == span.user_id]


def add_shift(session: Session, centre: Centre, user: User | None, duty: str, start: datetime,
              end: datetime, by: User | None, now: datetime, settings: Settings,
              reason: str | None = None, replaces: Shift | None = None) -> Shift:
    """Add a shift; if it breaks a working-time rule a reason is required (and kept)."""
    _validate(session, centre, user, duty, start, end)
    violations = _person_violations(session, centre, rota.Span(user.id, duty, start, end), settings,
                                    without=[replaces.id] if replaces else [])
    reason = (reason or "").strip() or None
    if violations and reason is None:
        raise RotaError("This shift breaks working-time rules; give a reason to save it anyway.",
                        violations)
    shift = Shift(centre_id=centre.id, user_id=user.id, duty=duty, starts_at=start, ends_at=end,
                  created_at=now, created_by_id=by.id if by else None,
                  replaces_id=replaces.id if replaces else None,
                  override_reason=reason if violations else None)
    session.add(shift)
    session.flush()
    return shift


def change_shift(session: Session, shift: Shift, user: User | None, start: datetime, end: datetime,
                 by: User | None, now: datetime, settings: Settings, reason: str | None = None
                 ) -> Shift:
    """A new version replaces the shift; the old one stays in the history."""
    if not shift.is_current:
        raise RotaError("This shift was already changed or deleted.")
    centre = session.get(Centre, shift.centre_id)
    new = add_shift(session, centre, user, shift.duty, start, end, by, now, settings, reason,
                    replaces=shift)
    shift.superseded_at = now
    return new


def delete_shift(session: Session, shift: Shift, now: datetime) -> None:
    if shift.is_current:
        shift.deleted_at = now


def apply_template(session: Session, centre: Centre, pattern: str, people: Sequence[User],
                   first_day: date, last_day: date, start_hour: int, duty: str,
                   by: User | None, now: datetime, settings: Settings,
                   reason: str | None = None) -> list[Shift]:
    """Fill [first_day, last_day] with the pattern's shifts, rotating over ``people``."""
    if pattern not in TEMPLATES:
        raise RotaError(f"template: one of {', '.join(TEMPLATES)}")
    if not people:
        raise RotaError("people: choose at least one")
    if last_day < first_day or (last_day - first_day).days > 62:
        raise RotaError("dates: the last day must follow the first, at most 2 months")
    zone = zone_of(centre)
    slots = TEMPLATES[pattern]
    made, turn = [], 0
    day = first_day
    while day <= last_day:
        for offset, hours in slots:
            start = datetime.combine(day, time(start_hour), zone) + timedelta(hours=offset)
            person = people[turn % len(people)]
            turn += 1
            made.append(add_shift(session, centre, person, duty, start.astimezone(UTC),
                                  (start + timedelta(hours=hours)).astimezone(UTC),
                                  by, now, settings, reason))
        day += timedelta(days=1)
    return made


# ---------------------------------------------------------------- swaps and leave


def ask_swap(session: Session, shift: Shift, requester: User, colleague: User | None,
             now: datetime) -> SwapRequest:
    if shift.user_id != requester.id or not shift.is_current:
        raise RotaError("You can only offer your own current shifts.")
    if colleague is None or colleague.centre_id != shift.centre_id or colleague.id == requester.id:
        raise RotaError("colleague: a colleague of the same centre")
    if shift.starts_at <= now:
        raise RotaError("This shift has started.")
    swap = SwapRequest(shift_id=shift.id, requester_id=requester.id, colleague_id=colleague.id,
                       state="asked", asked_at=now)
    session.add(swap)
    session.flush()
    return swap


def accept_swap(session: Session, swap: SwapRequest, colleague: User, now: datetime) -> None:
    if swap.colleague_id != colleague.id or swap.state != "asked":
        raise RotaError("This request is not waiting for you.")
    swap.state = "accepted"
    swap.accepted_at = now


def decide_swap(session: Session, swap: SwapRequest, supervisor: User, approve: bool,
                now: datetime, settings: Settings, reason: str | None = None) -> Shift | None:
    """A supervisor approves (the shift passes to the colleague, as a new version) or refuses."""
    if swap.state != "accepted":
        raise RotaError("Only requests the colleague accepted can be decided.")
    swap.decided_at, swap.decided_by_id = now, supervisor.id
    if not approve:
        swap.state = "refused"
        return None
    colleague = session.get(User, swap.colleague_id)
    new = change_shift(session, swap.shift, colleague, swap.shift.starts_at, swap.shift.ends_at,
                       supervisor, now, settings, reason)
    swap.state = "approved"
    return new


def add_absence(session: Session, user: User, start: datetime, end: datetime, kind: str,
                by: User | None, now: datetime) -> Absence:
    if end <= start:
        raise RotaError("end: must be after the start")
    if kind not in ("leave", "sick", "other"):
        raise RotaError("kind: leave, sick or other")
    absence = Absence(user_id=user.id, starts_at=start, ends_at=end, kind=kind, created_at=now,
                      created_by_id=by.id if by else None)
    session.add(absence)
    session.flush()
    return absence


def revoke_calendar_token(user: User) -> str:
    """A new secret for the person's calendar feed (their first, when they ask for one): the old
    URL stops working at once (the person's own "new address" button, or an administrator's).
    Returns the new secret."""
    user.calendar_token = secrets.token_urlsafe(24)
    return user.calendar_token


# ---------------------------------------------------------------- CSV

CSV_COLUMNS = ("centre", "username", "duty", "start", "end")


def export_csv(session: Session, centre: Centre | None, start: datetime, end: datetime) -> str:
    out = io.StringIO()
    writer = csvout.writer(out)
    writer.writerow(CSV_COLUMNS)
    for shift in current_shifts(session, centre.id if centre else None, start, end):
        owner = session.get(Centre, shift.centre_id)
        zone = zone_of(owner)
        writer.writerow([owner.name, shift.user.username, shift.duty,
                         shift.starts_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                         shift.ends_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")])
    return out.getvalue()


def import_csv(session: Session, text: str, by: User | None, now: datetime, settings: Settings,
               centre_ids: Collection[int] | None = None) -> list[Shift]:
    """Import shifts (times local to the centre). Any bad line: nothing is imported and every
    bad line is reported as ``line N: problem``.

    A file saved by Excel as "CSV UTF-8" starts with a byte-order mark: it is read like any
    other. A line whose shift breaks a working-time rule needs a ``reason`` (an optional last
    column), as a shift added on the rota page does. ``centre_ids``: the centres the importer
    may change (None: all)."""
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))
    header = [f.strip().lower() for f in reader.fieldnames or ()]
    if header not in (list(CSV_COLUMNS), [*CSV_COLUMNS, "reason"]):
        raise RotaError(f"line 1: the header must be {','.join(CSV_COLUMNS)}[,reason]")
    reader.fieldnames = header
    centres = {c.name: c for c in session.scalars(select(Centre))
               if centre_ids is None or c.id in centre_ids}
    users = {u.username: u for u in session.scalars(select(User))}
    errors, made = [], []
    for number, row in enumerate(reader, start=2):
        try:
            made.append(_import_row(session, row, centres, users, by, now, settings))
        except RotaError as exc:
            errors.append(f"line {number}: {exc}")
    if errors:
        raise RotaError("\n".join(errors))
    return made


def _import_row(session: Session, row: dict, centres: dict[str, Centre], users: dict[str, User],
                by: User | None, now: datetime, settings: Settings) -> Shift:
    centre = centres.get((row["centre"] or "").strip())
    if centre is None:
        raise RotaError(f"unknown centre {row['centre']!r}")
    zone = zone_of(centre)
    try:
        start = datetime.strptime(row["start"].strip(), "%Y-%m-%d %H:%M").replace(tzinfo=zone)
        end = datetime.strptime(row["end"].strip(), "%Y-%m-%d %H:%M").replace(tzinfo=zone)
    except (ValueError, AttributeError) as exc:
        raise RotaError("start/end: use YYYY-MM-DD HH:MM") from exc
    user = users.get((row["username"] or "").strip().lower())
    if user is None:
        raise RotaError(f"unknown person {row['username']!r}")
    try:
        return add_shift(session, centre, user, (row["duty"] or "").strip(),
                         start.astimezone(UTC), end.astimezone(UTC),
                         by, now, settings, reason=row.get("reason"))
    except RotaError as exc:
        if not exc.violations:
            raise
        broken = "; ".join(f"{v.kind} ({v.detail})" for v in exc.violations)
        raise RotaError(f"{user.username} breaks working-time rules: {broken}; "
                        "give a reason in the reason column to import it anyway") from exc
