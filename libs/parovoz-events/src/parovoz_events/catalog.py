"""Writes the event catalogue (``docs/events/``) from the registered schemas.

``python -m parovoz_events.catalog`` writes ``catalog.json`` (every type: topic, key, producer,
consumers, JSON Schema of ``data``, example), one JSON Schema file per type under ``schemas/``,
and ``README.md`` (the table type → producer → consumers). ``--check`` writes nothing and exits 1
when the committed files differ from what the schemas produce. Output is deterministic.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import parovoz_events
from parovoz_events.base import PARTIES, REGISTRY, EventData
from parovoz_events.catalog_markdown import description_of, render_readme

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMAS_DIR = "schemas"


def catalogue_types() -> list[type[EventData]]:
    """The catalogue's event types, by type name.

    Only models defined in this package count: a test elsewhere may register a throwaway type
    in the same process, and that must not leak into the published catalogue.
    """
    package = parovoz_events.__name__ + "."
    types = [cls for cls in REGISTRY.values() if cls.__module__.startswith(package)]
    return sorted(types, key=lambda cls: cls.event_type)


def data_schema(cls: type[EventData]) -> dict[str, Any]:
    """JSON Schema (2020-12) of the event's ``data``, with its example."""
    schema = cls.model_json_schema()
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": f"{SCHEMAS_DIR}/{cls.event_type}.json",
        **schema,
        "examples": [cls.example_data],
    }


def catalogue_entry(cls: type[EventData]) -> dict[str, Any]:
    return {
        "type": cls.event_type,
        "topic": cls.topic,
        "key_field": cls.key_field,
        "producer": cls.producer,
        "consumers": list(cls.consumers),
        "description": description_of(cls),
        "schema": cls.model_json_schema(),
        "example": cls.example_data,
    }


def render_catalogue() -> dict[str, str]:
    """Every output file (path relative to the output directory) with its exact content."""
    types = catalogue_types()
    catalogue = {
        "title": "Parovoz event catalogue",
        "generated_by": "make events-catalog (python -m parovoz_events.catalog)",
        "envelope": "CloudEvents 1.0, Kafka binary content mode; key = partitionkey = key_field",
        "parties": PARTIES,
        "events": [catalogue_entry(cls) for cls in types],
    }
    files = {"catalog.json": _json(catalogue), "README.md": render_readme(types)}
    for cls in types:
        files[f"{SCHEMAS_DIR}/{cls.event_type}.json"] = _json(data_schema(cls))
    return files


def stale_files(out_dir: Path, expected: dict[str, str]) -> list[str]:
    """Paths that are missing, different, or no longer produced (sorted)."""
    stale = [
        path
        for path, content in expected.items()
        if not (out_dir / path).is_file() or (out_dir / path).read_text("utf-8") != content
    ]
    stale += [path for path in _existing_schema_files(out_dir) if path not in expected]
    return sorted(stale)


def write_catalogue(out_dir: Path, expected: dict[str, str]) -> list[str]:
    """Writes what changed, removes schema files of types that no longer exist."""
    changed = stale_files(out_dir, expected)
    for path in changed:
        target = out_dir / path
        if path in expected:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(expected[path], "utf-8")
        else:
            target.unlink()
    return changed


def default_out_dir() -> Path:
    """``docs/events`` of the repository this package lives in, else of the current directory."""
    repository = Path(__file__).resolve().parents[4]
    if (repository / "libs" / "parovoz-events").is_dir():
        return repository / "docs" / "events"
    return Path.cwd() / "docs" / "events"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m parovoz_events.catalog", description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 if the files are stale")
    parser.add_argument("--out", type=Path, default=None, help="output directory")
    args = parser.parse_args(argv)
    out_dir: Path = args.out or default_out_dir()
    expected = render_catalogue()
    if args.check:
        stale = stale_files(out_dir, expected)
        for path in stale:
            print(f"stale: {out_dir / path}", file=sys.stderr)
        if stale:
            print("run `make events-catalog` and commit the result", file=sys.stderr)
            return 1
        print(f"event catalogue up to date: {len(expected) - 2} types in {out_dir}")
        return 0
    changed = write_catalogue(out_dir, expected)
    print(f"event catalogue: {len(expected) - 2} types, {len(changed)} files changed in {out_dir}")
    return 0


def _existing_schema_files(out_dir: Path) -> list[str]:
    schemas = out_dir / SCHEMAS_DIR
    if not schemas.is_dir():
        return []
    return [f"{SCHEMAS_DIR}/{path.name}" for path in schemas.glob("*.json")]


def _json(value: object) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
