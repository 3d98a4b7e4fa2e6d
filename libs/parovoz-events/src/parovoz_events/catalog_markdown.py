"""The human-readable side of the catalogue: ``docs/events/README.md``."""

from __future__ import annotations

import inspect
import json
from typing import Any

from parovoz_events.base import PARTIES, EventData

HEADER = """\
# Event catalogue

Generated from the pydantic models in `libs/parovoz-events` by `make events-catalog`
(`uv run --no-sync python -m parovoz_events.catalog`); do not edit by hand. `--check` fails when
this folder is stale. Machine-readable: [`catalog.json`](catalog.json) and one JSON Schema
(2020-12) per type under [`schemas/`](schemas/).

Conventions: CloudEvents 1.0 in Kafka binary content mode (`ce_*` headers, JSON `data` as the
value); the message key and the `partitionkey` extension are the value of the key field, so one
aggregate's events stay ordered. Consumer groups are `<consumer>.<topic>`, each with a
`<group>.dlq`. In `data`: ids are UUID strings; instants are RFC 3339 in UTC; money is
`{"amount_minor": <integer minor units>, "currency": "RUB"|"KZT"|"BYN"|"UAH"|"USD"|"EUR"}`,
never a float; enumerations are lower-case strings (`cancelled` with two l's); unknown fields
are refused; optional values are present as `null`.
"""


def render_readme(types: list[type[EventData]]) -> str:
    parts = [HEADER, _summary_table(types), _parties_table(), _shared_types(types), "## Events\n"]
    parts += [_event_section(cls) for cls in types]
    return "\n".join(parts)


def _summary_table(types: list[type[EventData]]) -> str:
    lines = [
        "| type | producer | consumers | key | topic | schema |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for cls in types:
        lines.append(
            f"| [`{cls.event_type}`](#{_anchor(cls.event_type)}) | {cls.producer} | "
            f"{', '.join(cls.consumers)} | `{cls.key_field}` | `{cls.topic}` | "
            f"[schema](schemas/{cls.event_type}.json) |"
        )
    return "\n".join(lines) + "\n"


def _parties_table() -> str:
    lines = ["## Producers and consumers\n", "| name | who |", "| --- | --- |"]
    lines += [f"| {name} | {who} |" for name, who in PARTIES.items()]
    return "\n".join(lines) + "\n"


def _shared_types(types: list[type[EventData]]) -> str:
    """The nested structures (Money, RegionalPrice) the event tables refer to by name."""
    definitions: dict[str, dict[str, Any]] = {}
    for cls in types:
        definitions.update(cls.model_json_schema().get("$defs", {}))
    lines = ["## Shared types\n"]
    for name in sorted(definitions):
        definition = definitions[name]
        lines += [f"### {name}\n", " ".join(definition.get("description", "").split()) + "\n"]
        lines += [*_field_rows(definition), ""]
    return "\n".join(lines)


def _field_rows(schema: dict[str, Any]) -> list[str]:
    required = set(schema.get("required", ()))
    rows = ["| field | type | description |", "| --- | --- | --- |"]
    for name, prop in schema["properties"].items():
        optional = "" if name in required else " (optional)"
        rows.append(f"| `{name}` | {_type_of(prop)}{optional} | {_cell(prop)} |")
    return rows


def _event_section(cls: type[EventData]) -> str:
    lines = [
        f"### `{cls.event_type}`\n",
        description_of(cls) + "\n",
        f"Producer **{cls.producer}** → consumers **{', '.join(cls.consumers)}**; "
        f"topic `{cls.topic}`; key `{cls.key_field}`.\n",
        *_field_rows(cls.model_json_schema()),
    ]
    example = json.dumps(cls.example_data, indent=2, ensure_ascii=False)
    lines += ["", "Example `data`:", "", "```json", example, "```", ""]
    return "\n".join(lines)


def description_of(cls: type[EventData]) -> str:
    """The model's docstring, each paragraph on one line."""
    paragraphs = inspect.cleandoc(cls.__doc__ or "").split("\n\n")
    return "\n\n".join(" ".join(paragraph.split()) for paragraph in paragraphs)


def _type_of(prop: dict[str, Any]) -> str:
    """A short rendering of a JSON Schema type: `uuid`, `Money \\| null`, `"a" \\| "b"`."""
    if "anyOf" in prop:
        return " \\| ".join(_type_of(option) for option in prop["anyOf"])
    if "$ref" in prop:
        return str(prop["$ref"]).rsplit("/", 1)[-1] + _amount_bound(prop)
    if "enum" in prop:
        return " \\| ".join(f"`{value}`" for value in prop["enum"])
    if "const" in prop:
        return f"`{prop['const']}`"
    kind = prop.get("type", "any")
    if kind == "array":
        return f"array of {_type_of(prop.get('items', {}))}"
    if kind == "object":
        return "object (string → string)" if "additionalProperties" in prop else "object"
    if "pattern" in prop:
        return f"{kind} `{prop['pattern']}`"
    return str(prop.get("format", kind))


def _amount_bound(prop: dict[str, Any]) -> str:
    bound = prop.get("properties", {}).get("amount_minor", {})
    if "exclusiveMinimum" in bound:
        return " (> 0)"
    if "minimum" in bound:
        return " (≥ 0)"
    return ""


def _cell(prop: dict[str, Any]) -> str:
    return str(prop.get("description", "")).replace("|", "\\|").replace("\n", " ")


def _anchor(event_type: str) -> str:
    """GitHub's heading anchor of "### `a.b.c.v1`": punctuation dropped."""
    return "".join(char for char in event_type if char.isalnum() or char in "-_")
