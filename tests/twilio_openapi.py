"""Twilio's published OpenAPI description (twilio-oai, vendored in ``tests/twilio_oai/``, MIT) as
a request matcher: which operation a request is, and what is wrong with it.

    spec = TwilioSpec.load()
    match = spec.match("POST", "/2010-04-01/Accounts/AC.../Calls/CA....json")
    match.operation.operation_id                     # "UpdateCall"
    match.problems(query={}, form={"Url": [...]})    # [] when the request fits the operation

A request fits when its path matches a template of the spec's ``paths`` and the method is one of
that path's operations; its path parameters, query parameters (GET) and form parameters (the
operation's ``application/x-www-form-urlencoded`` request body) all validate against their
schemas (type, pattern, length, enum, range, date-time); no unknown parameter is sent; every
required one is.  ``render`` shapes a response object after the operation's response schema.
"""

from __future__ import annotations

import functools
import gzip
import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

SPEC_DIR = Path(__file__).with_name("twilio_oai")
SPEC_FILES = ("twilio_api_v2010.json.gz", "twilio_monitor_v1.json.gz")
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$")


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    template: str
    document: dict
    spec: dict

    def parameters(self, where: str) -> dict[str, dict]:
        return {p["name"]: p for p in self.spec.get("parameters", []) if p["in"] == where}

    def form_schema(self) -> dict | None:
        content = (self.spec.get("requestBody") or {}).get("content") or {}
        schema = (content.get("application/x-www-form-urlencoded") or {}).get("schema")
        return self.resolve(schema) if schema else None

    def success(self) -> tuple[int, dict | None]:
        """The operation's success status and its JSON schema (None: no body, e.g. 204)."""
        for status, response in sorted(self.spec["responses"].items()):
            if status.startswith("2"):
                content = (response.get("content") or {}).get("application/json")
                return int(status), self.resolve(content["schema"]) if content else None
        raise AssertionError(f"{self.operation_id}: no success response in the spec")

    def resolve(self, schema: dict) -> dict:
        while "$ref" in schema:
            node = self.document
            for part in schema["$ref"].removeprefix("#/").split("/"):
                node = node[part]
            schema = node
        return schema

    def render(self, schema: dict, values: dict) -> dict:
        """An object with every property the schema names: the given value, or null."""
        schema = self.resolve(schema)
        out = {}
        for name, prop in schema.get("properties", {}).items():
            value = values.get(name)
            prop = self.resolve(prop)
            if isinstance(value, dict) and prop.get("type") == "object" and prop.get("properties"):
                value = self.render(prop, value)
            out[name] = value
        unknown = set(values) - set(out)
        assert not unknown, f"{self.operation_id}: the spec's response has no {sorted(unknown)}"
        return out


@dataclass(frozen=True)
class Match:
    operation: Operation
    path_values: dict[str, str]

    def problems(self, query: dict[str, list[str]], form: dict[str, list[str]]) -> list[str]:
        op = self.operation
        found = [f"path {name}: {problem}" for name, value in self.path_values.items()
                 for problem in _check(op, op.parameters("path")[name]["schema"], [value])]
        found += _check_params(op, op.parameters("query"), query, "query")
        schema = op.form_schema()
        if schema is None:
            if form:
                found.append(f"a form body, where the operation takes none: {sorted(form)}")
        else:
            fields = {name: {"schema": prop, "required": name in schema.get("required", [])}
                      for name, prop in schema.get("properties", {}).items()}
            found += _check_params(op, fields, form, "form")
        return found


class TwilioSpec:
    """Every operation of the vendored specs, matched by method and path."""

    def __init__(self, documents: list[dict]) -> None:
        routes = []
        for document in documents:
            for template, item in document["paths"].items():
                pattern = re.escape(template)
                pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", pattern)
                for method in ("get", "post", "delete"):
                    if method in item:
                        operation = Operation(item[method]["operationId"], method.upper(), template,
                                              document, item[method])
                        routes.append((template.count("{"), re.compile(f"^{pattern}$"), operation))
        routes.sort(key=lambda route: route[0])     # literal segments before parameters
        self._routes = routes

    @classmethod
    @functools.cache
    def load(cls) -> TwilioSpec:
        return cls([json.loads(gzip.decompress((SPEC_DIR / name).read_bytes()))
                    for name in SPEC_FILES])

    def match(self, method: str, path: str) -> Match | None:
        for _count, pattern, operation in self._routes:
            found = pattern.match(path)
            if found and operation.method == method:
                return Match(operation, found.groupdict())
        return None

    def operation(self, operation_id: str) -> Operation:
        return next(op for _c, _p, op in self._routes if op.operation_id == operation_id)


def _check_params(op: Operation, declared: dict[str, dict], sent: dict[str, list[str]],
                  where: str) -> list[str]:
    found = [f"{where} {name}: not in the spec" for name in sent if name not in declared]
    for name, parameter in declared.items():
        if name not in sent:
            if parameter.get("required"):
                found.append(f"{where} {name}: required, missing")
            continue
        found += [f"{where} {name}: {problem}" for problem in _check(op, parameter["schema"], sent[name])]
    return found


def _check(op: Operation, schema: dict, values: list[str]) -> list[str]:
    schema = op.resolve(schema)
    if schema.get("type") == "array":
        return [p for value in values for p in _check(op, schema.get("items", {}), [value])]
    if len(values) != 1:
        return [f"sent {len(values)} times"]
    value = values[0]
    kind = schema.get("type", "string")
    if kind == "integer":
        try:
            number = int(value)
        except ValueError:
            return [f"{value!r} is not an integer"]
        if number < schema.get("minimum", number) or number > schema.get("maximum", number):
            return [f"{number} is out of range"]
        return []
    if kind == "boolean":
        return [] if value.lower() in {"true", "false"} else [f"{value!r} is not a boolean"]
    problems = []
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{value!r} is not one of {schema['enum']}")
    if "pattern" in schema and not re.search(schema["pattern"], value):
        problems.append(f"does not match {schema['pattern']}")
    if not schema.get("minLength", 0) <= len(value) <= schema.get("maxLength", len(value)):
        problems.append("has the wrong length")
    if schema.get("format") == "date-time" and not _DATE_TIME.match(value):
        problems.append(f"{value!r} is not a date-time")
    if schema.get("format") == "uri" and not re.match(r"^https?://[^\s/]+", value):
        problems.append(f"{value!r} is not an absolute URL")
    return problems


def parse_date_time(value: str) -> datetime:
    """A date-time query value as Twilio's client sends it (``2026-03-02T10:00:00Z``)."""
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
