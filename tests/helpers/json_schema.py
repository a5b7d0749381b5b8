"""A JSON Schema check for the subset pydantic generates (type, enum, const, properties, required,
additionalProperties, items, prefixItems, min/maxItems, minimum/maximum, anyOf, oneOf, $ref to $defs). The
jsonschema package is not a dependency; this is enough to hold real output to the published schema."""

from __future__ import annotations

from typing import Any

_TYPES = {
    "object": dict,
    "array": list,
    "string": str,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
    "null": type(None),
}


def errors(instance: Any, schema: dict, root: dict | None = None, path: str = "$") -> list[str]:
    """Every way ``instance`` breaks ``schema``, as 'path: problem' strings (empty when it conforms)."""
    root = root if root is not None else schema
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/$defs/")
        return errors(instance, root["$defs"][name], root, path)
    if "anyOf" in schema:
        options = [errors(instance, option, root, path) for option in schema["anyOf"]]
        return [] if any(not o for o in options) else [f"{path}: matches none of anyOf ({options})"]
    if "oneOf" in schema:
        options = [errors(instance, option, root, path) for option in schema["oneOf"]]
        matched = sum(not o for o in options)
        return [] if matched == 1 else [f"{path}: matches {matched} of oneOf ({options})"]
    out: list[str] = []
    kind = schema.get("type")
    if kind is not None:
        expected = _TYPES[kind]
        is_bool = isinstance(instance, bool)
        if not isinstance(instance, expected) or (is_bool and kind in ("integer", "number")):
            return [f"{path}: {type(instance).__name__} is not {kind}"]
    if "enum" in schema and instance not in schema["enum"]:
        out.append(f"{path}: {instance!r} not in {schema['enum']}")
    if "const" in schema and instance != schema["const"]:
        out.append(f"{path}: {instance!r} is not {schema['const']!r}")
    if "minimum" in schema and instance < schema["minimum"]:
        out.append(f"{path}: {instance} < {schema['minimum']}")
    if "maximum" in schema and instance > schema["maximum"]:
        out.append(f"{path}: {instance} > {schema['maximum']}")
    if isinstance(instance, dict):
        props = schema.get("properties", {})
        out += [f"{path}: missing {name!r}" for name in schema.get("required", []) if name not in instance]
        for name, value in instance.items():
            if name in props:
                out += errors(value, props[name], root, f"{path}.{name}")
            elif schema.get("additionalProperties") is False:
                out.append(f"{path}: unexpected {name!r}")
            elif isinstance(schema.get("additionalProperties"), dict):
                out += errors(value, schema["additionalProperties"], root, f"{path}.{name}")
    if isinstance(instance, list):
        if "minItems" in schema and len(instance) < schema["minItems"]:
            out.append(f"{path}: fewer than {schema['minItems']} items")
        if "maxItems" in schema and len(instance) > schema["maxItems"]:
            out.append(f"{path}: more than {schema['maxItems']} items")
        prefix = schema.get("prefixItems", [])
        for i, value in enumerate(instance):
            item_schema = prefix[i] if i < len(prefix) else schema.get("items")
            if item_schema is not None:
                out += errors(value, item_schema, root, f"{path}[{i}]")
    return out
