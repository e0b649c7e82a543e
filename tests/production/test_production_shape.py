"""The production shape: nginx in front of two ``helpline serve`` processes, the scheduler,
PostgreSQL and Redis. A caller comes in through the proxy, a psychologist's console is
connected through it; the web process serving them is killed mid-call. The caller keeps being
answered, the console reconnects through the proxy, and the call is neither lost nor offered
twice."""

from __future__ import annotations

import re
import secrets
import xml.etree.ElementTree as ET

import requests
import socketio
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from tests.conftest import wait_until
from tests.faults.conftest import HttpTwilio, free_port
from tests.production.nginx import Nginx

NS = "/console"
PASSWORD = "night shift harbour lantern 42"
CALLER = "+77059876543"


def _ready(port: int) -> bool:
    try:
        return requests.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def _signed_in(base: str) -> requests.Session:
    http = requests.Session()
    page = http.get(f"{base}/login?lang=en", timeout=10).text
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    answer = http.post(f"{base}/login", data={"username": "night1", "password": PASSWORD,
                                              "csrf_token": csrf}, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    return http


def _caller_in_queue(twilio: HttpTwilio, params: dict[str, str]) -> ET.Element:
    doc = twilio.twiml("/ivr/voice", params)
    for digits in ("3", "1"):                       # English, a child
        doc = twilio.twiml(doc.find("Gather").get("action"), {**params, "Digits": digits})
    assert doc.find("Enqueue") is not None, ET.tostring(doc)
    return doc


def _rows(url: str, sql: str) -> list:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return list(connection.execute(text(sql)))
    finally:
        engine.dispose()


def test_a_web_process_killed_mid_call_loses_no_call_and_offers_none_twice(
        postgres_cluster, redis_server, helpline_env, tmp_path):
    web_ports = [free_port(), free_port()]
    nginx = Nginx(tmp_path / "nginx", web_ports)
    helpline = helpline_env({"DATABASE_URL": postgres_cluster.url, "REDIS_URL": redis_server.url,
                             "PUBLIC_BASE_URL": nginx.base_url, "TRUSTED_PROXY_COUNT": "1",
                             "RING_TIMEOUT_SECONDS": "600"})
    for args in (("db", "upgrade"), ("demo-data",),
                 ("users", "add", "--username", "night1", "--password", PASSWORD, "--role",
                  "psychologist", "--centre", "Almaty PSC (demo)", "--languages", "kk,ru,en",
                  "--ui-language", "en")):
        result = helpline.command(*args)
        assert result.returncode == 0, result.stdout + result.stderr
    webs = {port: helpline.start(f"web-{port}", "serve", "--bind", f"127.0.0.1:{port}",
                                 "--threads", "16")[0] for port in web_ports}
    helpline.start("scheduler", "scheduler")
    assert wait_until(lambda: all(_ready(port) for port in web_ports), timeout=60)
    nginx.start()
    try:
        http = _signed_in(nginx.base_url)
        offers, connects = [], []
        console = socketio.Client(http_session=http, reconnection_delay=0.2,
                                  reconnection_delay_max=1, randomization_factor=0)
        console.on("offer", offers.append, namespace=NS)
        console.on("connect", lambda: connects.append(1), namespace=NS)
        console.connect(nginx.base_url, namespaces=[NS], transports=["polling", "websocket"],
                        headers={"User-Agent": http.headers["User-Agent"]})
        assert console.call("set_state", {"state": "available"}, namespace=NS)["ok"]

        twilio = HttpTwilio(nginx.base_url)
        params = {"AccountSid": "AC" + "0" * 32, "CallSid": "CA" + secrets.token_hex(16),
                  "From": CALLER, "To": "+77273555150", "Direction": "inbound",
                  "CallStatus": "in-progress", "ApiVersion": "2010-04-01"}
        enqueue = _caller_in_queue(twilio, params).find("Enqueue")
        assert wait_until(lambda: offers, timeout=10)

        serving = requests.get(nginx.base_url + "/healthz", timeout=5).headers["X-Senim-Upstream"]
        victim = webs[int(serving.rsplit(":", 1)[1])]
        helpline.kill(victim)                       # mid-call: the caller waits, the phone rings

        status, body = twilio.post(enqueue.get("waitUrl"), {**params, "QueuePosition": "1"})
        assert status == 200 and "<Response>" in body      # the caller is still answered
        assert wait_until(lambda: len(connects) >= 2 and console.connected, timeout=20)
        assert requests.get(nginx.base_url + "/healthz", timeout=5).headers["X-Senim-Upstream"] != serving

        accepted = console.call("accept", {"offer_id": offers[0]["offer_id"]}, namespace=NS)
        assert accepted["ok"], accepted
        twilio.post("/ivr/status", {**params, "CallStatus": "completed", "CallDuration": "60"})
        console.disconnect()

        calls = _rows(postgres_cluster.url, "SELECT id, outcome FROM calls")
        assert len(calls) == 1                                  # not lost, not doubled
        assert calls[0].outcome == "answered"
        assert {offer["offer_id"] for offer in offers} == {offers[0]["offer_id"]}
        made = _rows(postgres_cluster.url, "SELECT count(*) FROM offers")[0][0]
        assert made == 1                                        # never offered twice
    finally:
        nginx.stop()
    for _process, log in helpline.processes:
        assert CALLER not in log.read_text() and params["CallSid"] not in log.read_text()
