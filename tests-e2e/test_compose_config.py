"""docker-compose.yml, checked without a Docker engine.

Debian's docker-compose (v1) validates the file: it accepts the Compose specification without
`version:` and checks it against its bundled Compose-spec JSON schema; `config` needs no engine.
The tests then read the normalised configuration it prints. The images themselves are checked
in test_dockerfiles.py.
"""

from __future__ import annotations

import importlib
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from pydantic_settings import BaseSettings

REPO = Path(__file__).resolve().parents[1]

# service -> (env prefix, REST port, gRPC port, database/role)
SERVICES = {
    "developer-portal": ("DEVELOPER_PORTAL_", 8081, 9091, "developer"),
    "greenlight": ("GREENLIGHT_", 8082, 9092, "greenlight"),
    "subscription": ("SUBSCRIPTION_", 8083, 9093, "subscription"),
    "payment": ("PAYMENT_", 8084, 9094, "payment"),
}
STANDINS = {"auth": 8090, "provider-sandbox": 8091, "user": 8092, "admin": 8093}
# Host ports as in ARCHITECTURE.md (the local ones) plus Jaeger's UI; nothing else is published.
PUBLISHED_PORTS = {
    "gateway": {8080},
    **{name: {rest, grpc} for name, (_, rest, grpc, _) in SERVICES.items()},
    **{name: {port} for name, port in STANDINS.items()},
    "postgres": {55432},
    "redis": {56379},
    "kafka": {59092},
    "minio": {59000},
    "jaeger": {16686},
}
ONE_SHOT_JOBS = {f"{name}-migrate" for name in SERVICES} | {"kafka-init", "minio-init"}
EXPECTED_SERVICES = set(PUBLISHED_PORTS) | ONE_SHOT_JOBS | {"otel-collector"}
GATEWAY_TEMPLATE = REPO / "deploy" / "gateway" / "default.conf.template"


