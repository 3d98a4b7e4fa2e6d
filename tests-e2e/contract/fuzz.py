"""`make fuzz`: the long schemathesis run over every service's OpenAPI through the gateway.

schemathesis's CLI runs every phase (examples, coverage, fuzzing, stateful) with every check, as
a user with every platform role who owns a developer account, a game and a payout method. Each
service's JSON report goes to .run/fuzz/; the summary (operations tested, failures by kind and
operation, server errors) is printed and written to bench/results/fuzz-latest.json. The exit
status is 1 when anything failed.

    .venv/bin/python tests-e2e/contract/fuzz.py [--max-examples N] [--seed N] [--max-time S]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests-e2e"))

from contract.contract_support import OPENAPI_PATHS, prepare  # noqa: E402
from parovoz_testing.platform import GATEWAY  # noqa: E402
from parovoz_testing.tokens import user_token  # noqa: E402
from standin_auth.tokens import USER_ROLES  # noqa: E402

REPORTS = ROOT / ".run" / "fuzz"
SUMMARY = ROOT / "bench" / "results" / "fuzz-latest.json"
SCHEMATHESIS = ROOT / ".venv" / "bin" / "schemathesis"
#: ST101 server error, ST102 server error with a non-JSON body.
SERVER_ERRORS = {"ST101", "ST102"}


def run_service(service: str, token: str, args: argparse.Namespace) -> dict:
    report = REPORTS / f"{service}.json"
    report.unlink(missing_ok=True)
    config = REPORTS / "schemathesis.toml"
    # schemathesis keeps the crashes it found to replay them first next time: under .run, not in
    # the repository's root.
    # A schema-valid request may still be refused by a business rule (422: the game is not for
    # sale, the coupon does not apply): seed 001 says so. A 400 for schema-valid data stays a
    # finding (the document does not say what the service checks).
    config.write_text(
        f'[cache]\ndirectory = "{REPORTS / "cache"}"\n\n'
        "[checks.positive_data_acceptance]\n"
        'expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "422", "429"]\n'
    )
    command = [
        str(SCHEMATHESIS),
        "--config-file",
        str(config),
        "--no-color",
        "run",
        f"{GATEWAY}{OPENAPI_PATHS[service]}",
        "--url",
        GATEWAY,
        "--header",
        f"Authorization: Bearer {token}",
        "--checks",
        "all",
        "--phases",
        "examples,coverage,fuzzing,stateful",
        "--max-examples",
        str(args.max_examples),
        "--seed",
        str(args.seed),
        "--exclude-path-regex",
        "^/internal/",
        "--workers",
        "2",
        "--request-timeout",
        "30",
        "--report",
        "json",
        "--report-json-path",
        str(report),
    ]
    if args.max_time:
        command += ["--max-time", str(args.max_time)]
    started = time.monotonic()
    log = REPORTS / f"{service}.log"
    with log.open("w") as output:
        environment = {
            **os.environ,
            "SCHEMATHESIS_HOOKS": str(Path(__file__).with_name("fuzz_hooks.py")),
        }
        exit_code = subprocess.call(
            command, stdout=output, stderr=subprocess.STDOUT, cwd=ROOT, env=environment
        )
    elapsed = round(time.monotonic() - started, 1)
    if not report.exists():
        return {"service": service, "error": f"no report (exit {exit_code}); see {log}"}
    data = json.loads(report.read_text())
    failures = [
        {
            "code": failure["code"],
            "title": failure["title"],
            "count": failure["count"],
            "operations": failure["operations"],
        }
        for failure in data.get("failures", [])
    ]
    server_errors = sorted(
        {op for f in failures if f["code"] in SERVER_ERRORS for op in f["operations"]}
    )
    return {
        "service": service,
        "seconds": elapsed,
        "exit_code": exit_code,
        "operations": data["operations"],
        "test_cases": data["test_cases"],
        "phases": {name: phase["status"] for name, phase in data.get("phases", {}).items()},
        "failures": failures,
        # Documented operations with a failure; "TRACE <path>" (a method the document does not
        # declare, ST204) and "Stateful tests" (a sequence of calls) are listed under failures.
        "failing_operations": sorted(
            {
                op
                for f in failures
                for op in f["operations"]
                if not op.startswith("TRACE ") and op != "Stateful tests"
            }
        ),
        "server_errors": server_errors,
        "errors": data.get("errors", []),
        "log": str(log.relative_to(ROOT)),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=50)
    parser.add_argument("--seed", type=int, default=20261111)
    parser.add_argument("--max-time", type=int, default=0, help="seconds per service (0: none)")
    args = parser.parse_args()
    REPORTS.mkdir(parents=True, exist_ok=True)
    SUMMARY.parent.mkdir(parents=True, exist_ok=True)

    token = user_token(str(uuid.uuid4()), tuple(sorted(USER_ROLES)))
    with httpx.Client(base_url=GATEWAY, timeout=30) as client:
        prepare(client, token)

    results = []
    for service in OPENAPI_PATHS:
        print(f"fuzzing {service} ...", flush=True)
        results.append(run_service(service, token, args))
    summary = {
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "gateway": GATEWAY,
        "seed": args.seed,
        "max_examples": args.max_examples,
        "operations_tested": sum(r.get("operations", {}).get("tested", 0) for r in results),
        "test_cases": sum(r.get("test_cases", {}).get("generated", 0) for r in results),
        "failing_operations": sum(len(r.get("failing_operations", [])) for r in results),
        "unique_failures": sum(f["count"] for r in results for f in r.get("failures", [])),
        "server_errors": sum(len(r.get("server_errors", [])) for r in results),
        "services": results,
    }
    SUMMARY.write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n")

    print()
    print(f"{'service':<18}{'operations':>11}{'cases':>8}{'failing ops':>13}{'5xx ops':>9}")
    for r in results:
        if "error" in r:
            print(f"{r['service']:<18} {r['error']}")
            continue
        print(
            f"{r['service']:<18}{r['operations']['tested']:>11}{r['test_cases']['generated']:>8}"
            f"{len(r['failing_operations']):>13}{len(r['server_errors']):>9}"
        )
    print()
    for r in results:
        for failure in r.get("failures", []):
            print(f"{r['service']}: {failure['code']} {failure['title']} x{failure['count']}")
            for operation in failure["operations"]:
                print(f"    {operation}")
    print()
    print(
        f"operations {summary['operations_tested']}, test cases {summary['test_cases']}, "
        f"failing operations {summary['failing_operations']}, unique failures "
        f"{summary['unique_failures']}, operations with server errors {summary['server_errors']}"
    )
    print(f"summary: {SUMMARY.relative_to(ROOT)}; full output: .run/fuzz/<service>.log")
    failed = any("error" in r or r["failures"] or r["errors"] for r in results)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
