"""Benchmarks, each printed as a ratio against a baseline measured in the same run.

gateway_overhead: GET <prefix>/health through nginx vs straight to the service.
The baseline is the direct call, so the figure is "how many times slower through the
gateway" — stable across machines, unlike absolute numbers.
"""

from __future__ import annotations

import argparse
import statistics
import time

import httpx

SERVICES = {
    "developer-portal": ("/api/v1/developer", 8081),
    "greenlight": ("/api/v1/greenlight", 8082),
    "subscription": ("/api/v1/subscriptions", 8083),
    "payment": ("/api/v1/payments", 8084),
}


def _median_latency(client: httpx.Client, url: str, requests: int) -> float:
    for _ in range(20):  # warm keep-alive connections and caches
        client.get(url)
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        samples.append(time.perf_counter() - started)
        response.raise_for_status()
    return statistics.median(samples)


def gateway_overhead(requests: int) -> None:
    print(f"{'service':18} {'direct ms':>10} {'gateway ms':>11} {'ratio':>6}")
    with httpx.Client() as client:
        for name, (prefix, port) in SERVICES.items():
            direct = _median_latency(client, f"http://127.0.0.1:{port}{prefix}/health", requests)
            gateway = _median_latency(client, f"http://127.0.0.1:8080{prefix}/health", requests)
            print(f"{name:18} {direct * 1e3:10.2f} {gateway * 1e3:11.2f} {gateway / direct:6.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=500, help="timed requests per target")
    args = parser.parse_args()
    gateway_overhead(args.requests)


if __name__ == "__main__":
    main()
