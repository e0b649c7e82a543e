"""The simulated carrier's small parts: its fault switches, a leg's event list, and the signal
that a leg's call has ended while a verb ran."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class CarrierFaults:
    """Failures the simulated carrier can be told to have (the /simulator page's switches)."""

    #: The REST API fails: redirect and end_call raise CarrierError, call_status is UNREACHABLE.
    rest_fails: bool = False
    #: Calls that end do not POST /ivr/status (a lost status callback).
    no_status_callback: bool = False
    #: Only these REST actions fail (named as the control names them, e.g. "take the colleague
    #: off the call"): one step of a warm transfer failing while the others work.
    failing: set[str] = field(default_factory=set)

    def as_dict(self) -> dict[str, bool]:
        return {"rest_fails": self.rest_fails, "no_status_callback": self.no_status_callback}


@dataclass
class CallEvent:
    at: float
    kind: str
    text: str = ""
    detail: dict[str, object] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {"at": round(self.at, 2), "kind": self.kind, "text": self.text, **self.detail}


class Ended(Exception):
    """The call ended (caller or IVR hung up) while a verb was running."""

