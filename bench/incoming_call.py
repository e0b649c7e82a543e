"""The incoming-call webhook beside Twilio's own Flask IVR sample, on the same server, same run.

Three servers, each gunicorn's threaded worker (one process, as ``helpline serve`` runs it):

- Twilio's sample (``bench/twilio_sample``, its ``POST /ivr/welcome``: a Gather, no signature
  check, no database);
- ``helpline serve`` of the baseline commit (``--baseline``, unpacked with ``git archive``);
- ``helpline serve`` of this tree.

Both Senim instances are fresh SQLite files with the demo centres; their requests are signed and
each registers a call (signature check, centre lookup, register insert, live-call state, TwiML).
The requests go round-robin (sample, baseline, ours), one at a time over kept-alive connections,
so the three share the machine's load alike.  Prints p50 / p90 / p99 / max in ms and our p50 as
a multiple of the sample's.

    .venv/bin/python bench/incoming_call.py [--calls 1000] [--baseline 2577276]
"""

from __future__ import annotations

import argparse
import secrets
import sys
import tempfile
from pathlib import Path

from servers import HELPLINE, HERE, THIS_TREE, Carrier, Instance, figures, table, unpack_commit

GUNICORN = ["-k", "gthread", "-w", "1", "--threads", "64", "--keep-alive", "5", "--timeout", "30"]


def incoming(number: str) -> dict[str, str]:
    return {"CallSid": "CA" + secrets.token_hex(16), "AccountSid": "AC" + "0" * 32,
            "From": f"+7701{secrets.randbelow(10**7):07d}", "To": number,
            "CallStatus": "ringing", "Direction": "inbound", "ApiVersion": "2010-04-01"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--baseline", default="2577276", help="commit measured as 'before'")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        temp = Path(temp)
        sample = Instance(HERE, temp / "sample")
        sample.start(sys.executable, "-m", "gunicorn", *GUNICORN, "--bind", f"127.0.0.1:{sample.port}",
                     "twilio_sample.app:app", ready="/ivr/welcome")
        trees = {f"Senim before ({args.baseline})": unpack_commit(args.baseline, temp / "baseline"),
                 "Senim now (this tree)": THIS_TREE}
        servers = {"Twilio's Flask IVR sample": sample}
        for i, (name, tree) in enumerate(trees.items()):
            instance = Instance(tree, temp / f"instance{i}", LOG_LEVEL="WARNING").prepare()
            servers[name] = instance.start(HELPLINE, "serve", "--bind", f"127.0.0.1:{instance.port}")
        try:
            timings = measure(servers, args.calls)
        finally:
            for server in servers.values():
                server.stop()
    rows = {name: figures(values) for name, values in timings.items()}
    theirs = rows["Twilio's Flask IVR sample"]["p50"]
    ratios = {name: f"p50 {row['p50'] / theirs:.2f}x the sample's" for name, row in rows.items()}
    print(f"POST of an incoming call, {args.calls} requests each, round-robin, gunicorn gthread "
          "(1 process), SQLite file")
    print(table(rows, ratios))


def measure(servers: dict[str, Instance], calls: int) -> dict[str, list[float]]:
    carriers = {name: Carrier(server.base_url, signed=server.tree != HERE)
                for name, server in servers.items()}
    timings: dict[str, list[float]] = {name: [] for name in servers}
    for i in range(calls + 50):            # the first 50 warm caches and are not counted
        for name, carrier in carriers.items():
            if carrier.validator is None:
                status, body, ms = carrier.post("/ivr/welcome", incoming("+15005550006"))
            else:
                status, body, ms = carrier.post("/ivr/voice", incoming("+77273555150"))
            assert status == 200 and "<Gather" in body, (name, status, body[:300])
            if i >= 50:
                timings[name].append(ms)
    return timings


if __name__ == "__main__":
    main()
