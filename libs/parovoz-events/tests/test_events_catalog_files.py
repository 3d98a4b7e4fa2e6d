"""`make events-catalog`: deterministic output, and `--check` catches a stale docs/events."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from parovoz_events.catalog import catalogue_types, default_out_dir, main, render_catalogue

REPOSITORY = Path(__file__).resolve().parents[3]


def test_the_committed_catalogue_is_up_to_date(capsys: pytest.CaptureFixture[str]) -> None:
    assert default_out_dir() == REPOSITORY / "docs" / "events"
    assert main(["--check"]) == 0, capsys.readouterr().err


def test_rendering_is_deterministic() -> None:
    assert render_catalogue() == render_catalogue()


def test_check_fails_on_a_missing_changed_or_orphan_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--check", "--out", str(tmp_path)]) == 1  # nothing written yet
    assert main(["--out", str(tmp_path)]) == 0
    assert main(["--check", "--out", str(tmp_path)]) == 0

    readme = tmp_path / "README.md"
    readme.write_text(readme.read_text("utf-8") + "edited by hand\n", "utf-8")
    assert main(["--check", "--out", str(tmp_path)]) == 1
    assert "README.md" in capsys.readouterr().err

    main(["--out", str(tmp_path)])
    orphan = tmp_path / "schemas" / "developer.game.exploded.v1.json"
    orphan.write_text("{}", "utf-8")
    assert main(["--check", "--out", str(tmp_path)]) == 1
    main(["--out", str(tmp_path)])
    assert not orphan.exists()
    assert main(["--check", "--out", str(tmp_path)]) == 0


def test_the_catalogue_lists_every_type_with_its_route_schema_and_example() -> None:
    files = render_catalogue()
    catalogue = json.loads(files["catalog.json"])
    entries = {entry["type"]: entry for entry in catalogue["events"]}
    assert list(entries) == sorted(entries)
    for cls in catalogue_types():
        entry = entries[cls.event_type]
        assert entry["producer"] == cls.producer
        assert entry["consumers"] == list(cls.consumers)
        assert entry["key_field"] == cls.key_field
        assert entry["topic"] == cls.topic
        assert entry["example"] == cls.example_data
        assert cls.key_field in entry["schema"]["required"]
        schema_file = json.loads(files[f"schemas/{cls.event_type}.json"])
        assert schema_file["examples"] == [cls.example_data]
        assert f"[schema](schemas/{cls.event_type}.json)" in files["README.md"]
