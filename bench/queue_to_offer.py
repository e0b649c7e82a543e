"""Time from a call entering the queue to the offer reaching a connected psychologist's console.

Starts ``--processes`` ``helpline serve`` processes and ``helpline scheduler`` on a fresh database
(``--backend sqlite``, or ``postgres``: a throw-away PostgreSQL cluster and redis-server, as the
tests start them), signs in ``--agents`` psychologists with real Socket.IO clients (WebSocket),
connected round-robin to the processes, all Available, then places ``--calls`` calls at ``--rate``
calls per second through signed webhooks, also spread over the processes.  For each call it
measures from the moment the caller's last menu key is posted (the call enters the queue) to the
moment its ``offer`` event arrives at a console (the carrier asks for the hold music at once, as
Twilio does, which routes too); the caller then hangs up, so every agent stays
free.  With ``--baseline COMMIT`` the same measurement runs first on that commit (a temporary git
worktree), then on this tree, against the same servers.  Prints p50 / p90 / p99 / max in ms.

    .venv/bin/python bench/queue_to_offer.py --processes 2 --backend postgres --agents 200 \\
        --rate 5 --calls 300 --baseline 2577276

Without Redis (SQLite) the bench cannot tell which console's offer belongs to which caller while
calls overlap, so calls are placed one after another there.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import secrets
import statistics
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
import socketio
from stack import PASSWORD, TOKEN, Processes, Servers, free_port, seed_with, source_tree
from twilio.request_validator import RequestValidator

logging.getLogger("socketio").setLevel(logging.CRITICAL)
logging.getLogger("engineio").setLevel(logging.CRITICAL)
OFFER_WAIT_SECONDS = 10.0
HEARTBEAT_SECONDS = 10.0


def action_of(doc: str, tag: str = "") -> str:
    return re.search(rf'{tag} action="([^"]+)"' if tag else r'action="([^"]+)"',
                     doc).group(1).replace("&amp;", "&")


class Consoles:
    """Signed-in Socket.IO clients; remembers when each call's first offer arrived."""

    def __init__(self, bases: list[str], agents: int) -> None:
        self.offers: dict[str, float] = {}
        self.not_queued: list[str] = []
        self.changed = threading.Condition()
        with ThreadPoolExecutor(max_workers=1) as pool:   # sign-in throttles parallel ones
            self.clients = list(pool.map(lambda i: self._sign_in(bases[i % len(bases)], i),
                                         range(agents)))
        self._closing = threading.Event()
        threading.Thread(target=self._heartbeats, daemon=True).start()

    def _sign_in(self, base: str, i: int):
        http = requests.Session()
        page = http.get(f"{base}/login?lang=en").text
        csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        http.post(f"{base}/login", data={"username": f"agent{i:03d}", "password": PASSWORD,
                                         "csrf_token": csrf}, allow_redirects=False)
        client = socketio.Client(http_session=http)
        client.on("offer", self._on_offer, namespace="/console")
        for attempt in range(3):         # a loaded machine may refuse one: as a browser, retry
            try:
                client.connect(base, namespaces=["/console"], transports=["websocket"],
                               headers={"User-Agent": http.headers["User-Agent"]})
                break
            except socketio.exceptions.ConnectionError:
                if attempt == 2:
                    raise
                time.sleep(1)
        client.call("set_state", {"state": "available"}, namespace="/console")
        return client

    def _heartbeats(self) -> None:
        """Every console says it is there every 10 s, as console.js does (spread over the 10 s)."""
        while not self._closing.is_set():
            for client in self.clients:
                if self._closing.wait(HEARTBEAT_SECONDS / len(self.clients)):
                    return
                if client.connected:
                    client.emit("heartbeat", {}, namespace="/console")

    def _on_offer(self, data) -> None:
        arrived = time.perf_counter()
        with self.changed:
            self.offers.setdefault(data["call_id"], arrived)
            self.changed.notify_all()

    def wait(self, test, timeout: float) -> bool:
        with self.changed:
            return self.changed.wait_for(test, timeout)

    def close(self) -> None:
        self._closing.set()
        for client in self.clients:
            client.disconnect()


