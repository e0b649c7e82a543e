"""``helpline run`` (the ``make run`` server) under 50 new calls a second: each request's latency.

For the baseline commit (``--baseline``, unpacked with ``git archive``) and then this tree, on a
fresh instance each (migrated, demo data, the scheduler running as in ``make run``, its log at
the default level), ``helpline run`` is started as a subprocess on a free port and driven for
``--seconds`` by ``--rate`` new calls a second, each walking the IVR through signed webhooks as
Twilio would: the incoming call, the language (Russian), the caller type (a child), the queue,
``--loops`` hold loops a second apart, then the caller hangs up (the queue's action, then the
status callback).  Every request is timed from sending to its last byte; prints p50 / p90 / p99
/ max of both runs side by side, with the rate actually reached and the requests that failed.

    .venv/bin/python bench/run_load.py [--rate 50] [--seconds 20] [--baseline 2577276]
"""

from __future__ import annotations

import argparse
import heapq
import itertools
import secrets
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from servers import HELPLINE, THIS_TREE, Carrier, Instance, figures, table, unpack_commit

#: Seconds between a caller's steps: the menus are answered quickly, then the hold loops.
THINK = {"language": 0.8, "caller_type": 0.8, "wait": 0.5, "loop": 1.0, "hang_up": 0.3}


@dataclass(order=True)
class Walk:
    """One caller's way through the IVR; ``due`` orders the work queue."""

    due: float
    seq: int
    params: dict = field(compare=False)
    step: str = field(default="voice", compare=False)
    url: str = field(default="/ivr/voice", compare=False)
    result_url: str = field(default="", compare=False)
    loops_left: int = field(default=0, compare=False)


class Load:
    """Worker threads taking due steps from one queue; each posts and schedules the next."""

    def __init__(self, base_url: str, loops: int) -> None:
        self.base_url = base_url
        self.loops = loops
        self.queue: list[Walk] = []
        self.ready = threading.Condition()
        self.timings: list[float] = []
        self.failures: list[str] = []
        self.done = False
        self.local = threading.local()

    def add(self, walk: Walk) -> None:
        with self.ready:
            heapq.heappush(self.queue, walk)
            self.ready.notify()

    def worker(self) -> None:
        self.local.carrier = Carrier(self.base_url)
        while True:
            with self.ready:
                while not self.queue or self.queue[0].due > time.monotonic():
                    if self.done and not self.queue:
                        return
                    wait = self.queue[0].due - time.monotonic() if self.queue else 0.05
                    self.ready.wait(max(0.0005, min(wait, 0.05)))
                walk = heapq.heappop(self.queue)
            self.take(walk)

    def take(self, walk: Walk) -> None:
        params = dict(walk.params, **step_params(walk.step))
        try:
            status, body, ms = self.local.carrier.post(walk.url, params)
        except OSError as exc:
            self.failures.append(f"{walk.step}: {exc!r}")
            return
        self.timings.append(ms)
        try:
            assert status == 200
            following = next_step(walk, ET.fromstring(body), self.loops)  # noqa: S314 - our TwiML
        except (AssertionError, AttributeError, ET.ParseError):
            self.failures.append(f"{walk.step}: {status} {body[:300]}")
            return
        if following is not None:
            self.add(following)


def step_params(step: str) -> dict[str, str]:
    return {"voice": {"CallStatus": "ringing"}, "language": {"Digits": "2"},
            "caller_type": {"Digits": "1"}, "wait": {"QueueTime": "1", "CurrentQueueSize": "1"},
            "result": {"QueueResult": "hangup", "QueueTime": "3"},
            "status": {"CallStatus": "completed", "CallDuration": "5"}}[step]


def next_step(walk: Walk, doc: ET.Element, loops: int) -> Walk | None:
    now = time.monotonic()

    def then(step: str, url: str, after: float, **changes) -> Walk:
        return Walk(now + after, walk.seq, walk.params, step, url,
                    changes.get("result_url", walk.result_url),
                    changes.get("loops_left", walk.loops_left))

    if walk.step == "voice":
        return then("language", doc.find("Gather").get("action"), THINK["language"])
    if walk.step == "language":
        return then("caller_type", doc.find("Gather").get("action"), THINK["caller_type"])
    if walk.step == "caller_type":
        enqueue = doc.find("Enqueue")
        return then("wait", enqueue.get("waitUrl"), THINK["wait"], result_url=enqueue.get("action"),
                    loops_left=loops)
    if walk.step == "wait" and walk.loops_left > 1:
        return then("wait", walk.url, THINK["loop"], loops_left=walk.loops_left - 1)
    if walk.step == "wait":
        return then("result", walk.result_url, THINK["hang_up"])
    if walk.step == "result":
        return then("status", "/ivr/status", 0.05)
    return None


def drive(instance: Instance, rate: float, seconds: float, loops: int, threads: int) -> dict:
    load = Load(instance.base_url, loops)
    workers = [threading.Thread(target=load.worker, daemon=True) for _ in range(threads)]
    for worker in workers:
        worker.start()
    started = time.monotonic()
    calls = int(rate * seconds)
    for seq in itertools.count():
        if seq >= calls:
            break
        due = started + seq / rate
        time.sleep(max(0.0, due - time.monotonic()))
        load.add(Walk(due, seq, {"CallSid": "CA" + secrets.token_hex(16), "AccountSid": "AC" + "0" * 32,
                                 "From": f"+7701{secrets.randbelow(10**7):07d}", "To": "+77172555150",
                                 "Direction": "inbound", "ApiVersion": "2010-04-01"}))
    with load.ready:
        load.done = True
        load.ready.notify_all()
    for worker in workers:
        worker.join(timeout=120)
    elapsed = time.monotonic() - started
    return {"figures": figures(load.timings), "requests": len(load.timings),
            "rate": f"{calls / seconds:.0f} calls/s, {len(load.timings) / elapsed:.0f} req/s, "
                    f"{len(load.failures)} failed", "failures": load.failures[:5]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--loops", type=int, default=1, help="hold loops per caller")
    parser.add_argument("--threads", type=int, default=64, help="the carrier's concurrent requests")
    parser.add_argument("--baseline", default="2577276", help="commit measured as 'before'")
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as temp:
        temp = Path(temp)
        trees = {f"helpline run before ({args.baseline})": unpack_commit(args.baseline, temp / "base"),
                 "helpline run now (this tree)": THIS_TREE}
        for i, (name, tree) in enumerate(trees.items()):
            instance = Instance(tree, temp / f"instance{i}").prepare()
            instance.start(HELPLINE, "run", "--port", str(instance.port), ready="/healthz")
            try:
                results[name] = drive(instance, args.rate, args.seconds, args.loops, args.threads)
            finally:
                instance.stop()
            lines = len(instance.log.read_text(errors="replace").splitlines())
            results[name]["rate"] += f", {lines} log lines"
    print(f"helpline run, {args.rate:g} new calls/s for {args.seconds:g} s, whole IVR walk "
          f"({args.loops} hold loop{'s' if args.loops != 1 else ''}), SQLite, simulated carrier")
    print(table({name: r["figures"] for name, r in results.items()},
                {name: r["rate"] for name, r in results.items()}))
    for name, result in results.items():
        for failure in result["failures"]:
            print(f"  {name}: {failure}")


if __name__ == "__main__":
    main()
