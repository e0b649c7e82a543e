"""Generated garbage at every route of the URL map (so routes added later are fuzzed too) and at
every Socket.IO event: never a 500, never an exception reaching Flask, the carrier's webhooks
always answer TwiML, and a socket event always gets an answer (or a refusal in words)."""

from __future__ import annotations

import inspect
import logging
import re
from pathlib import Path
from urllib.parse import urlencode

import pytest
from flask import got_request_exception
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from werkzeug.routing import AnyConverter, IntegerConverter

from helpline.extensions import db, socketio
from helpline.models import Call
from tests.conftest import ALMATY, TwilioDouble, csrf_from

ROOT = Path(__file__).resolve().parents[2]
ROLES = ("psychologist", "supervisor", "administrator")
#: Requests that sign the client out: it is signed in again after them.
SIGNS_OUT = {"auth.logout"}
EVIL = '=2+5+cmd|" /c calc"!a1'
WEIRD = [
    "", " ", "0", "-1", "1", "2", "x", "0001-01-01", "9999-12-31", "2026-03-01", "2026-13-45",
    "2026-03", "0001-01", "9999-12", "2026-03-01T10:00", "9999-12-31T23:59", "0001-01-01T00:00",
    "25:61", "08:00", "99999999999999999999999", "1e309", "NaN", "²", "٣", "\x00", "<b>x</b>", EVIL,
    "true", "null", "available", "break", "en", "ru", "kk", "week", "month", "csv", "pdf", "2x12",
    "line", "supervisor", "leave", "email", "high", "immediate", "closed", "../../etc/passwd",
    "a" * 3000,
]
TWILIO_FIELDS = ["CallSid", "From", "To", "Called", "Digits", "CallStatus", "QueueResult",
                 "QueueTime", "StatusCallbackEvent", "join", "ConferenceSid", "QueuePosition"]
IVR_ARGS = ["leg", "attempt", "lang", "type", "urgent"]
#: Numbers no row's id can be (past any column, negative): sent in every id-like field.
NO_ROW = [10**30, -1, 2**63]
#: JSON bodies that are not objects: each route taking a body gets one of them.
NOT_OBJECTS = [[1], "x", 7]
#: Plausible values for the other fields, so a route reaches the id it is sent.
PLAUSIBLE = {"day": "2026-03-02", "from": "08:00", "to": "20:00", "first": "2026-03-02",
             "last": "2026-03-03", "received": "2026-03-01T10:00", "channel": "email",
             "kind": "leave", "pattern": "2x12", "start_hour": "8", "duration": "24h",
             "reason": "prank", "body": "police"}
FUZZ = settings(max_examples=4, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))


def field_names() -> list[str]:
    """Every form and query field the code reads (``request.form.get("day")``, WTForms fields)."""
    names: set[str] = set()
    for folder in ("agent_console", "scheduling", "helpline", "ivr", "templates"):
        for path in (ROOT / folder).rglob("*.*"):
            if path.suffix not in (".py", ".html"):
                continue
            text = path.read_text(encoding="utf-8")
            names.update(re.findall(r'(?:form|args|values)(?:\.get|\.getlist)?\(\s*"(\w+)"', text))
            names.update(re.findall(r'\bname="(\w+)"', text))
            names.update(re.findall(r"^\s+(\w+) = \w+Field\(", text, re.M))
    return sorted(names - {"csrf_token"})


NAMES = field_names()
texts = st.one_of(st.sampled_from(WEIRD), st.text(max_size=12),
                  st.integers(-2**70, 2**70).map(str))
keys = st.one_of(st.sampled_from(NAMES), st.text(min_size=1, max_size=8))
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=False) | texts,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=8)


def route_names(app, rule) -> list[str]:
    """The names the route's own view mentions (its form and query fields), tried first."""
    source = inspect.getsource(inspect.unwrap(app.view_functions[rule.endpoint]))
    return sorted({*re.findall(r'"(\w+)"', source)} & set(NAMES)) or NAMES


def id_fields(app, rule) -> list[str]:
    """The id-like fields the route's own view reads (a row chosen in a list)."""
    names = route_names(app, rule)
    return [] if names is NAMES else [n for n in names if n.endswith("_id") or n in ("centre", "people")]


