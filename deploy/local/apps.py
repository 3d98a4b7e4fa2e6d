"""Our own processes: migrations, the four services, the stand-ins, and nginx as the gateway."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

from parts import Launch, Part
from procs import (
    REPO,
    RUN,
    VENV_BIN,
    PlatformError,
    http_status,
    log_path,
    port_open,
    say,
    state_dir,
    warn,
)

GATEWAY_PORT = 8080
# Overridable so the gateway can be tried with another template.
GATEWAY_TEMPLATE = Path(
    os.environ.get(
        "PAROVOZ_GATEWAY_TEMPLATE", REPO / "deploy" / "gateway" / "default.conf.template"
    )
)


@dataclass(frozen=True)
class ServiceInfo:
    name: str
    http_port: int
    grpc_port: int
    prefix: str
    upstream_var: str  # placeholder of the gateway template

    @property
    def package(self) -> str:
        return "parovoz_" + self.name.replace("-", "_")

    @property
    def folder(self) -> Path:
        return REPO / "services" / self.name


SERVICES = (
    ServiceInfo("developer-portal", 8081, 9091, "/api/v1/developer", "DEVELOPER_PORTAL_UPSTREAM"),
    ServiceInfo("greenlight", 8082, 9092, "/api/v1/greenlight", "GREENLIGHT_UPSTREAM"),
    ServiceInfo("subscription", 8083, 9093, "/api/v1/subscriptions", "SUBSCRIPTION_UPSTREAM"),
    ServiceInfo("payment", 8084, 9094, "/api/v1/payments", "PAYMENT_UPSTREAM"),
)

LIB_SOURCES = sorted((REPO / "libs").glob("*/src"))

# Stand-in folder under deploy/standins/ -> its port (ARCHITECTURE.md, "Stand-ins").
STANDIN_PORTS = {
    "auth": 8090,
    "provider-sandbox": 8091,
    "user": 8092,
    "admin": 8093,
    "catalog": 8094,
}


def migrate_all() -> None:
    """`alembic upgrade heads` for every service that has migrations, in parallel."""
    running: list[tuple[str, subprocess.Popen[bytes]]] = []
    for service in SERVICES:
        if not (service.folder / "alembic.ini").exists():
            warn(f"{service.name}: no alembic.ini yet, migrations skipped")
            continue
        name = f"migrate-{service.name}"
        with log_path(name).open("ab") as log:
            proc = subprocess.Popen(
                [str(VENV_BIN / "alembic"), "upgrade", "heads"],
                cwd=service.folder,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        running.append((name, proc))
    failed = []
    for name, proc in running:
        try:
            code = proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = proc.wait()
        if code != 0:
            failed.append(name)
    if failed:
        from procs import fail_with_log

        raise fail_with_log(failed[0], f"alembic upgrade head failed ({', '.join(failed)})")
    if running:
        say(f"migrations: {len(running)} service(s) at head")


class Service(Part):
    def __init__(self, info: ServiceInfo) -> None:
        super().__init__(
            info.name,
            info.http_port,
            f"http://127.0.0.1:{GATEWAY_PORT}{info.prefix}/docs"
            f"  (direct :{info.http_port}, grpc 127.0.0.1:{info.grpc_port})",
            start_timeout=90,
        )
        self.info = info

    def sources(self) -> list[Path]:
        return [self.info.folder / "src", *LIB_SOURCES]

    def launch(self) -> Launch:
        return Launch([str(VENV_BIN / f"parovoz-{self.name}")], cwd=self.info.folder)

    def healthy(self) -> bool:
        return http_status(f"http://127.0.0.1:{self.port}/health") == 200 and port_open(
            self.info.grpc_port
        )


def service_parts(announce: bool = True) -> list[Part]:
    parts: list[Part] = []
    for info in SERVICES:
        if not (info.folder / "src" / info.package / "main.py").exists():
            if announce:
                warn(f"{info.name}: src/{info.package}/main.py does not exist yet, not started")
            continue
        parts.append(Service(info))
    return parts


class StandIn(Part):
    def __init__(self, folder: str, module: str, port: int) -> None:
        super().__init__(f"standin-{folder}", port, f"http://127.0.0.1:{port}", 60)
        self.module = module
        self.folder = REPO / "deploy" / "standins" / folder

    def sources(self) -> list[Path]:
        return [self.folder / "src", *LIB_SOURCES]

    def launch(self) -> Launch:
        return Launch([str(VENV_BIN / "python"), "-m", self.module])

    def healthy(self) -> bool:
        return http_status(f"http://127.0.0.1:{self.port}/health") == 200


def standin_parts(announce: bool = True) -> list[Part]:
    parts: list[Part] = []
    for folder in sorted((REPO / "deploy" / "standins").glob("*/")):
        module = "standin_" + folder.name.replace("-", "_")
        if not (folder / "src" / module / "__main__.py").exists():
            continue
        port = STANDIN_PORTS.get(folder.name)
        if port is None:
            if announce:
                warn(f"stand-in {folder.name}: no port in STANDIN_PORTS (deploy/local/apps.py)")
            continue
        parts.append(StandIn(folder.name, module, port))
    return parts


def render_gateway_conf(template: str) -> str:
    """What the nginx image's envsubst does in compose, limited to our four placeholders so
    nginx's own `$variables` stay untouched."""
    values = {s.upstream_var: f"127.0.0.1:{s.http_port}" for s in SERVICES}
    pattern = re.compile(r"\$\{(" + "|".join(values) + r")\}")
    return pattern.sub(lambda match: values[match.group(1)], template)


