"""Rota operations on a real database: history, templates, swaps, CSV, `helpline rota check`."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from helpline.extensions import db
from helpline.models import Centre, Shift, User
from scheduling import service
from scheduling.service import RotaError

ZONE = ZoneInfo("Asia/Almaty")


def local(*args) -> datetime:
    return datetime(*args, tzinfo=ZONE).astimezone(UTC)


@pytest.fixture
def rota_ctx(app, make_user, clock):
    ids = {name: make_user(name, centre_id=1) for name in ("ali", "bota", "dana", "erlan", "farida")}
    ids["sup"] = make_user("sup", role="supervisor", centre_id=1)
    with app.app_context():
        yield {
            "centre": db.session.get(Centre, 1),
            "users": {k: db.session.get(User, v) for k, v in ids.items()},
            "settings": app.extensions["helpline"].settings,
            "now": clock.now(),
        }
        db.session.rollback()


def test_a_violating_shift_needs_a_reason_which_is_kept(rota_ctx):
    c, u, s, now = rota_ctx["centre"], rota_ctx["users"], rota_ctx["settings"], rota_ctx["now"]
    service.add_shift(db.session, c, u["ali"], "line", local(2026, 3, 3, 8), local(2026, 3, 3, 20),
                      None, now, s)
    with pytest.raises(RotaError) as info:
        service.add_shift(db.session, c, u["ali"], "line", local(2026, 3, 3, 20),
                          local(2026, 3, 4, 8), None, now, s)
    assert [v.kind for v in info.value.violations] == ["back_to_back"]
    kept = service.add_shift(db.session, c, u["ali"], "line", local(2026, 3, 3, 20),
                             local(2026, 3, 4, 8), None, now, s, reason="colleague ill")
    assert kept.override_reason == "colleague ill"


def test_bad_shifts_are_refused(rota_ctx):
    c, u, s, now = rota_ctx["centre"], rota_ctx["users"], rota_ctx["settings"], rota_ctx["now"]
    for user, duty, start, end, message in [
        (u["ali"], "line", local(2026, 3, 3, 8), local(2026, 3, 3, 8), "after the start"),
        (u["ali"], "supervisor", local(2026, 3, 3, 8), local(2026, 3, 3, 20), "not a supervisor"),
        (u["ali"], "lunch", local(2026, 3, 3, 8), local(2026, 3, 3, 20), "line or supervisor"),
        (None, "line", local(2026, 3, 3, 8), local(2026, 3, 3, 20), "not an active member"),
    ]:
        with pytest.raises(RotaError, match=message):
            service.add_shift(db.session, c, user, duty, start, end, None, now, s)


def test_changes_and_deletions_keep_the_history(rota_ctx):
    c, u, s, now = rota_ctx["centre"], rota_ctx["users"], rota_ctx["settings"], rota_ctx["now"]
    first = service.add_shift(db.session, c, u["ali"], "line", local(2026, 3, 1, 8),
                              local(2026, 3, 1, 20), None, now, s)
    second = service.change_shift(db.session, first, u["bota"], local(2026, 3, 1, 9),
                                  local(2026, 3, 1, 21), None, now, s)
    service.delete_shift(db.session, second, now)
    db.session.flush()
    rows = db.session.query(Shift).order_by(Shift.id).all()
    assert [(r.user_id, r.starts_at, r.is_current) for r in rows] == [
        (u["ali"].id, local(2026, 3, 1, 8), False), (u["bota"].id, local(2026, 3, 1, 9), False)]
    assert rows[1].replaces_id == rows[0].id
    assert service.current_shifts(db.session, c.id, local(2026, 3, 1, 0), local(2026, 3, 2, 0)) == []
    with pytest.raises(RotaError, match="already changed"):
        service.change_shift(db.session, first, u["ali"], local(2026, 3, 1, 8),
                             local(2026, 3, 1, 20), None, now, s)


def test_template_fills_days_rotating_over_people_and_the_check_finds_no_gap(rota_ctx):
    c, u, s, now = rota_ctx["centre"], rota_ctx["users"], rota_ctx["settings"], rota_ctx["now"]
    people = [u["ali"], u["bota"], u["dana"], u["erlan"], u["farida"]]
    made = service.apply_template(db.session, c, "2x12", people, date(2026, 3, 2), date(2026, 3, 8),
                                  8, "line", None, now, s)
    assert len(made) == 14
    assert [m.user_id for m in made[:6]] == [p.id for p in people] + [people[0].id]
    assert made[1].starts_at == local(2026, 3, 2, 20) and made[1].ends_at == local(2026, 3, 3, 8)
    with pytest.raises(RotaError):        # four people cannot cover it within 40 h a week
        service.apply_template(db.session, c, "2x12", people[:4], date(2026, 3, 9),
                               date(2026, 3, 15), 8, "line", None, now, s)
    service.apply_template(db.session, c, "2x12", [u["sup"]], date(2026, 3, 2), date(2026, 3, 8), 8,
                           "supervisor", None, now, s, reason="one supervisor demo week")
    result = service.check(db.session, c, local(2026, 3, 2, 8), local(2026, 3, 9, 8), s)
    line_gaps = [g for g in result.gaps if g.duty == "line"]
    # one person per 12 h: the day minimum of 2 (08-20) is not met, nights are
    assert line_gaps and all(g.need == 2 and g.have == 1 for g in line_gaps)
    assert not [g for g in result.gaps if g.duty == "supervisor"]


def test_swap_is_asked_accepted_and_approved(rota_ctx):
    c, u, s, now = rota_ctx["centre"], rota_ctx["users"], rota_ctx["settings"], rota_ctx["now"]
    shift = service.add_shift(db.session, c, u["ali"], "line", local(2026, 3, 5, 8),
                              local(2026, 3, 5, 20), None, now, s)
    swap = service.ask_swap(db.session, shift, u["ali"], u["bota"], now)
    with pytest.raises(RotaError):
        service.decide_swap(db.session, swap, u["sup"], True, now, s)   # not accepted yet
    service.accept_swap(db.session, swap, u["bota"], now)
    new = service.decide_swap(db.session, swap, u["sup"], True, now, s)
    assert new.user_id == u["bota"].id and not shift.is_current and swap.state == "approved"


def test_csv_import_is_all_or_nothing_with_row_errors(rota_ctx):
    s, now = rota_ctx["settings"], rota_ctx["now"]
    good = ("centre,username,duty,start,end,reason\n"
            "Astana PSC (demo),ali,line,2026-03-10 08:00,2026-03-10 20:00,\n"
            "Astana PSC (demo),sup,supervisor,2026-03-10 08:00,2026-03-11 08:00,on call at home\n")
    assert [shift.override_reason for shift in service.import_csv(db.session, good, None, now, s)
            ] == [None, "on call at home"]       # the 24-hour shift is kept with its reason
    bad = ("centre,username,duty,start,end\n"
           "Astana PSC (demo),bota,line,2026-03-12 08:00,2026-03-12 20:00\n"
           "Nowhere PSC,bota,line,2026-03-12 08:00,2026-03-12 20:00\n"
           "Astana PSC (demo),ghost,line,2026-03-12 08:00,2026-03-12 20:00\n"
           "Astana PSC (demo),dana,line,12/03/2026,2026-03-12 20:00\n")
    db.session.commit()
    with pytest.raises(RotaError) as info:
        service.import_csv(db.session, bad, None, now, s)
    db.session.rollback()
    assert str(info.value).splitlines() == [
        "line 3: unknown centre 'Nowhere PSC'", "line 4: unknown person 'ghost'",
        "line 5: start/end: use YYYY-MM-DD HH:MM"]
    assert db.session.query(Shift).count() == 2
    exported = service.export_csv(db.session, None, local(2026, 3, 10, 0), local(2026, 3, 11, 0))
    assert exported.splitlines()[1] == "Astana PSC (demo),ali,line,2026-03-10 08:00,2026-03-10 20:00"


def test_a_24_hour_shift_breaks_the_daily_limit_and_is_kept_only_with_a_reason(rota_ctx):
    c, u, s, now = rota_ctx["centre"], rota_ctx["users"], rota_ctx["settings"], rota_ctx["now"]
    header = "centre,username,duty,start,end,reason\n"
    day_and_night = "Astana PSC (demo),sup,supervisor,2026-03-10 08:00,2026-03-11 08:00,"
    with pytest.raises(RotaError) as refused:
        service.import_csv(db.session, header + day_and_night + "\n", None, now, s)
    assert str(refused.value) == ("line 2: sup breaks working-time rules: shift_too_long "
                                  "(24.0 h > 12 h); give a reason in the reason column to import "
                                  "it anyway")
    assert db.session.query(Shift).count() == 0
    (kept,) = service.import_csv(db.session, header + day_and_night + "on call at home\n", None,
                                 now, s)
    assert kept.override_reason == "on call at home"
    found = service.check(db.session, c, local(2026, 3, 10, 0), local(2026, 3, 12, 0), s)
    assert [(v.user_id, v.kind, v.detail) for v in found.violations] == [
        (u["sup"].id, "shift_too_long", "24.0 h > 12 h")]


def test_rota_check_command_exits_non_zero_on_gaps(helpline_cli, rota_ctx, tmp_path):
    csv_file = tmp_path / "rota.csv"
    rows = ["centre,username,duty,start,end,reason"]
    for day in range(2, 4):
        for person, start in (("ali", "08:00"), ("bota", "08:00")):
            rows.append(f"Astana PSC (demo),{person},line,2026-03-0{day} {start},2026-03-0{day} 20:00,")
        rows.append(f"Astana PSC (demo),dana,line,2026-03-0{day} 20:00,2026-03-0{day + 1} 08:00,")
        rows.append(f"Astana PSC (demo),sup,supervisor,2026-03-0{day} 08:00,2026-03-0{day + 1} 08:00,"
                    "on call at home")
    csv_file.write_text("\n".join(rows) + "\n")
    db.session.commit()
    assert helpline_cli("rota", "import", str(csv_file)).exit_code == 0
    covered = helpline_cli("rota", "check", "--centre", "Astana PSC (demo)", "--from", "2026-03-02",
                           "--to", "2026-03-03")
    assert "GAP line       2026-03-02 00:00 - 2026-03-02 08:00  0/1" in covered.output
    assert covered.exit_code == 1
    assert "dana: short_rest" not in covered.output          # 20:00 -> 08:00 next day: 12 h rest
    exported = helpline_cli("rota", "export", "--centre", "1", "--from", "2026-03-02",
                            "--to", "2026-03-03")
    assert exported.output.count("\n") == 1 + 8
    assert helpline_cli("rota", "check", "--centre", "Nowhere", "--from", "2026-03-02",
                        "--to", "2026-03-03").exit_code == 1
    later = helpline_cli("rota", "check", "--centre", "1", "--from", "2026-03-02", "--to", "2026-03-03")
    assert later.output.strip().endswith("times Asia/Almaty)")


def test_minimum_staffing_per_hour_of_the_week(helpline_cli, rota_ctx):
    db.session.commit()
    result = helpline_cli("rota", "minimum", "--centre", "1", "--days", "sat,sun", "--hours", "all",
                          "--people", "1")
    assert result.exit_code == 0 and "1 on line duty for 48 hours" in result.output
    minimum = service.minimum_for(db.session, db.session.get(Centre, 1), rota_ctx["settings"])
    assert minimum(local(2026, 3, 7, 12)) == 1          # Saturday noon: set to 1
    assert minimum(local(2026, 3, 6, 12)) == 2          # Friday noon: the default day minimum
    assert minimum(local(2026, 3, 6, 23)) == 1          # Friday night: the default night minimum
    bad = helpline_cli("rota", "minimum", "--centre", "1", "--days", "someday", "--hours", "8-20",
                       "--people", "1")
    assert bad.exit_code == 2


def test_hours_sheet_for_payroll(helpline_cli, rota_ctx):
    c, u, s, now = rota_ctx["centre"], rota_ctx["users"], rota_ctx["settings"], rota_ctx["now"]
    service.add_shift(db.session, c, u["ali"], "line", local(2026, 3, 7, 20), local(2026, 3, 8, 8),
                      None, now, s)                              # Saturday night into 8 March
    service.add_shift(db.session, c, u["bota"], "line", local(2026, 3, 31, 20), local(2026, 4, 1, 8),
                      None, now, s)                              # crosses the month end
    db.session.commit()
    out = helpline_cli("rota", "hours", "--centre", "1", "--month", "2026-03").output.splitlines()
    assert out == ["username,shifts,hours,night_hours,weekend_holiday_hours,overtime_hours",
                   "ali,1,12.0,8.0,12.0,0.0", "bota,1,4.0,2.0,0.0,0.0"]
    assert helpline_cli("rota", "hours", "--centre", "1", "--month", "March").exit_code == 2