@pytest.fixture(scope="module")
def compose() -> dict:
    executable = shutil.which("docker-compose")
    if executable is None:
        pytest.fail(
            "docker-compose is not installed, so docker-compose.yml cannot be validated: "
            "`apt-get install -y docker-compose` (make test installs it)."
        )
    result = subprocess.run(
        [executable, "-f", "docker-compose.yml", "config"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, f"docker-compose config failed:\n{result.stderr}"
    return yaml.safe_load(result.stdout)["services"]


def published_ports(service: dict) -> set[int]:
    ports = set()
    for port in service.get("ports", []):
        if isinstance(port, dict):
            ports.add(int(port["published"]))
        else:  # "host:container[/proto]"
            ports.add(int(str(port).split("/")[0].split(":")[-2]))
    return ports


def bind_mounts(service: dict) -> dict[str, Path]:
    """Container path -> host path of each bind mount (named volumes left out)."""
    mounts = {}
    for volume in service.get("volumes", []):
        if isinstance(volume, dict):
            source, target = volume.get("source", ""), volume["target"]
        else:
            source, target = str(volume).split(":")[:2]
        if source.startswith(("/", ".")):
            mounts[target] = (REPO / source).resolve()
    return mounts


def test_compose_has_every_part(compose: dict) -> None:
    assert set(compose) == EXPECTED_SERVICES


def test_every_build_uses_a_dockerfile_that_exists(compose: dict) -> None:
    built = {name: service["build"] for name, service in compose.items() if "build" in service}
    assert set(SERVICES) | set(STANDINS) <= set(built)
    for name, build in built.items():
        context = Path(build["context"])
        assert context.resolve() == REPO, f"{name}: build context must be the repository root"
        assert (context / build["dockerfile"]).is_file(), f"{name}: {build['dockerfile']} missing"


def test_standins_are_built_from_their_own_folders(compose: dict) -> None:
    for name in STANDINS:
        build = compose[name]["build"]
        assert build["dockerfile"] == "deploy/standins/Dockerfile"
        assert build["args"]["STANDIN"] == name
        assert (REPO / "deploy" / "standins" / name / "pyproject.toml").is_file()


def test_bind_mounted_files_exist(compose: dict) -> None:
    for name, service in compose.items():
        for target, source in bind_mounts(service).items():
            assert source.is_relative_to(REPO), f"{name} mounts {source} from outside the repo"
            assert source.exists(), f"{name} mounts {source} at {target}, which does not exist"


def test_gateway_uses_the_same_template_as_local_runs(compose: dict) -> None:
    mounts = bind_mounts(compose["gateway"])
    assert mounts["/etc/nginx/templates/default.conf.template"] == GATEWAY_TEMPLATE


def test_gateway_substitutes_exactly_the_template_placeholders(compose: dict) -> None:
    environment = compose["gateway"]["environment"]
    template = GATEWAY_TEMPLATE.read_text()
    placeholders = set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", template))
    assert placeholders, "the gateway template has no ${...} placeholders"
    # `config` prints `$` escaped as `$$`, as it must appear in a compose file.
    env_filter = environment["NGINX_ENVSUBST_FILTER"].replace("$$", "$")
    # The selection the nginx image's 20-envsubst-on-templates.sh makes, with nginx-like noise.
    env = {**{k: str(v) for k, v in environment.items()}, "PATH": os.environ["PATH"]}
    env |= {"HOME": "/root", "HOSTNAME": "gateway", "NGINX_VERSION": "1.27.4"}
    awk = f'END {{ for (name in ENVIRON) {{ print ( name ~ /{env_filter}/ ) ? name : "" }} }}'
    result = subprocess.run(
        ["awk", awk], env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, check=True
    )
    assert set(result.stdout.split()) == placeholders
    rendered = re.sub(r"\$\{(\w+)\}", lambda m: str(environment[m[1]]), template)
    assert "$host" in rendered, "nginx's own variables must survive the substitution"
    for name in SERVICES:
        _, rest_port, _, _ = SERVICES[name]
        assert f"{name}:{rest_port}" in rendered


def test_services_wait_for_their_migration_and_healthy_engines(compose: dict) -> None:
    for engine in ("postgres", "kafka", "redis"):
        assert compose[engine].get("healthcheck", {}).get("test"), f"{engine} has no healthcheck"
    for name in SERVICES:
        depends = compose[name]["depends_on"]
        assert depends[f"{name}-migrate"]["condition"] == "service_completed_successfully"
        for engine in ("postgres", "kafka", "redis"):
            assert depends[engine]["condition"] == "service_healthy", f"{name} -> {engine}"


def test_migration_jobs_run_alembic_with_the_service_image_and_database(compose: dict) -> None:
    for name, (prefix, *_) in SERVICES.items():
        job, service = compose[f"{name}-migrate"], compose[name]
        assert job["command"] == ["alembic", "upgrade", "head"]
        assert job["build"] == service["build"]
        assert job["image"] == service["image"]
        url = f"{prefix}DATABASE_URL"
        assert job["environment"][url] == service["environment"][url]
        assert job["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert job.get("restart", "no") == "no"


def test_published_ports_match_the_architecture(compose: dict) -> None:
    published = {name: published_ports(service) for name, service in compose.items()}
    assert {name: ports for name, ports in published.items() if ports} == PUBLISHED_PORTS


def test_service_settings_point_at_compose_hosts(compose: dict) -> None:
    for name, (prefix, rest_port, grpc_port, database) in SERVICES.items():
        settings = settings_class(f"parovoz_{name.replace('-', '_')}.settings")
        environment = compose[name]["environment"]
        assert_known_settings(name, environment, prefix, settings)
        assert environment[f"{prefix}DATABASE_URL"] == (
            f"postgresql+psycopg://{database}:{database}-dev-password@postgres:5432/{database}"
        )
        assert environment[f"{prefix}REDIS_URL"].startswith("redis://redis:6379/")
        assert environment[f"{prefix}KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
        assert environment[f"{prefix}AUTH_JWKS_URL"] == "http://auth:8090/.well-known/jwks.json"
        assert environment[f"{prefix}OTEL_EXPORTER_OTLP_ENDPOINT"].startswith(
            "http://otel-collector:"
        )
        defaults = settings.model_fields
        assert (defaults["http_port"].default, defaults["grpc_port"].default) == (
            rest_port,
            grpc_port,
        )
    redis_databases = [
        compose[n]["environment"][f"{p}REDIS_URL"] for n, (p, *_) in SERVICES.items()
    ]
    assert len(set(redis_databases)) == len(SERVICES), "each service gets its own Redis database"


def test_standin_settings_listen_on_all_interfaces(compose: dict) -> None:
    for name, port in STANDINS.items():
        package = name.replace("-", "_")
        prefix = f"STANDIN_{package.upper()}_"
        environment = compose[name]["environment"]
        assert_known_settings(
            name, environment, prefix, settings_class(f"standin_{package}.settings")
        )
        assert environment[f"{prefix}HOST"] == "0.0.0.0"
        assert int(environment[f"{prefix}PORT"]) == port


def assert_known_settings(name: str, environment: dict, prefix: str, settings: type) -> None:
    """Every variable set for a part is one of its settings: a typo would be silently ignored."""
    for key in environment:
        assert key.startswith(prefix), f"{name}: {key} lacks the {prefix} prefix"
        field, _, nested = key.removeprefix(prefix).lower().partition("__")
        assert field in settings.model_fields, f"{name}: {key} is not a setting of {settings}"
        if nested:  # env_nested_delimiter "__": a field of the nested settings model
            model = settings.model_fields[field].annotation
            assert nested in model.model_fields, f"{name}: {key} is not a setting of {model}"


def test_every_host_named_in_an_environment_is_a_compose_service(compose: dict) -> None:
    host_port = re.compile(r"(?:[a-z+]+://)?(?:[^@/\s,]+@)?([a-z][a-z0-9-]*):(\d+)")
    for name, service in compose.items():
        for key, value in (service.get("environment") or {}).items():
            for host, _ in host_port.findall(str(value)):
                assert host in compose or host == "localhost", f"{name}: {key} names {host}"


def test_images_are_pinned(compose: dict) -> None:
    for name, service in compose.items():
        if "build" not in service:
            assert is_pinned(service["image"]), f"{name}: {service['image']} is not pinned"


def test_kafka_init_creates_the_architecture_topics(compose: dict, tmp_path: Path) -> None:
    mounts = bind_mounts(compose["kafka-init"])
    script, topics = mounts["/opt/parovoz/create-topics.sh"], mounts["/opt/parovoz/topics.txt"]
    assert compose["kafka-init"]["depends_on"]["kafka"]["condition"] == "service_healthy"
    # Replay the job with a kafka-topics.sh that records what it is asked to do.
    calls = tmp_path / "calls"
    fake = tmp_path / "kafka-topics.sh"
    fake.write_text(f'#!/bin/sh\necho "$@" >> {calls}\n')
    fake.chmod(0o755)
    env = {"PATH": os.environ["PATH"], "KAFKA_TOPICS": str(fake), "TOPICS_FILE": str(topics)}
    subprocess.run(["bash", str(script)], env=env, check=True, capture_output=True, timeout=30)
    created = {}
    for call in calls.read_text().splitlines():
        args = call.split()
        assert "--if-not-exists" in args
        assert args[args.index("--bootstrap-server") + 1] == "kafka:9092"
        created[args[args.index("--topic") + 1]] = int(args[args.index("--partitions") + 1])
    event_topics = ["developer", "greenlight", "subscription", "payment", "admin"]
    groups = [
        "payment.developer",
        "subscription.developer",
        "developer-portal.admin",
        "developer-portal.greenlight",
        "developer-portal.payment",
        "developer-portal.developer",
        "greenlight.payment",
        "subscription.payment",
    ]
    expected = {f"{t}.events.v1" for t in event_topics} | {f"{g}.events.v1.dlq" for g in groups}
    assert {topic: created.get(topic) for topic in expected} == dict.fromkeys(expected, 3)


def test_create_topics_refuses_a_malformed_list(tmp_path: Path) -> None:
    topics = tmp_path / "topics.txt"
    topics.write_text("good.topic 3\nmissing.partitions\n")
    env = {"PATH": os.environ["PATH"], "KAFKA_TOPICS": "true", "TOPICS_FILE": str(topics)}
    script = REPO / "deploy" / "kafka" / "create-topics.sh"
    result = subprocess.run(["bash", str(script)], env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "missing.partitions" in result.stderr


def settings_class(module_name: str) -> type:
    """The one pydantic-settings class a `settings` module defines."""
    module = importlib.import_module(module_name)
    classes = [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, BaseSettings)
        and value.__module__ == module.__name__
    ]
    assert len(classes) == 1, f"{module_name} should define one settings class"
    return classes[0]


def is_pinned(image: str) -> bool:
    tag = image.rsplit("/", 1)[-1].partition(":")[2]
    return bool(re.search(r"\d", tag)) and "latest" not in tag
