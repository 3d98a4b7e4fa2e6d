#!/usr/bin/env bash
# Installs what `make dev` / `make test` need and is missing: uv (pip), Debian's redis-server,
# nginx, docker-compose and chromium (apt; headless, for the Swagger UI test), PostgreSQL 15
# binaries when absent, then the workspace
# (`uv sync --frozen`, the lock is committed). Idempotent and quick when everything is there.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."

say() { printf 'install: %s\n' "$*"; }

# --- uv ---------------------------------------------------------------------------------------
if command -v uv >/dev/null 2>&1; then
    uv=(uv)
elif python3 -m uv --version >/dev/null 2>&1; then
    uv=(python3 -m uv)
else
    say "uv missing: pip install uv"
    # Debian's python marks itself externally managed (PEP 668); uv is a self-contained tool.
    PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install --quiet uv
    if command -v uv >/dev/null 2>&1; then uv=(uv); else uv=(python3 -m uv); fi
fi

# --- Debian packages --------------------------------------------------------------------------
missing=()
have() { command -v "$1" >/dev/null 2>&1 || [[ -x "/usr/sbin/$1" ]] || [[ -x "/usr/bin/$1" ]]; }
have redis-server || missing+=(redis-server)
have nginx || missing+=(nginx)
have docker-compose || missing+=(docker-compose)
# tests-e2e/test_swagger_ui.py opens every service's Swagger UI in headless Chromium.
have chromium || missing+=(chromium)
if [[ ! -x /usr/lib/postgresql/15/bin/postgres ]]; then
    bindir="$(pg_config --bindir 2>/dev/null || true)"
    [[ -n "$bindir" && -x "$bindir/postgres" ]] || missing+=(postgresql-15)
fi

if ((${#missing[@]})); then
    if [[ "$(id -u)" -ne 0 ]]; then
        say "missing Debian packages: ${missing[*]}" >&2
        say "install them as root: apt-get update && apt-get install -y ${missing[*]}" >&2
        exit 1
    fi
    say "apt-get install ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # Keep the packages' own services (redis on 6379, nginx on 80) from starting: we run our own.
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod 755 /usr/sbin/policy-rc.d
        trap 'rm -f /usr/sbin/policy-rc.d' EXIT
    fi
    apt-get update -q
    apt-get install -y -q "${missing[@]}"
fi

# --- the workspace ----------------------------------------------------------------------------
# --compile-bytecode: imports stay fast even where PYTHONDONTWRITEBYTECODE is set (pyc never cached).
"${uv[@]}" sync --frozen --quiet --compile-bytecode
say "ok"
