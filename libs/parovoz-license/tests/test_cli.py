"""``parovoz-verify-license``: the claims and exit 0 for a valid license, the reason on stderr and
exit 1 otherwise; the installed command and ``python -m parovoz_license`` alike."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from license_support import ISSUED, Issuer
from parovoz_license.cli import REFUSED, VALID, main

AT = (ISSUED + timedelta(days=2)).isoformat()


@pytest.fixture
def jwks_file(tmp_path: Path, issuer: Issuer) -> Path:
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps(issuer.jwks()))
    return path


def test_a_valid_license_prints_its_claims(
    issuer: Issuer, jwks_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    license = issuer.license()
    arguments = [issuer.sign(license), "--jwks", str(jwks_file), "--device", license.device_id]
    assert main([*arguments, "--game", license.game_id, "--at", AT]) == VALID
    printed = json.loads(capsys.readouterr().out)
    assert printed["id"] == license.id and printed["expires_at"] == license.expires_at.isoformat()


def test_refusals_print_the_code_and_exit_1(
    issuer: Issuer, jwks_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    license = issuer.license()
    token = issuer.sign(license)
    expired_at = license.expires_at.isoformat()
    for arguments, expected in (
        (["--device", license.device_id, "--at", expired_at], "OFFLINE_LICENSE_EXPIRED"),
        (["--device", "another", "--at", AT], "OFFLINE_LICENSE_INVALID (wrong_device)"),
        (["--device", license.device_id, "--game", "x", "--at", AT], "(wrong_game)"),
    ):
        assert main([token, "--jwks", str(jwks_file), *arguments]) == REFUSED
        captured = capsys.readouterr()
        assert expected in captured.err and captured.out == ""


def test_an_unreadable_key_file_exits_1(
    issuer: Issuer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    license = issuer.license()
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    for path in (broken, tmp_path / "missing.json"):
        code = main([issuer.sign(license), "--jwks", str(path), "--device", license.device_id])
        assert code == REFUSED
        assert "cannot read the keys" in capsys.readouterr().err


def test_a_naive_instant_is_a_usage_error(issuer: Issuer, jwks_file: Path) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["t", "--jwks", str(jwks_file), "--device", "d", "--at", "2027-03-02T00:00:00"])
    assert caught.value.code == 2


def test_the_installed_command_and_the_module_run_alike(issuer: Issuer, jwks_file: Path) -> None:
    license = issuer.license()
    token = issuer.sign(license)
    command = Path(sys.executable).parent / "parovoz-verify-license"
    for program in ([str(command)], [sys.executable, "-m", "parovoz_license"]):
        valid = subprocess.run(
            [*program, token, "--jwks", str(jwks_file), "--device", license.device_id, "--at", AT],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert valid.returncode == VALID, valid.stderr
        assert json.loads(valid.stdout)["device_id"] == license.device_id
        # The token from stdin ("-"), checked for another device.
        refused = subprocess.run(
            [*program, "-", "--jwks", str(jwks_file), "--device", "another", "--at", AT],
            input=token,
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert refused.returncode == REFUSED and "wrong_device" in refused.stderr