def route_fields(app, rule) -> st.SearchStrategy:
    own = st.one_of(st.sampled_from(route_names(app, rule)), keys)
    return st.dictionaries(own, st.one_of(texts, st.lists(texts, max_size=3)), max_size=6)


def path_values(rule, call_id: str) -> st.SearchStrategy:
    """Values for a rule's URL variables; ids never reach the fuzzing accounts' own (1 to 3),
    so an administrator's request never switches off the account another role is using. Text
    variables are sometimes ``call_id``, a call of the supervisors' centre, so a route reaches
    what it reads after finding the call."""
    parts = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, AnyConverter):
            parts[name] = st.sampled_from(sorted(converter.items))
        elif isinstance(converter, IntegerConverter):
            parts[name] = st.one_of(st.integers(4, 40), st.sampled_from([2**31, 2**63 - 1, 10**30]))
        else:
            parts[name] = st.one_of(st.just(call_id), st.sampled_from(WEIRD[:20]),
                                    st.text(st.characters(codec="utf-8", exclude_characters="/"),
                                            min_size=1, max_size=12))
    return st.fixed_dictionaries(parts)


def routes(app, prefix: str | None = None):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        if (prefix is None and rule.rule.startswith("/ivr/")) or (
                prefix is not None and not rule.rule.startswith(prefix)):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


@pytest.fixture
def failures(app):
    """Exceptions that reached Flask's handler, and errors logged (a handler that caught its own
    failure still logs it): both are failures here."""
    found: list[str] = []

    def record(sender, exception, **extra):
        found.append(repr(exception))

    class Errors(logging.Handler):
        def emit(self, record):
            found.append(record.getMessage())

    handler = Errors(logging.ERROR)
    got_request_exception.connect(record, app)
    logging.getLogger().addHandler(handler)
    yield found
    logging.getLogger().removeHandler(handler)
    got_request_exception.disconnect(record, app)


def _anonymous(app):
    client = app.test_client()
    return client, {"X-CSRFToken": csrf_from(client.get("/login").get_data(as_text=True))}


def _send(app, sessions, signed_in, failures, request, role):
    """One request as ``role``: never a 500, never an exception or an error logged."""
    rule, method, values, query, extra = request
    client, headers = sessions[role]
    path = rule.build(values, append_unknown=False)[1] + "?" + urlencode(query, doseq=True)
    response = client.open(path, method=method, headers=headers, **extra)
    assert response.status_code < 500, (method, path, role, extra, response.status_code)
    assert not failures, (method, path, role, extra, failures)
    if rule.endpoint in SIGNS_OUT:
        sessions[role] = _anonymous(app) if role is None else signed_in(role, fresh=True)


def _fuzz_route(app, sessions, signed_in, failures, rule, method, role, call_id):
    own = route_fields(app, rule)

    @FUZZ
    @given(values=path_values(rule, call_id), query=own, body=st.one_of(
        st.tuples(st.just("form"), own), st.tuples(st.just("json"), json_values),
        st.tuples(st.just("none"), st.none())))
    def check(values, query, body):
        kind, content = body
        extra = {"data": content} if kind == "form" else {"json": content} if kind == "json" else {}
        _send(app, sessions, signed_in, failures, (rule, method, values, query, extra), role)
    check()


def _known_cases(app, rule, method, turn: int, call_id: str):
    """Requests every route gets, whatever was generated: each id-like field it reads holding a
    number no row can have (in the query and in a plausible form), and a JSON body that is not
    an object (a different one each ``turn``). URL ids stay past the fuzzing accounts' own."""
    values = {name: 4 if isinstance(converter, IntegerConverter) else call_id
              for name, converter in rule._converters.items()
              if not isinstance(converter, AnyConverter)}
    values |= {name: sorted(converter.items)[0] for name, converter in rule._converters.items()
               if isinstance(converter, AnyConverter)}
    for name in id_fields(app, rule):
        for number in map(str, NO_ROW):
            yield rule, method, values, {name: number}, {"data": {**PLAUSIBLE, name: number}}
    if method != "GET":
        yield rule, method, values, {}, {"json": NOT_OBJECTS[turn % len(NOT_OBJECTS)]}


