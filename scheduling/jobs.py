"""Scheduled jobs. Each takes the session, ``now`` from the scheduler's clock and the runtime,
changes what it must, and returns a short report; ``run`` commits once and publishes after.

One scheduler for the whole deployment (``helpline scheduler``, or inside ``helpline run`` for
the single-process demo), with its job store in the database.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from helpline.events import ALL_SUPERVISORS, agent_room, publish, supervisors_room
from helpline.models import AgentPresence, AgentState, Centre, ContactRecord, FollowUp, Shift
from helpline.services.drafts import forget_older_than
from helpline.uow import unit_of_work
from scheduling import service

logger = logging.getLogger(__name__)


def shift_start_check(session: Session, now: datetime, runtime) -> str:
    """Someone on duty not signed in 5 minutes after their shift began: tell the supervisors."""
    grace = timedelta(minutes=runtime.settings.shift_start_grace_minutes)
    fresh = now - timedelta(seconds=runtime.settings.presence_timeout_seconds)
    missing = []
    for shift in service.shifts_starting(session, now - grace - timedelta(minutes=1), now - grace):
        presence = session.get(AgentPresence, shift.user_id)
        signed_in = (presence is not None and presence.state != AgentState.OFFLINE.value
                     and presence.last_seen_at >= fresh)
        if not signed_in:
            missing.append(shift)
            publish(session, runtime.dispatcher.publisher, "staff_missing",
                    {"user": shift.user.username, "shift_id": shift.id},
                    supervisors_room(shift.centre_id), ALL_SUPERVISORS)
    return f"{len(missing)} people not signed in at their shift start" if missing else ""


def shift_reminders(session: Session, now: datetime, runtime) -> str:
    ahead = timedelta(minutes=runtime.settings.shift_reminder_minutes)
    shifts = service.shifts_starting(session, now + ahead, now + ahead + timedelta(minutes=1))
    for shift in shifts:
        publish(session, runtime.dispatcher.publisher, "shift_reminder",
                {"starts_at": shift.starts_at.isoformat()}, agent_room(shift.user_id))
    return f"{len(shifts)} shift reminders" if shifts else ""


def coverage_forecast(session: Session, now: datetime, runtime) -> str:
    """Gaps in the next 72 hours, per centre that keeps a rota, sent to its supervisors."""
    total = 0
    centres_with_rota = set(session.scalars(select(Shift.centre_id).where(
        Shift.superseded_at.is_(None), Shift.deleted_at.is_(None)).distinct()))
    for centre in session.scalars(select(Centre).where(Centre.id.in_(centres_with_rota))):
        result = service.check(session, centre, now, now + timedelta(hours=72), runtime.settings)
        if result.gaps:
            total += len(result.gaps)
            publish(session, runtime.dispatcher.publisher, "coverage_forecast",
                    {"centre": centre.name, "gaps": len(result.gaps),
                     "first_gap": result.gaps[0].start.isoformat()},
                    supervisors_room(centre.id), ALL_SUPERVISORS)
    return f"{total} gaps in the next 72 h"


def retention(session: Session, now: datetime, runtime) -> str:
    """Delete notes, follow-up details and record drafts older than the retention period;
    counts stay."""
    cutoff = now - timedelta(days=runtime.settings.notes_retention_days)
    result = session.execute(update(ContactRecord).where(
        ContactRecord.created_at < cutoff,
        (ContactRecord.notes_encrypted.is_not(None)) | (ContactRecord.follow_up_due.is_not(None)),
    ).values(notes_encrypted=None, follow_up_due=None).execution_options(synchronize_session=False))
    follow_ups = session.execute(update(FollowUp).where(
        FollowUp.at < cutoff, FollowUp.detail_encrypted.is_not(None),
    ).values(detail_encrypted=None).execution_options(synchronize_session=False))
    drafts = forget_older_than(session, cutoff)
    return (f"removed notes and follow-up details of {result.rowcount} contact records and "
            f"{follow_ups.rowcount} request follow-ups, and {drafts} record drafts")


def write_monthly_report(session: Session, first_day, runtime) -> None:
    """Write last month's report for the child-rights authority into the instance folder."""
    from pathlib import Path

    from helpline.services import audit
    from helpline.services.figures import monthly_csv

    folder = Path(runtime.settings.helpline_instance_path) / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"monthly-{first_day:%Y-%m}.csv"
    path.write_text(monthly_csv(session, first_day), encoding="utf-8")
    audit.record(session, runtime.clock.now(), "report.monthly", detail=f"job: {path.name}")


#: Hooks run by the monthly job with (session, first day of the last month, runtime).
MONTHLY_HOOKS: list[Callable] = [write_monthly_report]


def monthly_reports(session: Session, now: datetime, runtime) -> str:
    """On the first day of a month (UTC+5), run the monthly hooks for the month before."""
    from helpline.services.figures import ZONE

    local = now.astimezone(ZONE)
    if local.day != 1:
        return "not the first day of the month"
    first_of_this = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    last_month = (first_of_this - timedelta(days=1)).replace(day=1)
    for hook in MONTHLY_HOOKS:
        hook(session, last_month.date(), runtime)
    return f"monthly hooks run for {last_month:%Y-%m}: {len(MONTHLY_HOOKS)}"