class Caller:
    """One call's walk through the menu into the queue, then a hang-up."""

    def __init__(self, base: str, public: str, consoles: Consoles, redis) -> None:
        self.base, self.public, self.consoles, self.redis = base, public, consoles, redis
        self.validator = RequestValidator(TOKEN)

    def post(self, url: str, params: dict[str, str]) -> str:
        path = url.removeprefix(self.public)
        return requests.post(self.base + path, data=params, timeout=30, headers={
            "X-Twilio-Signature": self.validator.compute_signature(self.public + path, params)}).text

    def call(self) -> tuple[float | None, float]:
        """Milliseconds from the last menu key to the offer (None if none came), and until the
        carrier had the webhook's answer (the call in the queue)."""
        params = {"CallSid": "CA" + secrets.token_hex(16), "From": "+77011234567",
                  "To": "+77273555150", "CallStatus": "in-progress"}
        doc = self.post(f"{self.public}/ivr/voice", params)
        doc = self.post(action_of(doc), {**params, "Digits": "3"})
        menu = action_of(doc)
        before = set(self.consoles.offers)
        started = time.perf_counter()
        doc = self.post(menu, {**params, "Digits": "1"})          # enters the queue
        answered = (time.perf_counter() - started) * 1000
        if "<Enqueue" not in doc:       # counted as an offer missing; the first is shown
            self.consoles.not_queued.append(doc[:300])
            self.post(f"{self.public}/ivr/status", {**params, "CallStatus": "completed"})
            return None, answered
        queue_action = action_of(doc, "<Enqueue")
        wait_url = re.search(r'waitUrl="([^"]+)"', doc).group(1).replace("&amp;", "&")
        self.post(wait_url, {**params, "QueuePosition": "1", "QueueTime": "0"})   # as Twilio does
        if self.redis is not None:      # which register entry this caller is
            leg = re.search(r"leg=([^&]+)", queue_action).group(1)
            call_id = json.loads(self.redis.get(f"helpline:live:leg:{leg}"))["call_id"]
            found = self.consoles.wait(lambda: call_id in self.consoles.offers, OFFER_WAIT_SECONDS)
        else:                           # calls one at a time: the new offer is this call's
            found = self.consoles.wait(lambda: set(self.consoles.offers) - before, OFFER_WAIT_SECONDS)
            call_id = next(iter(set(self.consoles.offers) - before), "")
        self.post(queue_action, {**params, "QueueResult": "hangup"})
        self.post(f"{self.public}/ivr/status", {**params, "CallStatus": "completed"})
        return (self.consoles.offers[call_id] - started) * 1000 if found else None, answered


def measure(tree: Path, servers: Servers, args) -> tuple[list[float], list[float], int]:
    with tempfile.TemporaryDirectory() as folder:
        instance = Path(folder)
        settings = servers.fresh(instance)
        seed_with(tree, settings, args.agents, instance)
        ports = [free_port() for _ in range(args.processes)]
        public = f"http://127.0.0.1:{ports[0]}"
        processes = Processes(tree, instance, {**settings, "public_base_url": public})
        redis = None
        try:
            bases = processes.serve(ports, threads=args.agents // args.processes + 40)
            processes.scheduler()
            consoles = Consoles(bases, args.agents)
            if settings["redis_url"]:
                import redis as redis_client

                redis = redis_client.Redis.from_url(settings["redis_url"])
            callers = [Caller(bases[i % len(bases)], public, consoles, redis)
                       for i in range(len(bases))]
            results: list[tuple[float | None, float]] = []
            if redis is None:
                results = [callers[0].call() for _ in range(args.calls)]
            else:
                with ThreadPoolExecutor(max_workers=64) as pool:
                    started = time.perf_counter()
                    futures = []
                    for i in range(args.calls):
                        time.sleep(max(0.0, started + i / args.rate - time.perf_counter()))
                        futures.append(pool.submit(callers[i % len(callers)].call))
                    results = [future.result() for future in futures]
            consoles.close()
            if consoles.not_queued:
                print(f"{len(consoles.not_queued)} calls not queued; the first answer:\n"
                      f"{consoles.not_queued[0]}")
        finally:
            processes.stop()
            if redis is not None:
                redis.close()
    latencies = sorted(offer for offer, _answered in results if offer is not None)
    return latencies, sorted(answered for _offer, answered in results), len(results) - len(latencies)


def row(name: str, latencies: list[float], webhook: list[float], lost: int) -> str:
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    hook = statistics.quantiles(webhook, n=100, method="inclusive")
    return (f"{name:7} p50 {cuts[49]:6.1f} ms   p90 {cuts[89]:6.1f} ms   p99 {cuts[98]:6.1f} ms   "
            f"max {latencies[-1]:6.1f} ms   offers missing: {lost}   (the queueing webhook "
            f"itself: p50 {hook[49]:.1f} ms, p99 {hook[98]:.1f} ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--rate", type=float, default=5.0, help="calls per second (with Redis)")
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--baseline", default="", metavar="COMMIT",
                        help="also measure this commit first, in the same run")
    args = parser.parse_args()
    if args.processes > 1 and args.backend != "postgres":
        parser.error("several processes share live state through Redis: use --backend postgres")
    print(f"queue -> offer at a console, {args.agents} consoles over {args.processes} "
          f"`helpline serve` process(es) + `helpline scheduler`, {args.calls} calls"
          f"{f' at {args.rate:g}/s' if args.backend == 'postgres' else ' one at a time'}, "
          f"{'PostgreSQL + Redis' if args.backend == 'postgres' else 'SQLite'}, Socket.IO over "
          "WebSocket on loopback" + (f"; before = {args.baseline}" if args.baseline else ""),
          flush=True)
    with Servers(args.backend) as servers:
        for name, commit in (("before", args.baseline), ("after", "")):
            if name == "before" and not commit:
                continue
            with source_tree(commit) as tree:
                print(row(name, *measure(tree, servers, args)), flush=True)


if __name__ == "__main__":
    main()
