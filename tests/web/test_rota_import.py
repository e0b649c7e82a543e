"""Importing the rota from a spreadsheet: on the rota page and with `helpline rota import`.

Excel's "CSV UTF-8" starts the file with a byte-order mark; a shift that breaks a working-time
rule needs a reason, in the file as on the page."""

from __future__ import annotations

import io

import pytest

from helpline.extensions import db
from helpline.models import Shift
from tests.conftest import csrf_from

BOM = "\ufeff"
HEADER = "centre,username,duty,start,end"
DAY = "Almaty PSC (demo),saule,line,2026-03-02 08:00,2026-03-02 20:00"
NIGHT = "Almaty PSC (demo),timur,line,2026-03-02 20:00,2026-03-03 08:00"
WHOLE_DAY = "Almaty PSC (demo),sup,supervisor,2026-03-03 08:00,2026-03-04 08:00"


@pytest.fixture
def almaty(make_user):
    return {name: make_user(name, centre_id=2) for name in ("saule", "timur")} | {
        "sup": make_user("sup", role="supervisor", centre_id=2)}


def shifts(app) -> list[tuple[str, str | None]]:
    with app.app_context():
        rows = [(s.user.username, s.override_reason)
                for s in db.session.query(Shift).order_by(Shift.id)]
        db.session.remove()
        return rows


def upload(http, content: str | bytes):
    token = csrf_from(http.get("/rota?centre=2&start=2026-03-02").get_data(as_text=True))
    data = content.encode("utf-8") if isinstance(content, str) else content
    return http.post("/rota/import", data={"csrf_token": token, "centre": "2",
                                            "start_view": "2026-03-02",
                                            "file": (io.BytesIO(data), "rota.csv")},
                     content_type="multipart/form-data")


def test_the_page_imports_an_excel_csv_utf8_file(app, almaty, staff_client):
    http, _ = staff_client("sup")
    response = upload(http, BOM + "\r\n".join([HEADER, DAY, NIGHT]) + "\r\n")
    assert response.status_code == 303
    assert "2 shifts imported" in http.get(response.location).get_data(as_text=True)
    assert shifts(app) == [("saule", None), ("timur", None)]


def test_the_page_refuses_a_whole_day_shift_without_a_reason_naming_the_line(
        app, almaty, staff_client):
    http, _ = staff_client("sup")
    refused = upload(http, "\n".join([HEADER, DAY, WHOLE_DAY]))
    assert refused.status_code == 400
    text = refused.get_data(as_text=True)
    assert "line 3: sup breaks working-time rules: shift_too_long (24.0 h &gt; 12 h)" in text
    assert shifts(app) == []                                  # not even the good line
    kept = upload(http, "\n".join([HEADER + ",reason", DAY + ",",
                                   WHOLE_DAY + ",holiday cover agreed with the head"]))
    assert kept.status_code == 303
    assert shifts(app) == [("saule", None), ("sup", "holiday cover agreed with the head")]


def test_the_page_refuses_files_it_cannot_read_and_other_centres(app, almaty, staff_client):
    http, _ = staff_client("sup")
    latin1 = upload(http, (HEADER + "\nAlmaty PSC (demo),saule,line,2026-03-02 08:00,é").encode(
        "latin-1"))
    assert latin1.status_code == 400 and "save it as CSV UTF-8" in latin1.get_data(as_text=True)
    astana = upload(http, "\n".join(
        [HEADER, "Astana PSC (demo),saule,line,2026-03-02 08:00,2026-03-02 20:00"]))
    assert astana.status_code == 400                          # a supervisor of Almaty only
    assert "line 2: unknown centre &#39;Astana PSC (demo)&#39;" in astana.get_data(as_text=True)
    assert shifts(app) == []


def test_the_command_reads_a_byte_order_mark(app, almaty, helpline_cli, tmp_path):
    csv_file = tmp_path / "rota.csv"
    csv_file.write_bytes((BOM + "\r\n".join([HEADER, DAY, NIGHT]) + "\r\n").encode("utf-8"))
    result = helpline_cli("rota", "import", str(csv_file))
    assert result.exit_code == 0, result.output
    assert "Imported 2 shifts." in result.output
    assert shifts(app) == [("saule", None), ("timur", None)]


def test_the_command_needs_a_reason_for_a_shift_that_breaks_a_rule(app, almaty, helpline_cli,
                                                                   tmp_path):
    csv_file = tmp_path / "rota.csv"
    csv_file.write_text("\n".join([HEADER, DAY, WHOLE_DAY]) + "\n", encoding="utf-8")
    refused = helpline_cli("rota", "import", str(csv_file))
    assert refused.exit_code == 1
    assert "nothing imported" in refused.output
    assert "line 3: sup breaks working-time rules: shift_too_long" in refused.output
    assert shifts(app) == []
    csv_file.write_text("\n".join([HEADER + ",reason", DAY + ",", WHOLE_DAY + ",holiday cover"]),
                        encoding="utf-8")
    assert helpline_cli("rota", "import", str(csv_file)).exit_code == 0
    assert shifts(app) == [("saule", None), ("sup", "holiday cover")]