def public_figures(session: Session, now: datetime, runtime) -> str:
    """Count last month's figures for the public statistics page again and store them."""
    from helpline.services import public_figures as figures
    from helpline.vocabulary import local_day

    return figures.refresh(session, now, local_day(now))


def routing_tick(session: Session, now: datetime, runtime) -> str:
    """Offer waiting calls; give back to their psychologist callers whose consulted colleague
    did not answer within the ring timeout; try again to take off hold callers the carrier left
    on hold when their consultation ended."""
    from helpline.services import warm_steps, warm_transfer

    given_back = warm_transfer.unanswered(session, runtime.lifecycle, now)
    off_hold = warm_steps.retry_holds(session, runtime.lifecycle.carrier, runtime.dispatcher.publisher, now)
    offers = runtime.dispatcher.route(session, now)
    said = [f"calls offered: {len(offers)}"] if offers else []
    said += [f"consultations not answered: {given_back}"] if given_back else []
    return "; ".join(said + ([f"callers taken off hold: {off_hold}"] if off_hold else []))


def reconcile_calls(session: Session, now: datetime, runtime) -> str:
    """Write spooled calls into the register once the database answers again (a bad entry set
    aside), then close what no live call backs and what the carrier says has ended (no write
    lock is held while the carrier answers) and free whoever such calls left On a call."""
    from helpline.services import spooled

    written = spooled.drain(session, runtime.lifecycle.spool, now)
    with unit_of_work(session):
        report = runtime.lifecycle.reconcile(session, now)
    return f"{written} spooled calls written; {report}"


#: This job runs its own units of work.
reconcile_calls.owns_units = True


def provider_purge(session: Session, now: datetime, runtime) -> str:
    """Delete ended calls' records at the voice provider (no database lock is held while it
    answers), then keep the sweep's counts for the administrators."""
    from helpline.services import provider_purge as purge

    if runtime.provider_purge is None:
        return "no voice provider to purge (simulated carrier)"
    with unit_of_work(session):
        numbers = purge.line_numbers(session)
    counts = runtime.provider_purge.sweep(numbers, now)
    with unit_of_work(session):
        purge.record_sweep(session, now, counts)
    return counts.summary()


#: This job runs its own units of work.
provider_purge.owns_units = True


JOBS = {
    "routing_tick": (routing_tick, {"seconds": 1}),
    "reconcile_calls": (reconcile_calls, {"seconds": 30}),
    "shift_start_check": (shift_start_check, {"minutes": 1}),
    "shift_reminders": (shift_reminders, {"minutes": 1}),
    "coverage_forecast": (coverage_forecast, {"hours": 1}),
    "retention": (retention, {"hours": 24}),
    "monthly_reports": (monthly_reports, {"days": 1}),
    "public_figures": (public_figures, {"minutes": 30}),
    "provider_purge": (provider_purge, {"seconds": 600}),
}

#: Jobs that log their own report. The others' reports are logged when they say something: a
#: job that did nothing returns "" (the routing tick runs every second: a line each time would
#: bury the request log).
QUIET_JOBS = {"reconcile_calls", "provider_purge"}

_app = None


def run(name: str) -> str:
    """Run one job in the scheduler's app: one unit of work, committed once."""
    from helpline import metrics
    from helpline.extensions import db

    job, _interval = JOBS[name]
    runtime = _app.extensions["helpline"]
    started = time.perf_counter()
    with _app.app_context():
        try:
            if getattr(job, "owns_units", False):
                report = job(db.session, runtime.clock.now(), runtime)
            else:
                with unit_of_work(db.session):
                    report = job(db.session, runtime.clock.now(), runtime)
        except Exception:
            metrics.JOB_FAILURES.labels(name).inc()
            logger.exception("Job %s failed", name)
            raise
        finally:
            metrics.JOB_RUNS.labels(name).inc()
            db.session.remove()
    if name == "routing_tick":
        metrics.ROUTING_TICK_SECONDS.observe(time.perf_counter() - started)
    if report and name not in QUIET_JOBS:
        logger.info("Job %s: %s", name, report)
    return report


def start_scheduler(app, blocking: bool = False):
    """The deployment's one scheduler, its job store in the application database."""
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.blocking import BlockingScheduler

    global _app
    _app = app
    # the routing tick runs every second: APScheduler's own per-run lines would bury the request log
    logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)
    logging.getLogger("apscheduler.scheduler").setLevel(logging.WARNING)   # a line per job added
    url = app.extensions["helpline"].settings.database_url
    kind = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = kind(jobstores={"default": SQLAlchemyJobStore(url=url, tablename="scheduler_jobs")},
                     job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 60},
                     timezone="UTC")
    settings = app.extensions["helpline"].settings
    for name, (_job, interval) in JOBS.items():
        if name == "reconcile_calls":
            interval = {"seconds": settings.reconcile_interval_seconds}
        elif name == "provider_purge":
            interval = {"seconds": settings.twilio_purge_interval_seconds}
        elif name == "public_figures":
            interval = {"minutes": settings.stats_refresh_minutes}
        scheduler.add_job("scheduling.jobs:run", "interval", args=[name], id=name,
                          replace_existing=True, **interval)
    try:    # at start-up first: spooled calls into the register, ghosts of lost live state closed
        run("reconcile_calls")
    except Exception:  # the database may still be down: the interval job tries again
        logger.warning("Start-up reconciliation failed; it runs again every %s s",
                       settings.reconcile_interval_seconds)
    scheduler.start()
    return scheduler