@pytest.fixture
def call_id(app, phone) -> str:
    """A call to the Almaty centre (the supervisor's), ended: blocks and records can find it."""
    call = phone(ALMATY)
    call.dial()
    call.completed()
    with app.app_context():
        return db.session.scalar(select(Call.id))


def test_no_route_answers_500_to_anyone(app, signed_in, failures, call_id):
    sessions = {None: _anonymous(app), **{role: signed_in(role) for role in ROLES}}
    for turn, (rule, method) in enumerate(routes(app)):
        for index, role in enumerate(list(sessions)):
            _fuzz_route(app, sessions, signed_in, failures, rule, method, role, call_id)
            for request in _known_cases(app, rule, method, turn + index, call_id):
                _send(app, sessions, signed_in, failures, request, role)


def _fuzz_webhook(client, twilio, failures, rule, method):
    @FUZZ
    @given(form=st.dictionaries(st.one_of(st.sampled_from(TWILIO_FIELDS), keys), texts, max_size=8),
           args=st.dictionaries(st.one_of(st.sampled_from(IVR_ARGS), keys), texts, max_size=4))
    def check(form, args):
        url = rule.rule + ("?" + urlencode(args) if args else "")
        if method == "GET":
            signature = twilio.validator.compute_signature(twilio.base_url + url, {})
            response = client.get(url, headers={"X-Twilio-Signature": signature})
        else:
            response = twilio.post(url, form)
        assert response.status_code == 200, (url, form, response.status_code)
        assert response.mimetype == "application/xml" and b"<Response" in response.data
        assert not failures, (url, form, failures)
    check()


def test_the_carriers_webhooks_answer_twiml_to_signed_garbage(app, client, failures):
    twilio = TwilioDouble(client)
    for rule, method in routes(app, "/ivr/"):
        if "<" not in rule.rule:            # recorded prompts are files, fuzzed with the others
            _fuzz_webhook(client, twilio, failures, rule, method)


def socket_events():
    """(namespace, event, the names its handler mentions) for every handler registered."""
    handlers = {h.namespace: h for h in socketio.namespace_handlers}
    handlers.update(socketio.server.namespace_handlers)
    for namespace, handler in handlers.items():
        for name, method in inspect.getmembers(type(handler), inspect.isfunction):
            if name.startswith("on_") and name not in ("on_connect", "on_disconnect"):
                yield namespace, name[3:], re.findall(r'"(\w+)"', inspect.getsource(method))
    for namespace, functions in socketio.server.handlers.items():    # @socketio.on(...) handlers
        for event, function in functions.items():
            if event not in ("connect", "disconnect"):
                yield namespace, event, re.findall(r'"(\w+)"', inspect.getsource(function))


def _fuzz_event(sio, failures, namespace, event, names):
    named = st.dictionaries(st.sampled_from([*names, "x"]), json_values, max_size=4)
    for number in NO_ROW:           # every name the handler reads, holding a number no row has
        _answered(sio, failures, namespace, event, dict.fromkeys(names, number))

    @FUZZ
    @given(data=st.one_of(st.none(), json_values, named))
    def check(data):
        _answered(sio, failures, namespace, event, data)
    check()


def _answered(sio, failures, namespace, event, data):
    """The event gets an answer: done, or refused in words; nothing logged as an error."""
    args = () if data is None else (data,)
    reply = sio.emit(event, *args, namespace=namespace, callback=True)
    assert isinstance(reply, dict) and isinstance(reply.get("ok"), bool), (event, data, reply)
    assert reply["ok"] or (isinstance(reply.get("error"), str) and reply["error"])
    assert not failures, (event, data, failures)


def test_every_socket_event_answers_generated_payloads(app, signed_in, failures):
    events = list(socket_events())
    assert {"set_state", "accept", "hang_up"} <= {event for _, event, _ in events}
    for role in ROLES:
        client, _ = signed_in(role)
        for namespace, event, names in events:
            sio = socketio.test_client(app, namespace=namespace, flask_test_client=client)
            assert sio.is_connected(namespace)
            _fuzz_event(sio, failures, namespace, event, names)
            sio.disconnect(namespace=namespace)
