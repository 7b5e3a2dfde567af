"""The API reference page (``/docs``) built from the app's own OpenAPI document.

Plain server-rendered HTML: it needs no script, no CDN and no internet, passes the same strict
Content-Security-Policy as every page, and cannot disagree with ``/openapi.json`` because it is
read from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

METHOD_ORDER = ("get", "head", "post", "put", "patch", "delete")


@dataclass
class Field:
    name: str
    type: str
    required: bool
    description: str
    where: str = ""  # "query", "path", "header" for parameters; "" for model fields


@dataclass
class Reply:
    status: str
    description: str
    media_types: list[str]
    type: str


@dataclass
class Operation:
    method: str
    path: str
    summary: str
    description: str
    parameters: list[Field]
    body: str | None
    replies: list[Reply]

    @property
    def anchor(self) -> str:
        return "op-" + "".join(c if c.isalnum() else "-" for c in f"{self.method}-{self.path}").strip("-")


@dataclass
class Model:
    name: str
    description: str
    fields: list[Field] = field(default_factory=list)


@dataclass
class Reference:
    title: str
    description: str
    groups: list[tuple[str, list[Operation]]]
    models: list[Model]


def type_of(schema: dict[str, Any]) -> str:
    """A short readable type: ``string``, ``list of PassageOut``, ``string or null``."""
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return " or ".join(type_of(s) for s in schema[key])
    kind = schema.get("type", "any")
    if kind == "array":
        return f"list of {type_of(schema.get('items', {}))}"
    if "enum" in schema:
        return " | ".join(repr(v) for v in schema["enum"])
    if "const" in schema:
        return repr(schema["const"])
    return str(kind)


def _constraints(schema: dict[str, Any]) -> str:
    parts = [f"{key} {schema[key]}" for key in ("minLength", "maxLength", "minimum", "maximum") if key in schema]
    if "default" in schema:
        parts.append(f"default {schema['default']}")
    return f" ({', '.join(parts)})" if parts else ""


def build_reference(openapi: dict[str, Any]) -> Reference:
    groups: dict[str, list[Operation]] = {}
    for path, item in openapi.get("paths", {}).items():
        for method in METHOD_ORDER:
            op = item.get(method)
            if op is None:
                continue
            parameters = [
                Field(p["name"], type_of(p.get("schema", {})) + _constraints(p.get("schema", {})),
                      bool(p.get("required")), p.get("description", ""), p.get("in", ""))
                for p in op.get("parameters", [])
            ]
            body = None
            if "requestBody" in op:
                content = op["requestBody"].get("content", {})
                body = ", ".join(f"{media}: {type_of(c.get('schema', {}))}" for media, c in content.items())
            replies = [
                Reply(status, r.get("description", ""), list(r.get("content", {})),
                      ", ".join(type_of(c.get("schema", {})) for c in r.get("content", {}).values()))
                for status, r in sorted(op.get("responses", {}).items())
            ]
            tag = (op.get("tags") or ["other"])[0]
            groups.setdefault(tag, []).append(Operation(method.upper(), path, op.get("summary", ""),
                                                        op.get("description", ""), parameters, body, replies))
    models = []
    for name, schema in sorted(openapi.get("components", {}).get("schemas", {}).items()):
        required = set(schema.get("required", []))
        fields = [Field(f, type_of(s) + _constraints(s), f in required, s.get("description", ""))
                  for f, s in schema.get("properties", {}).items()]
        models.append(Model(name, schema.get("description", ""), fields))
    info = openapi.get("info", {})
    return Reference(info.get("title", ""), info.get("description", ""), list(groups.items()), models)
