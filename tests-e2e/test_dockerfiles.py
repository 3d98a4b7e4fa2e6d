"""The images' Dockerfiles, checked without a Docker engine.

Each Dockerfile is parsed (multi-stage, pinned bases, non-root, healthcheck, copies only its own
folder), then its builder stage is replayed on this machine: its COPYs from the repository into
a temporary root (honouring .dockerignore), its `uv sync` RUNs with the host's uv and Python
3.11. That proves each image builds from the lock, the shared libs and its own folder alone, and
that what it installs imports and renders its migrations from the runtime stage's layout.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# service -> (REST port, gRPC port)
SERVICES = {
    "developer-portal": (8081, 9091),
    "greenlight": (8082, 9092),
    "subscription": (8083, 9093),
    "payment": (8084, 9094),
}
STANDINS = ("auth", "provider-sandbox", "user", "admin")


def parse_dockerfile(path: Path) -> list[list[tuple[str, str]]]:
    """Stages, each a list of (INSTRUCTION, arguments); continuations joined, comments gone."""
    stages: list[list[tuple[str, str]]] = []
    logical = ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            logical += line[:-1] + " "
            continue
        keyword, _, arguments = (logical + line).partition(" ")
        logical = ""
        if keyword.upper() == "FROM":
            stages.append([])
        stages[-1].append((keyword.upper(), arguments.strip()))
    return stages


def copy_parts(arguments: str, build_args: dict[str, str]) -> tuple[dict, list[str], str]:
    """Flags, sources and destination of a COPY, with ${ARG}s expanded."""
    words = [expand(word, build_args) for word in shlex.split(arguments)]
    flags = dict(w[2:].split("=", 1) for w in words if w.startswith("--"))
    paths = [w for w in words if not w.startswith("--")]
    return flags, paths[:-1], paths[-1]


def expand(text: str, variables: dict[str, str]) -> str:
    return re.sub(r"\$\{(\w+)\}", lambda m: variables[m[1]], text)


def is_pinned(image: str) -> bool:
    tag = image.rsplit("/", 1)[-1].partition(":")[2]
    return bool(re.search(r"\d", tag)) and "latest" not in tag


def dockerignore_patterns() -> list[re.Pattern[str]]:
    patterns = []
    for line in (REPO / ".dockerignore").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        assert not line.startswith("!"), "exceptions are not replayed by this test"
        regex = re.escape(line.strip("/")).replace(r"\*\*/", "(?:.*/)?").replace(r"\*\*", ".*")
        regex = regex.replace(r"\*", "[^/]*").replace(r"\?", "[^/]").replace(r"\[", "[")
        patterns.append(re.compile(regex.replace(r"\]", "]")))
    return patterns


def ignored(relative: str, patterns: list[re.Pattern[str]]) -> bool:
    parts = relative.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    return any(p.fullmatch(prefix) for p in patterns for prefix in prefixes)


IMAGES = [
    *[(f"services/{name}/Dockerfile", {}, name) for name in SERVICES],
    *[("deploy/standins/Dockerfile", {"STANDIN": name}, name) for name in STANDINS],
]
IMAGE_IDS = [name for _, _, name in IMAGES]


@pytest.mark.parametrize(("dockerfile", "build_args", "name"), IMAGES, ids=IMAGE_IDS)
def test_dockerfile_is_multistage_non_root_and_healthchecked(
    dockerfile: str, build_args: dict[str, str], name: str
) -> None:
    stages = parse_dockerfile(REPO / dockerfile)
    assert len(stages) >= 2, "multi-stage: a builder and a slim runtime"
    for stage in stages:
        image = stage[0][1].split()[0]
        assert is_pinned(image), f"FROM {image} is not pinned"
        copies = [copy_parts(arguments, build_args) for kw, arguments in stage if kw == "COPY"]
        for source_image in (flags.get("from", "") for flags, _, _ in copies):
            if ":" in source_image:
                assert is_pinned(source_image), f"COPY --from={source_image} is not pinned"
    runtime = dict(stages[-1])
    user = runtime.get("USER", "root").split(":")[0]
    assert user not in ("", "root", "0"), "the runtime stage must run as a non-root user"
    assert "HEALTHCHECK" in runtime
    if name in SERVICES:
        rest_port, grpc_port = SERVICES[name]
        assert set(runtime["EXPOSE"].split()) == {str(rest_port), str(grpc_port)}
        assert json.loads(runtime["CMD"]) == [f"parovoz-{name}"]
        assert runtime["WORKDIR"] == "/app/service"


@pytest.mark.parametrize(("dockerfile", "build_args", "name"), IMAGES, ids=IMAGE_IDS)
def test_dockerfile_copies_only_its_own_folder(
    dockerfile: str, build_args: dict[str, str], name: str
) -> None:
    own = f"services/{name}" if name in SERVICES else f"deploy/standins/{name}"
    # Stand-ins share one workspace member of plumbing; services share only libs/.
    shared = set() if name in SERVICES else {"deploy/standins/common"}
    patterns = dockerignore_patterns()
    sources = []
    for stage in parse_dockerfile(REPO / dockerfile):
        for keyword, arguments in stage:
            if keyword != "COPY":
                continue
            flags, paths, _ = copy_parts(arguments, build_args)
            if "from" not in flags:
                sources += [path.rstrip("/") for path in paths]
    assert own in sources
    for source in sources:
        assert (REPO / source).exists(), f"COPY {source}: not in the repository"
        assert not ignored(source, patterns), f"COPY {source}: excluded by .dockerignore"
        for folder in ("services", "deploy/standins"):
            if source.startswith(f"{folder}/"):
                allowed = {own, *shared}
                assert any(source == a or source.startswith(f"{a}/") for a in allowed), source


@pytest.mark.parametrize(("dockerfile", "build_args", "name"), IMAGES, ids=IMAGE_IDS)
def test_builder_stage_builds_the_image_alone(
    dockerfile: str, build_args: dict[str, str], name: str, tmp_path: Path
) -> None:
    """Replays the builder stage's COPY/ENV/WORKDIR/RUN in tmp_path standing for `/`."""
    uv = shutil.which("uv")
    assert uv, "uv is not installed (make test installs it)"
    stages = parse_dockerfile(REPO / dockerfile)
    patterns = dockerignore_patterns()
    env = {key: value for key, value in os.environ.items() if not key.startswith("UV_")}
    env.pop("VIRTUAL_ENV", None)  # the image has none active
    env |= build_args
    workdir = tmp_path
    for keyword, arguments in stages[0]:
        if keyword == "ENV":
            for pair in shlex.split(arguments):
                key, _, value = pair.partition("=")
                if key == "UV_PYTHON":
                    value = sys.executable  # the host's 3.11 stands for the image's
                elif key in ("UV_NO_CACHE", "UV_COMPILE_BYTECODE", "UV_LINK_MODE"):
                    continue  # speed only: host cache, hard links, no bytecode
                elif value.startswith("/"):
                    value = str(tmp_path / value.lstrip("/"))
                env[key] = value
        elif keyword == "WORKDIR":
            workdir = tmp_path / arguments.lstrip("/")
            workdir.mkdir(parents=True, exist_ok=True)
        elif keyword == "COPY":
            flags, sources, destination = copy_parts(arguments, build_args)
            if "from" not in flags:
                into_folder = destination.endswith("/") or len(sources) > 1
                for source in sources:
                    target = workdir / destination
                    if into_folder and (REPO / source).is_file():
                        target = target / Path(source).name
                    copy_context_path(source.rstrip("/"), target, patterns)
        elif keyword == "RUN":
            result = subprocess.run(
                ["sh", "-c", arguments],
                cwd=workdir,
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert result.returncode == 0, f"RUN {arguments}\n{result.stderr[-3000:]}"
    venv = Path(env["UV_PROJECT_ENVIRONMENT"])
    if name in STANDINS:  # CMD: python -m standin_<name, hyphens as underscores>
        package = f"standin_{name.replace('-', '_')}"
        probe = [venv / "bin" / "python", "-c", f"import {package}.__main__"]
        result = subprocess.run(probe, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, f"{package} does not import:\n{result.stderr}"
        return
    assert (venv / "bin" / f"parovoz-{name}").is_file(), "CMD's console script is missing"
    # In the runtime layout: import what CMD runs, then render the migrations offline
    # (`alembic upgrade head --sql`: env.py, the scripts and their imports, no database),
    # in one interpreter because the imports are the slow part.
    workdir = replay_runtime_copies(stages[-1], tmp_path)
    assert (workdir / "alembic.ini").is_file(), "the runtime WORKDIR has no alembic.ini"
    script = (
        f"import parovoz_{name.replace('-', '_')}.main\n"
        "from alembic.config import main\n"
        "main(argv=['upgrade', 'head', '--sql'], prog='alembic')\n"
    )
    result = subprocess.run(
        [venv / "bin" / "python", "-c", script],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    assert "alembic_version" in result.stdout


def replay_runtime_copies(runtime: list, builder_root: Path) -> Path:
    """The runtime stage's `COPY --from=builder`s into builder_root/runtime (the venv stays
    where it was built: same path in the image); returns the runtime WORKDIR."""
    runtime_root = builder_root / "runtime"
    workdir = runtime_root
    for keyword, arguments in runtime:
        if keyword == "WORKDIR":
            workdir = runtime_root / arguments.lstrip("/")
        elif keyword == "COPY":
            flags, sources, destination = copy_parts(arguments, {})
            for source in sources:
                if flags.get("from") == "builder" and source != "/app/.venv":
                    origin, target = builder_root / source.lstrip("/"), destination.lstrip("/")
                    (runtime_root / target).parent.mkdir(parents=True, exist_ok=True)
                    copy = shutil.copytree if origin.is_dir() else shutil.copy2
                    copy(origin, runtime_root / target)
    return workdir


def copy_context_path(source: str, target: Path, patterns: list[re.Pattern[str]]) -> None:
    """Copies a file to `target`, or a folder's contents into `target`, minus ignored paths."""
    origin = REPO / source
    files = [origin] if origin.is_file() else sorted(p for p in origin.rglob("*") if p.is_file())
    for path in files:
        if ignored(path.relative_to(REPO).as_posix(), patterns):
            continue
        destination = target if path == origin else target / path.relative_to(origin)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, destination)
