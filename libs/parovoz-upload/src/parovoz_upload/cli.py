"""``parovoz-upload``: the command line."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import httpx
from rich.console import Console

from parovoz_upload.client import PortalError, StorageError
from parovoz_upload.plan import PLATFORMS
from parovoz_upload.uploader import Options, Uploader

DEFAULT_API_URL = "http://127.0.0.1:8080"

#: Exit codes (also in --help).
OK, NOT_VERIFIED, USAGE, FAILED, INTERRUPTED = 0, 1, 2, 3, 130

DESCRIPTION = """\
Upload a game's builds to the Parovoz developer portal.

Creates the version GAME_ID / VERSION_NAME (or uploads to it when it already exists), uploads
each platform's file straight to the store's S3 storage (several parts in parallel for a big
file), tells the portal the file's SHA-256, then waits until the portal has checked the stored
file's size and SHA-256 and says whether each build is verified.

The bytes never pass through the portal: it only hands out pre-signed upload URLs. If the
upload is interrupted (network, Ctrl-C, a closed laptop), run the same command again from the
same directory: it asks the portal which parts are already stored and uploads only the rest
(the progress is kept in ./.parovoz-upload/, removed once a build is uploaded).
"""

EPILOG = f"""\
environment:
  PAROVOZ_API_KEY   required: an API key of your developer account (pk_live_...). An owner or
                    admin creates one in the portal (POST /api/v1/developer/api-keys); it acts
                    as an editor and can only upload versions and builds.
  PAROVOZ_API_URL   the portal's address (default {DEFAULT_API_URL}).

examples:
  export PAROVOZ_API_KEY=pk_live_...
  # one Windows build, version 1.0.1 of the game 3f1c...:
  parovoz-upload 3f1c0e52-8a9d-4c1e-9d0a-2b6a7c1d9e10 1.0.1 \\
      --changelog-ru "Исправлены вылеты при загрузке" --build windows_x64=MyGame-win64.zip

  # Windows and Linux at once, 8 parallel parts, an English changelog too:
  parovoz-upload 3f1c0e52-8a9d-4c1e-9d0a-2b6a7c1d9e10 1.1.0 \\
      --changelog-ru "Новый уровень" --changelog-en "A new level" \\
      --build windows_x64=build/win.zip --build linux_x64=build/linux.zip --parallel 8

  # in CI, do not wait for the verification:
  parovoz-upload $GAME_ID $CI_TAG --changelog-ru "$NOTES" --build linux_x64=out.zip --no-wait

platforms: {", ".join(PLATFORMS)}.
files: .zip (application/zip) or any other binary (application/octet-stream), up to 100 GB.

exit codes:
  0  every build uploaded and verified (with --no-wait: uploaded)
  1  a build failed verification (the reason is printed), or verification took too long
  2  wrong arguments or environment
  3  the portal or the storage refused the upload (the error is printed); re-run to resume
  130 interrupted; re-run the same command to resume
"""


class UsageError(Exception):
    pass


def build_argument(value: str) -> tuple[str, Path]:
    platform, separator, path = value.partition("=")
    if not separator or not path:
        raise argparse.ArgumentTypeError(f"expected PLATFORM=FILE, got {value!r}")
    if platform not in PLATFORMS:
        raise argparse.ArgumentTypeError(
            f"unknown platform {platform!r}; one of {', '.join(PLATFORMS)}"
        )
    return platform, Path(path)


def positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def parser() -> argparse.ArgumentParser:
    arguments = argparse.ArgumentParser(
        prog="parovoz-upload",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    arguments.add_argument("game_id", metavar="GAME_ID", help="the game's id (UUID)")
    arguments.add_argument(
        "version_name", metavar="VERSION_NAME", help="the version's name, e.g. 1.0.1"
    )
    arguments.add_argument(
        "--changelog-ru",
        required=True,
        metavar="TEXT",
        help="what changed, in Russian (required by the store)",
    )
    arguments.add_argument("--changelog-en", metavar="TEXT", help="what changed, in English")
    arguments.add_argument(
        "--build",
        dest="builds",
        action="append",
        type=build_argument,
        required=True,
        metavar="PLATFORM=FILE",
        help="a platform's build file; repeat for each platform",
    )
    arguments.add_argument(
        "--parallel",
        type=positive,
        default=4,
        metavar="N",
        help="parts uploaded at once (default 4; each holds one part, 64 MiB, in memory)",
    )
    arguments.add_argument(
        "--no-wait",
        dest="wait",
        action="store_false",
        help="exit once uploaded, without waiting for the verification",
    )
    arguments.add_argument(
        "--wait-timeout",
        type=positive,
        default=3600,
        metavar="SECONDS",
        help="how long to wait for the verification (default 3600)",
    )
    return arguments


def options_from(argv: Sequence[str], environment: Mapping[str, str]) -> Options:
    """The options of a run, or UsageError (argparse's own errors exit 2 by themselves)."""
    parsed = parser().parse_args(argv)
    api_key = environment.get("PAROVOZ_API_KEY", "").strip()
    if not api_key:
        raise UsageError("set PAROVOZ_API_KEY to an API key of your developer account")
    if not api_key.startswith("pk_live_"):
        raise UsageError("PAROVOZ_API_KEY is not an API key (pk_live_...)")
    platforms = [platform for platform, _ in parsed.builds]
    if len(set(platforms)) != len(platforms):
        raise UsageError("one --build per platform")
    for _, path in parsed.builds:
        if not path.is_file():
            raise UsageError(f"{path}: no such file")
    changelog = {"ru-RU": parsed.changelog_ru}
    if parsed.changelog_en:
        changelog["en-US"] = parsed.changelog_en
    return Options(
        api_url=environment.get("PAROVOZ_API_URL", DEFAULT_API_URL).rstrip("/"),
        api_key=api_key,
        game_id=parsed.game_id,
        version_name=parsed.version_name,
        changelog=changelog,
        builds=list(parsed.builds),
        parallel=parsed.parallel,
        wait=parsed.wait,
        wait_timeout_seconds=float(parsed.wait_timeout),
    )


def main(argv: Sequence[str] | None = None) -> int:
    console = Console(stderr=True)
    try:
        options = options_from(sys.argv[1:] if argv is None else argv, os.environ)
    except UsageError as error:
        console.print(f"parovoz-upload: {error}", highlight=False)
        return USAGE
    uploader = Uploader(options, console)
    try:
        outcome = uploader.run()
    except KeyboardInterrupt:
        console.print("Interrupted: run the same command again to resume.", highlight=False)
        return INTERRUPTED
    except (PortalError, StorageError, httpx.HTTPError) as error:
        console.print(f"[red]Upload failed:[/red] {error}", highlight=False)
        console.print("Run the same command again to resume.", highlight=False)
        return FAILED
    finally:
        uploader.close()
    print(f"version {options.version_name} ({outcome.version_id})")
    for platform, status in sorted(outcome.statuses.items()):
        reason = outcome.reasons.get(platform)
        print(f"{platform}: {status}" + (f" ({reason})" if reason else ""))
    if not options.wait:
        return OK
    return OK if outcome.all_verified else NOT_VERIFIED
