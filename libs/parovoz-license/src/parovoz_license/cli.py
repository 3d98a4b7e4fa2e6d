"""``parovoz-verify-license``: check an offline license with no network."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from parovoz_license.errors import LicenseError
from parovoz_license.verify import verify_license

#: Exit codes (also in --help): the license is valid, or it is refused (or cannot be checked).
VALID, REFUSED = 0, 1

DESCRIPTION = """\
Check a Parovoz offline license with no network: its Ed25519 signature against the published
public keys (a saved copy of /api/v1/subscriptions/.well-known/jwks.json), the device (and game)
it is bound to, and its validity period.

A valid license prints its claims as JSON on stdout; a refused one prints the reason on stderr
(OFFLINE_LICENSE_EXPIRED: renew it online; OFFLINE_LICENSE_INVALID: not a license of this device
and game, or not signed by a published key).
"""

EPILOG = f"""\
exit codes:
  {VALID}  the license is valid
  {REFUSED}  the license is refused, or the keys file cannot be read
  2  wrong usage
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="parovoz-verify-license",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("token", metavar="TOKEN", help="the license (compact JWS); - reads stdin")
    parser.add_argument(
        "--jwks", required=True, type=Path, metavar="FILE", help="the published keys (JWK Set)"
    )
    parser.add_argument(
        "--device", required=True, metavar="ID", help="the device the license must be bound to"
    )
    parser.add_argument("--game", metavar="ID", help="the game the license must be for")
    parser.add_argument(
        "--at",
        type=_instant,
        metavar="INSTANT",
        help="check as of this ISO 8601 instant with its offset (default: now)",
    )
    return parser


def _instant(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError("give the instant's offset, e.g. 2027-01-01T00:00:00Z")
    return moment


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    token = sys.stdin.read().strip() if arguments.token == "-" else arguments.token.strip()
    try:
        jwks = json.loads(arguments.jwks.read_text(encoding="utf-8"))
        if not isinstance(jwks, dict):
            raise ValueError("not a JSON object")
        license = verify_license(
            token, jwks, device_id=arguments.device, game_id=arguments.game, now=arguments.at
        )
    except LicenseError as error:
        print(f"refused: {error.code} ({error.reason}): {error.message}", file=sys.stderr)
        return REFUSED
    except (OSError, ValueError) as error:
        print(f"cannot read the keys in {arguments.jwks}: {error}", file=sys.stderr)
        return REFUSED
    print(json.dumps(license.as_dict(), ensure_ascii=False, indent=2))
    return VALID
