"""deploy/k8s: the kustomize bases (one per service), the overlays and the gateway, checked
without a cluster.

The files are read with pyyaml and held to the architecture (ports, probes, settings) and to
the deployment rules (non-root, no committed secrets, selectors that select the right pods).
When `kubectl` is installed, its built-in kustomize also renders every kustomization, so the
generated names (hash-suffixed ConfigMaps and Secrets) are checked as a cluster would get them.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
K8S = REPO / "deploy" / "k8s"
GATEWAY_TEMPLATE = REPO / "deploy" / "gateway" / "default.conf.template"

# service -> (env prefix, REST port, gRPC port), as in ARCHITECTURE.md.
SERVICES = {
    "developer-portal": ("DEVELOPER_PORTAL_", 8081, 9091),
    "greenlight": ("GREENLIGHT_", 8082, 9092),
    "subscription": ("SUBSCRIPTION_", 8083, 9093),
    "payment": ("PAYMENT_", 8084, 9094),
}
BASE_KINDS = {"Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget", "Job"}
OVERLAYS = ("local", "production")
NON_ROOT_UID = 10001
# A value that looks like a credential: words, or a URL with a password in it.
SECRET_LOOKING = re.compile(r"password|secret|://[^/@\s]*:[^/@\s]*@", re.IGNORECASE)
DEV_MARKERS = ("dev-password", "dev-secret", "parovoz-dev")
# First apply step: the migration Jobs and what they need, never the Deployments.
BEFORE_ROLLOUT = ("parovoz.io/apply-phase", "before-rollout")


# --- reading kustomizations ------------------------------------------------------------------


def read_yaml_documents(path: Path) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc is not None]


def kustomization(folder: Path) -> dict:
    return yaml.safe_load((folder / "kustomization.yaml").read_text())


def all_kustomization_folders() -> list[Path]:
    return sorted(path.parent for path in K8S.rglob("kustomization.yaml"))


def folder_id(folder: Path) -> str:
    return str(folder.relative_to(K8S))


def generator_file_path(folder: Path, entry: str) -> Path:
    """`files:` entries are `path` or `key=path`."""
    return (folder / entry.split("=", 1)[-1]).resolve()


def literals(generator: dict) -> dict[str, str]:
    pairs = (literal.split("=", 1) for literal in generator.get("literals", []))
    return {key: value for key, value in pairs}


def resource_documents(folder: Path) -> list[dict]:
    """The objects a kustomization lists as files (not those of referenced folders)."""
    documents = []
    for entry in kustomization(folder).get("resources", []):
        path = folder / entry
        if path.is_file():
            documents.extend(read_yaml_documents(path))
    return documents


def base_objects(name: str) -> dict[str, dict]:
    """kind -> the one object of that kind in the base (generated ConfigMap included)."""
    folder = K8S / name
    objects: dict[str, list[dict]] = {}
    for document in resource_documents(folder):
        objects.setdefault(document["kind"], []).append(document)
    for generator in kustomization(folder).get("configMapGenerator", []):
        labels = generator.get("options", {}).get("labels", {})
        config_map = {
            "kind": "ConfigMap",
            "metadata": {"name": generator["name"], "labels": labels},
        }
        config_map["data"] = literals(generator)
        objects.setdefault("ConfigMap", []).append(config_map)
    duplicated = {kind: len(items) for kind, items in objects.items() if len(items) != 1}
    assert not duplicated, f"{name}: more than one object of a kind: {duplicated}"
    return {kind: items[0] for kind, items in objects.items()}


def container(workload: dict) -> dict:
    containers = workload["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1, "one container per pod"
    return containers[0]


def named_port(workload: dict, port: int | str) -> int:
    if isinstance(port, int):
        return port
    by_name = {entry["name"]: entry["containerPort"] for entry in container(workload)["ports"]}
    return by_name[port]


def env_values(workload: dict) -> dict[str, str]:
    return {entry["name"]: entry.get("value") for entry in container(workload).get("env", [])}


def env_sources(workload: dict) -> list[tuple[str, str]]:
    sources = []
    for source in container(workload).get("envFrom", []):
        for kind in ("configMapRef", "secretRef"):
            if kind in source:
                sources.append((kind, source[kind]["name"]))
    return sources


# --- every kustomization ---------------------------------------------------------------------


@pytest.mark.parametrize("folder", all_kustomization_folders(), ids=folder_id)
def test_every_listed_file_exists_and_parses(folder: Path) -> None:
    spec = kustomization(folder)
    assert spec["kind"] == "Kustomization"
    for entry in spec.get("resources", []):
        path = (folder / entry).resolve()
        if path.is_dir():
            assert (path / "kustomization.yaml").is_file(), f"{entry}: not a kustomization"
        else:
            assert path.is_file(), f"{folder.name}: {entry} is listed but missing"
            assert read_yaml_documents(path), f"{entry} holds no object"
    for patch in spec.get("patches", []):
        if "path" in patch:
            assert read_yaml_documents(folder / patch["path"])
        else:
            assert yaml.safe_load(patch["patch"]), "an inline patch that is empty"
    for generator in spec.get("configMapGenerator", []) + spec.get("secretGenerator", []):
        for entry in generator.get("files", []):
            assert generator_file_path(folder, entry).is_file(), f"{entry} is missing"


def test_the_architecture_s_services_have_a_base_each() -> None:
    folders = {path.name for path in K8S.iterdir() if (path / "kustomization.yaml").is_file()}
    assert set(SERVICES) <= folders


# --- the four bases --------------------------------------------------------------------------


@pytest.fixture(params=sorted(SERVICES))
def service(request: pytest.FixtureRequest) -> str:
    return request.param


def test_a_base_holds_exactly_what_a_service_needs(service: str) -> None:
    objects = base_objects(service)
    assert set(objects) == BASE_KINDS | {"ConfigMap"}
    assert "namespace" not in kustomization(K8S / service), "a base must fit any namespace"
    # The Secret is the operator's: never an object of the base.
    assert "secretGenerator" not in kustomization(K8S / service)


def test_image_and_ports_are_the_architecture_s(service: str) -> None:
    prefix, http, grpc = SERVICES[service]
    objects = base_objects(service)
    deployment = objects["Deployment"]
    main = container(deployment)
    assert main["image"].split(":")[0] == f"parovoz/{service}"
    assert {p["name"]: p["containerPort"] for p in main["ports"]} == {"http": http, "grpc": grpc}
    env = env_values(deployment)
    assert env[f"{prefix}HTTP_PORT"] == str(http)
    assert env[f"{prefix}GRPC_PORT"] == str(grpc)
    assert env[f"{prefix}HTTP_HOST"] == "0.0.0.0"
    assert env[f"{prefix}GRPC_HOST"] == "0.0.0.0"

    service_ports = {port["name"]: port for port in objects["Service"]["spec"]["ports"]}
    assert set(service_ports) == {"http", "grpc"}
    assert service_ports["http"]["port"] == http
    assert service_ports["grpc"]["port"] == grpc
    assert service_ports["grpc"]["appProtocol"] == "grpc"
    for name, port in service_ports.items():
        assert named_port(deployment, port["targetPort"]) == named_port(deployment, name)

    annotations = deployment["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/scrape"] == "true"
    assert annotations["prometheus.io/path"] == "/metrics"
    assert annotations["prometheus.io/port"] == str(http)


def test_probes_ask_the_service_s_own_endpoints(service: str) -> None:
    _, http, grpc = SERVICES[service]
    deployment = base_objects(service)["Deployment"]
    main = container(deployment)
    liveness = main["livenessProbe"]["httpGet"]
    readiness = main["readinessProbe"]["httpGet"]
    assert (liveness["path"], named_port(deployment, liveness["port"])) == ("/health", http)
    assert (readiness["path"], named_port(deployment, readiness["port"])) == ("/ready", http)
    # The standard gRPC health service (empty service name: the whole server).
    startup = main["startupProbe"]["grpc"]
    assert startup["port"] == grpc
    assert startup.get("service", "") == ""


def test_pods_run_unprivileged(service: str) -> None:
    objects = base_objects(service)
    for workload in (objects["Deployment"], objects["Job"]):
        pod = workload["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["runAsUser"] == NON_ROOT_UID
        assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
        assert pod["automountServiceAccountToken"] is False
        security = container(workload)["securityContext"]
        assert security["readOnlyRootFilesystem"] is True
        assert security["allowPrivilegeEscalation"] is False
        assert security["capabilities"]["drop"] == ["ALL"]
        resources = container(workload)["resources"]
        assert {"cpu", "memory"} <= set(resources["requests"]) & set(resources["limits"])


def test_pods_stop_gracefully_and_spread(service: str) -> None:
    deployment = base_objects(service)["Deployment"]
    pod = deployment["spec"]["template"]["spec"]
    pre_stop = container(deployment)["lifecycle"]["preStop"]["exec"]["command"]
    assert pre_stop[0] == "sleep"
    assert 0 < int(pre_stop[1]) < pod["terminationGracePeriodSeconds"]
    selector = deployment["spec"]["selector"]["matchLabels"]
    keys = {constraint["topologyKey"] for constraint in pod["topologySpreadConstraints"]}
    assert {"topology.kubernetes.io/zone", "kubernetes.io/hostname"} <= keys
    for constraint in pod["topologySpreadConstraints"]:
        assert constraint["labelSelector"]["matchLabels"] == selector


def test_selectors_pick_the_deployment_s_pods_and_only_them(service: str) -> None:
    objects = base_objects(service)
    deployment = objects["Deployment"]
    selector = deployment["spec"]["selector"]["matchLabels"]
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert selector.items() <= pod_labels.items()
    assert pod_labels["app.kubernetes.io/name"] == service
    assert pod_labels["app.kubernetes.io/part-of"] == "parovoz"
    assert "app.kubernetes.io/component" in selector
    for kind in BASE_KINDS:
        labels = objects[kind]["metadata"]["labels"]
        assert labels["app.kubernetes.io/name"] == service, kind
        assert labels["app.kubernetes.io/part-of"] == "parovoz", kind

    assert objects["Service"]["spec"]["selector"] == selector
    assert objects["PodDisruptionBudget"]["spec"]["selector"]["matchLabels"] == selector
    assert objects["PodDisruptionBudget"]["spec"]["minAvailable"] == 1
    hpa = objects["HorizontalPodAutoscaler"]
    assert hpa["apiVersion"] == "autoscaling/v2"
    target = hpa["spec"]["scaleTargetRef"]
    assert (target["kind"], target["name"]) == ("Deployment", deployment["metadata"]["name"])
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (2, 10)
    assert deployment["spec"]["replicas"] == hpa["spec"]["minReplicas"]
    (metric,) = hpa["spec"]["metrics"]
    assert metric["resource"]["name"] == "cpu"
    assert metric["resource"]["target"]["averageUtilization"] == 70

    # The migration pod must never receive traffic nor count towards the budget.
    job_labels = objects["Job"]["spec"]["template"]["metadata"]["labels"]
    assert not selector.items() <= job_labels.items()


def test_settings_come_from_the_config_map_and_the_operator_s_secret(service: str) -> None:
    prefix, _, _ = SERVICES[service]
    objects = base_objects(service)
    config = objects["ConfigMap"]["data"]
    assert all(key.startswith(prefix) for key in config)
    assert config[f"{prefix}ENVIRONMENT"] == "production"
    assert config[f"{prefix}KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
    assert config[f"{prefix}REDIS_URL"].startswith("redis://redis:6379/")
    assert config[f"{prefix}AUTH_JWKS_URL"].endswith("/.well-known/jwks.json")
    assert {f"{prefix}OTEL_EXPORTER_OTLP_ENDPOINT", f"{prefix}LOG_LEVEL"} <= set(config)
    expected_sources = [
        ("configMapRef", objects["ConfigMap"]["metadata"]["name"]),
        # Last, so a key the operator puts in the Secret wins over the ConfigMap's.
        ("secretRef", f"{service}-secrets"),
    ]
    assert env_sources(objects["Deployment"]) == expected_sources
    assert env_sources(objects["Job"]) == expected_sources


def test_the_secret_example_documents_keys_without_values(service: str) -> None:
    prefix, _, _ = SERVICES[service]
    folder = K8S / service
    assert "secret.example.yaml" not in kustomization(folder)["resources"]
    (secret,) = read_yaml_documents(folder / "secret.example.yaml")
    assert secret["kind"] == "Secret"
    assert secret["metadata"]["name"] == f"{service}-secrets"
    data = secret["stringData"]
    required = {f"{prefix}{key}" for key in ("DATABASE_URL", "S3_ACCESS_KEY", "S3_SECRET_KEY")}
    assert required <= set(data)
    for key, value in data.items():
        assert "<" in value and ">" in value, f"{key} must be a placeholder, not a value"


def test_the_migration_job_runs_alembic_before_the_rollout(service: str) -> None:
    objects = base_objects(service)
    job = objects["Job"]
    main = container(job)
    assert main["command"] == ["alembic", "upgrade", "head"]
    assert main["image"] == container(objects["Deployment"])["image"]
    assert job["spec"]["backoffLimit"] > 0
    assert job["spec"]["ttlSecondsAfterFinished"] > 0
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    assert job["metadata"]["annotations"]["parovoz.io/run-before"] == f"deployment/{service}"
    assert job["metadata"]["labels"]["app.kubernetes.io/component"] == "migration"


def is_before_rollout(obj: dict) -> bool:
    key, value = BEFORE_ROLLOUT
    return obj["metadata"].get("labels", {}).get(key) == value


def test_the_first_apply_step_holds_the_job_and_its_config_but_not_the_rollout(
    service: str,
) -> None:
    objects = base_objects(service)
    assert is_before_rollout(objects["Job"])
    assert is_before_rollout(objects["ConfigMap"])
    for kind in ("Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget"):
        assert not is_before_rollout(objects[kind]), kind


# --- no committed secrets --------------------------------------------------------------------


def settings_values(folder: Path) -> list[tuple[str, str]]:
    """Every env value and ConfigMap literal a kustomization (files + generators) commits."""
    found = []
    for document in resource_documents(folder):
        if document["kind"] in {"Deployment", "Job"}:
            found.extend(env_values(document).items())
        if document["kind"] == "ConfigMap":
            found.extend(document.get("data", {}).items())
        assert document["kind"] != "Secret", f"{folder.name} commits a Secret object"
    for generator in kustomization(folder).get("configMapGenerator", []):
        found.extend(literals(generator).items())
    return found


@pytest.mark.parametrize("folder", all_kustomization_folders(), ids=folder_id)
def test_no_secret_values_in_env_or_config(folder: Path) -> None:
    for key, value in settings_values(folder):
        assert not SECRET_LOOKING.search(value or ""), f"{key} holds a secret-looking value"


def test_only_the_local_overlay_generates_secrets_and_only_development_ones() -> None:
    for folder in all_kustomization_folders():
        if folder != K8S / "overlays" / "local":
            assert "secretGenerator" not in kustomization(folder), folder
    generators = kustomization(K8S / "overlays" / "local")["secretGenerator"]
    assert {generator["name"] for generator in generators} == {f"{s}-secrets" for s in SERVICES}
    for generator in generators:
        for key, value in literals(generator).items():
            # The services refuse these markers when ENVIRONMENT=production.
            assert any(marker in value for marker in DEV_MARKERS), f"{key}: not a dev value"


# --- overlays and gateway --------------------------------------------------------------------


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_overlays_compose_every_base(overlay: str) -> None:
    folder = K8S / "overlays" / overlay
    spec = kustomization(folder)
    assert spec["namespace"] == "parovoz"
    referenced = {(folder / entry).resolve() for entry in spec["resources"]}
    assert {(K8S / name).resolve() for name in SERVICES} <= referenced
    assert {image["name"] for image in spec["images"]} == {f"parovoz/{s}" for s in SERVICES}
    assert {replica["name"] for replica in spec["replicas"]} == set(SERVICES)


def test_the_local_overlay_runs_in_development() -> None:
    generators = kustomization(K8S / "overlays" / "local")["configMapGenerator"]
    by_name = {generator["name"]: generator for generator in generators}
    for name, (prefix, _, _) in SERVICES.items():
        generator = by_name[f"{name}-config"]
        assert generator["behavior"] == "merge"
        assert literals(generator)[f"{prefix}ENVIRONMENT"] == "development"


def test_the_gateway_proxies_to_the_four_services_with_the_shared_template() -> None:
    folder = K8S / "gateway"
    (generator,) = kustomization(folder)["configMapGenerator"]
    (entry,) = generator["files"]
    assert entry.split("=", 1)[0] == "default.conf.template"
    assert generator_file_path(folder, entry) == GATEWAY_TEMPLATE.resolve()
    (deployment,) = (d for d in resource_documents(folder) if d["kind"] == "Deployment")
    env = env_values(deployment)
    upstreams = {key: value for key, value in env.items() if key.endswith("_UPSTREAM")}
    expected = {
        f"{prefix}UPSTREAM": f"{name}:{http}" for name, (prefix, http, _) in SERVICES.items()
    }
    assert upstreams == expected
    template = GATEWAY_TEMPLATE.read_text()
    assert set(re.findall(r"\$\{(\w+)\}", template)) == set(upstreams)
    assert all(re.fullmatch(env["NGINX_ENVSUBST_FILTER"], key) for key in upstreams)
    mounts = {mount["name"]: mount["mountPath"] for mount in container(deployment)["volumeMounts"]}
    assert mounts["templates"] == "/etc/nginx/templates"
    assert deployment["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"] is True
    assert container(deployment)["securityContext"]["readOnlyRootFilesystem"] is True


# --- rendered by kustomize (when kubectl is installed) ---------------------------------------


def render(folder: Path, *flags: str) -> list[dict]:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl (with its built-in kustomize) is not installed")
    result = subprocess.run(
        [kubectl, "kustomize", *flags, str(folder)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc is not None]


def assert_references_resolve(objects: list[dict]) -> None:
    names = {(obj["kind"], obj["metadata"]["name"]) for obj in objects}
    for workload in (obj for obj in objects if obj["kind"] in {"Deployment", "Job"}):
        for kind, name in env_sources(workload):
            if kind == "configMapRef":
                assert ("ConfigMap", name) in names, f"{name}: no such ConfigMap"


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_each_base_renders_on_its_own(name: str) -> None:
    objects = render(K8S / name)
    assert sorted(obj["kind"] for obj in objects) == sorted(BASE_KINDS | {"ConfigMap"})
    assert_references_resolve(objects)
    for obj in objects:
        assert "namespace" not in obj["metadata"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_overlay_renders_all_services_into_the_namespace(overlay: str) -> None:
    objects = render(K8S / "overlays" / overlay)
    assert_references_resolve(objects)
    namespaced = [obj for obj in objects if obj["kind"] != "Namespace"]
    assert all(obj["metadata"]["namespace"] == "parovoz" for obj in namespaced)
    deployments = {obj["metadata"]["name"]: obj for obj in objects if obj["kind"] == "Deployment"}
    assert set(deployments) == set(SERVICES)
    secrets = {obj["metadata"]["name"] for obj in objects if obj["kind"] == "Secret"}
    for name, deployment in deployments.items():
        (secret_ref,) = (ref for kind, ref in env_sources(deployment) if kind == "secretRef")
        if overlay == "local":
            assert secret_ref in secrets  # generated, hash-suffixed, reference rewritten
        else:
            assert secret_ref == f"{name}-secrets" and not secrets
        assert ":" in container(deployment)["image"]

    # `apply -l parovoz.io/apply-phase=before-rollout` must give each Job all it needs.
    first_step = [obj for obj in objects if is_before_rollout(obj)]
    assert {obj["kind"] for obj in first_step} <= {"Namespace", "ConfigMap", "Secret", "Job"}
    assert any(obj["kind"] == "Namespace" for obj in first_step)
    present = {(obj["kind"], obj["metadata"]["name"]) for obj in first_step}
    jobs = [obj for obj in first_step if obj["kind"] == "Job"]
    assert len(jobs) == len(SERVICES)
    for job in jobs:
        for kind, name in env_sources(job):
            if kind == "configMapRef" or overlay == "local":
                wanted = "ConfigMap" if kind == "configMapRef" else "Secret"
                assert (wanted, name) in present, f"{job['metadata']['name']} needs {name}"


def test_the_gateway_renders_with_the_shared_template() -> None:
    objects = render(K8S / "gateway", "--load-restrictor", "LoadRestrictionsNone")
    (config_map,) = (obj for obj in objects if obj["kind"] == "ConfigMap")
    assert config_map["data"]["default.conf.template"] == GATEWAY_TEMPLATE.read_text()
    (deployment,) = (obj for obj in objects if obj["kind"] == "Deployment")
    pod = deployment["spec"]["template"]["spec"]
    volumes = {volume["name"]: volume for volume in pod["volumes"]}
    assert volumes["templates"]["configMap"]["name"] == config_map["metadata"]["name"]
