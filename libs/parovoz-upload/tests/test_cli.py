"""Arguments and environment of ``parovoz-upload``, and whole runs against a fake portal and S3
(the contract of the portal's REST API): parallel multipart, single PUT, reuse of an existing
version, an interruption after two parts resumed with the missing parts only, a failed
verification reported with its reason and exit code 1."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from parovoz_upload import cli
from parovoz_upload.cli import UsageError, options_from
from parovoz_upload.client import StorageError
from parovoz_upload.uploader import Options, Uploader
from rich.console import Console

KEY = "pk_live_" + "k" * 43
ENV = {"PAROVOZ_API_KEY": KEY}


@pytest.fixture
def build_file(tmp_path: Path) -> Path:
    path = tmp_path / "game.zip"
    path.write_bytes(b"0123456789abcdefghijklmnopqrstuvwxyz!")  # 37 bytes: 5 parts of 8
    return path


def test_arguments_make_the_options(build_file: Path) -> None:
    options = options_from(
        [
            "g-1",
            "1.0.1",
            "--changelog-ru",
            "Исправления",
            "--changelog-en",
            "Fixes",
            "--build",
            f"windows_x64={build_file}",
            "--build",
            f"linux_x64={build_file}",
            "--parallel",
            "8",
            "--no-wait",
        ],
        {**ENV, "PAROVOZ_API_URL": "https://portal.example/"},
    )
    assert options.api_url == "https://portal.example"
    assert options.game_id == "g-1" and options.version_name == "1.0.1"
    assert options.changelog == {"ru-RU": "Исправления", "en-US": "Fixes"}
    assert options.builds == [("windows_x64", build_file), ("linux_x64", build_file)]
    assert options.parallel == 8 and options.wait is False
    defaults = options_from(
        ["g", "1", "--changelog-ru", "x", "--build", f"macos_arm64={build_file}"], ENV
    )
    assert defaults.api_url == "http://127.0.0.1:8080" and defaults.parallel == 4 and defaults.wait


@pytest.mark.parametrize(
    "argv",
    [
        ["g", "1", "--changelog-ru", "x"],  # no build
        ["g", "1", "--build", "windows_x64=f"],  # no changelog
        ["g", "1", "--changelog-ru", "x", "--build", "amiga=f"],
        ["g", "1", "--changelog-ru", "x", "--build", "windows_x64"],
        ["g", "1", "--changelog-ru", "x", "--build", "windows_x64=f", "--parallel", "0"],
        ["g", "--changelog-ru", "x", "--build", "windows_x64=f"],
    ],
)
def test_wrong_arguments_exit_2(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        options_from(argv, ENV)
    assert exited.value.code == 2


def test_the_environment_and_files_are_checked(build_file: Path, tmp_path: Path) -> None:
    argv = ["g", "1", "--changelog-ru", "x", "--build", f"windows_x64={build_file}"]
    for environment in ({}, {"PAROVOZ_API_KEY": " "}, {"PAROVOZ_API_KEY": "eyJhbGci.jwt"}):
        with pytest.raises(UsageError, match="PAROVOZ_API_KEY"):
            options_from(argv, environment)
    with pytest.raises(UsageError, match="no such file"):
        options_from(
            ["g", "1", "--changelog-ru", "x", "--build", f"linux_x64={tmp_path}/nope"], ENV
        )
    with pytest.raises(UsageError, match="one --build per platform"):
        options_from([*argv, "--build", f"windows_x64={build_file}"], ENV)
    assert cli.main(argv) == cli.USAGE  # no key in this process's environment


def test_help_explains_the_key_examples_and_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.parser().parse_args(["--help"])
    assert exited.value.code == 0
    text = capsys.readouterr().out
    for expected in (
        "PAROVOZ_API_KEY",
        "PAROVOZ_API_URL",
        "examples:",
        "--build windows_x64=",
        "resume",
        "exit codes:",
        "windows_x64, linux_x64, macos_arm64, macos_x64",
    ):
        assert expected in text


def run(portal: Any, tmp_path: Path, builds: list[tuple[str, Path]], **changes: object):  # type: ignore[no-untyped-def]
    options = Options(
        api_url="http://portal.fake",
        api_key=portal.api_key,
        game_id="game-1",
        version_name="1.0.1",
        changelog={"ru-RU": "Первая версия"},
        builds=builds,
        poll_seconds=0.01,
        state_directory=tmp_path / ".parovoz-upload",
        **{"parallel": 3, "multipart_above_bytes": 10, **changes},  # type: ignore[arg-type]
    )
    uploader = Uploader(options, Console(file=open("/dev/null", "w")), portal.transport())
    try:
        return uploader.run()
    finally:
        uploader.close()


def test_a_multipart_and_a_single_build_are_uploaded_and_verified(
    fake_portal: Any, build_file: Path, tmp_path: Path
) -> None:
    small = tmp_path / "linux.bin"
    small.write_bytes(b"tiny")
    # The portal would take 1000 bytes in one PUT: the CLI asks for parts above its threshold.
    portal = fake_portal(single_put_max=1000)
    outcome = run(portal, tmp_path, [("windows_x64", build_file), ("linux_x64", small)])
    assert outcome.statuses == {"windows_x64": "verified", "linux_x64": "verified"}
    assert outcome.all_verified
    assert sorted(portal.part_puts) == [1, 2, 3, 4, 5]
    hashes = {c["file_hash_sha256"] for c in portal.completions}
    assert hashes == {hashlib.sha256(p.read_bytes()).hexdigest() for p in (build_file, small)}
    (version,) = portal.versions.values()
    assert version["platforms"] == ["windows_x64", "linux_x64"]
    assert version["changelog"] == {"ru-RU": "Первая версия"}
    assert not list((tmp_path / ".parovoz-upload").glob("*.json"))  # removed once completed


def test_an_interrupted_upload_resumes_with_the_missing_parts_only(
    fake_portal: Any, build_file: Path, tmp_path: Path
) -> None:
    portal = fake_portal(fail_after_parts=2)
    with pytest.raises(StorageError, match="HTTP 403"):
        run(portal, tmp_path, [("windows_x64", build_file)], parallel=1)
    assert portal.part_puts == [1, 2] and portal.completions == []
    (state_file,) = (tmp_path / ".parovoz-upload").glob("*.json")
    assert '"parts_done": [\n  1,\n  2\n ]' in state_file.read_text()

    portal.fail_after_parts = None
    outcome = run(portal, tmp_path, [("windows_x64", build_file)])
    assert outcome.all_verified
    assert sorted(portal.part_puts[2:]) == [3, 4, 5]  # 1 and 2 were not sent again
    assert len(portal.builds) == 1 and len(portal.versions) == 1  # same build, same version


def test_a_rerun_after_completion_uploads_nothing_again(
    fake_portal: Any, build_file: Path, tmp_path: Path
) -> None:
    portal = fake_portal()
    run(portal, tmp_path, [("windows_x64", build_file)], wait=False)
    outcome = run(portal, tmp_path, [("windows_x64", build_file)])
    # The first run's state was removed on completion: the re-run reuses the version by name
    # and uploads the build anew (the portal replaces the platform's build).
    assert outcome.all_verified and len(portal.versions) == 1


def test_a_failed_verification_is_reported_with_its_reason_and_exit_code_1(
    fake_portal: Any,
    build_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    portal = fake_portal(corrupt_storage=True)
    outcome = run(portal, tmp_path, [("windows_x64", build_file)])
    assert outcome.statuses == {"windows_x64": "failed"} and not outcome.all_verified
    assert "hash_mismatch" in outcome.reasons["windows_x64"]

    monkeypatch.setenv("PAROVOZ_API_KEY", portal.api_key)
    monkeypatch.chdir(tmp_path)
    real = Uploader.__init__

    def with_fake(
        self: Uploader, options: Options, console: Console | None = None, transport: object = None
    ) -> None:
        real(self, options, console, portal.transport())

    monkeypatch.setattr(Uploader, "__init__", with_fake)
    argv = ["game-1", "2.0", "--changelog-ru", "x", "--build", f"windows_x64={build_file}"]
    assert cli.main(argv) == cli.NOT_VERIFIED
    assert "windows_x64: failed (hash_mismatch" in capsys.readouterr().out
    portal.corrupt_storage = False
    assert cli.main(["game-1", "2.1", *argv[2:]]) == cli.OK


def test_a_refused_key_exits_3(
    fake_portal: Any, build_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    portal = fake_portal()
    monkeypatch.setenv("PAROVOZ_API_KEY", "pk_live_revoked")
    real = Uploader.__init__

    def with_fake(
        self: Uploader, options: Options, console: Console | None = None, transport: object = None
    ) -> None:
        real(self, options, console, portal.transport())

    monkeypatch.setattr(Uploader, "__init__", with_fake)
    assert (
        cli.main(["game-1", "1", "--changelog-ru", "x", "--build", f"linux_x64={build_file}"])
        == cli.FAILED
    )