class Gateway(Part):
    """nginx in the foreground (`daemon off`), config rendered under .run/nginx. Its pid and temp
    files live in the /var/tmp state folder because workers drop root and may not reach .run."""

    def __init__(self) -> None:
        super().__init__("gateway", GATEWAY_PORT, f"http://127.0.0.1:{GATEWAY_PORT}", 30)
        self.conf_dir = RUN / "nginx"
        self.main_conf = self.conf_dir / "nginx.conf"
        self.site_conf = self.conf_dir / "conf.d" / "default.conf"
        self.var_dir = state_dir() / "nginx"
        self.nginx = shutil.which("nginx") or "/usr/sbin/nginx"

    def _write_conf(self) -> bool:
        """Render both files; True if anything changed."""
        self.site_conf.parent.mkdir(parents=True, exist_ok=True)
        self.var_dir.mkdir(mode=0o755, exist_ok=True)
        temp_paths = "\n".join(
            f"    {kind}_temp_path {self.var_dir / kind};"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        main = f"""# Generated by deploy/local/platform.py; edit deploy/gateway/ instead.
daemon off;
worker_processes 1;
pid {self.var_dir / "nginx.pid"};
error_log stderr notice;

events {{
    worker_connections 1024;
}}

http {{
    # The site's own access_log (the template's, token-free format) goes to stdout: the
    # gateway's log under .run/logs.
    access_log off;
{temp_paths}
    include {self.site_conf.parent}/*.conf;
}}
"""
        site = render_gateway_conf(GATEWAY_TEMPLATE.read_text())
        changed = False
        for path, text in ((self.main_conf, main), (self.site_conf, site)):
            if not path.exists() or path.read_text() != text:
                path.write_text(text)
                changed = True
        return changed

    def _base_argv(self) -> list[str]:
        return [self.nginx, "-p", f"{self.var_dir}/", "-c", str(self.main_conf)]

    def _check_conf(self) -> None:
        done = subprocess.run(
            [*self._base_argv(), "-t", "-q"], capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise PlatformError(f"gateway: nginx -t failed:\n{done.stderr}")

    def prepare(self) -> None:
        self._write_conf()
        self._check_conf()

    def launch(self) -> Launch:
        return Launch(self._base_argv())

    def healthy(self) -> bool:
        if not port_open(self.port):
            return False
        for info in SERVICES:
            if port_open(info.http_port):
                url = f"http://127.0.0.1:{self.port}{info.prefix}/health"
                if http_status(url) != 200:
                    return False
        return True

    def after_healthy(self, started_here: bool) -> None:
        from procs import running_pid

        pid = running_pid(self.name)
        if started_here or pid is None or not self._write_conf():
            return
        self._check_conf()
        os.kill(pid, signal.SIGHUP)  # nginx re-reads its config without dropping connections
        say("gateway: config changed, nginx reloaded")


def gateway_parts(announce: bool = True) -> list[Part]:
    if not GATEWAY_TEMPLATE.exists():
        if announce:
            warn(f"gateway: {GATEWAY_TEMPLATE} does not exist yet, not started")
        return []
    return [Gateway()]
