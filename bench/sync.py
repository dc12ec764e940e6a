"""Sync against a moto server on 127.0.0.1: ``run_sync`` against bare boto3 fetching the same pages.

moto's Cost Explorer hands queued answers to new request bodies and replays them for the same body,
so once the first backfill has bound them every run sees the same pages. A is a whole sync (a
13-month backfill into a fresh cache; then a same-day re-run of an up-to-date cache), B is a bare
``get_cost_and_usage`` loop over exactly the requests A made (NextPageToken included), with the
same boto3 client settings. A and B alternate. The re-run also scans EC2 and reads CloudWatch, as
a real sync does; bare boto3 only fetches Cost Explorer pages, so A/B is what the sync adds.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import threading
import time
import urllib.request
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench.caches import ACCOUNTS, DATA, SERVICES, TODAY
from bench.timing import Pair, alternate

DAYS_PER_PAGE = 31
TAGS = ("prod", "production", "staging", "qa", "dev", "sandbox", "rnd", "")


def _amounts(rng: random.Random, scale: float, quantity: bool = False) -> dict[str, Any]:
    amortized = round(rng.uniform(0.5, 1.5) * scale, 6)
    metrics = {"AmortizedCost": {"Amount": str(amortized), "Unit": "USD"},
               "UnblendedCost": {"Amount": str(round(amortized * 1.02, 6)), "Unit": "USD"}}
    if quantity:  # the usage-type query also asks UsageQuantity
        metrics["UsageQuantity"] = {"Amount": str(round(amortized * 10, 4)), "Unit": "Hrs"}
    return metrics


def _pages(first: date, last: date, groups_of_day, rng: random.Random, quantity: bool = False) -> list[dict[str, Any]]:
    """Cost Explorer answers for days first..last, DAYS_PER_PAGE days a page, chained by NextPageToken."""
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    chunks = [days[i:i + DAYS_PER_PAGE] for i in range(0, len(days), DAYS_PER_PAGE)]
    pages = []
    for index, chunk in enumerate(chunks):
        results = [{"TimePeriod": {"Start": d.isoformat(), "End": (d + timedelta(days=1)).isoformat()}, "Total": {},
                    "Groups": [{"Keys": list(keys), "Metrics": _amounts(rng, scale, quantity)} for keys, scale in groups_of_day()],
                    "Estimated": d >= TODAY - timedelta(days=2)} for d in chunk]
        page: dict[str, Any] = {"ResultsByTime": results, "DimensionValueAttributes": []}
        if index + 1 < len(chunks):
            page["NextPageToken"] = f"page-{index + 2}"
        pages.append(page)
    return pages


def answers(first: date, last: date, tag_key: str) -> list[dict[str, Any]]:
    """The four queries' pages in the order a sync asks: facts, detail, accounts, records."""
    rng = random.Random(3)
    services = sorted({s for s, _, _, _ in SERVICES})
    facts = lambda: [((f"{tag_key}${t}", s), 40.0) for t in TAGS for s in services]  # noqa: E731
    detail = lambda: [((s, u), 30.0) for s, u, _, _ in SERVICES]  # noqa: E731
    accounts = lambda: [((a, f"{tag_key}${t}"), 50.0) for a, t in ACCOUNTS]  # noqa: E731
    records = lambda: [((u, "Usage"), 30.0) for u in sorted({u for _, u, _, _ in SERVICES})]  # noqa: E731
    return [*_pages(first, last, facts, rng), *_pages(first, last, detail, rng, quantity=True),
            *_pages(first, last, accounts, rng), *_pages(first, last, records, rng)]


@contextmanager
def moto_server():
    """moto on 127.0.0.1 (a free port), in this process; every request to it is recorded."""
    os.environ["MOTO_EC2_LOAD_DEFAULT_AMIS"] = "false"
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import make_server

    requests: list[dict[str, Any]] = []
    app = DomainDispatcherApplication(create_backend_app)

    def recording(environ, start_response):  # type: ignore[no-untyped-def]
        if environ.get("HTTP_X_AMZ_TARGET", "").endswith(".GetCostAndUsage"):
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length)
            requests.append(json.loads(body))
            import io

            environ["wsgi.input"] = io.BytesIO(body)
        return app(environ, start_response)

    server = make_server("127.0.0.1", 0, recording, threaded=True, request_handler=MotoRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    try:
        yield f"http://{host}:{port}", requests
    finally:
        server.shutdown()
        thread.join(10)


def _post(url: str, payload: dict[str, Any]) -> None:
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()


def bench_sync(pairs: int) -> dict[str, Pair | int]:
    from finops_tui.clock import Clock
    from finops_tui.config import default_settings
    from finops_tui.store import open_store
    from finops_tui.sync import plan_window, run_sync

    settings = default_settings()
    clock = Clock(TODAY, fixed=True)
    workdir = DATA / "sync"
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    saved = {k: os.environ.get(k) for k in ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                                             "AWS_DEFAULT_REGION", "AWS_EC2_METADATA_DISABLED", "AWS_CONFIG_FILE",
                                             "AWS_SHARED_CREDENTIALS_FILE", "AWS_PROFILE")}
    with moto_server() as (url, requests):
        os.environ.update(AWS_ENDPOINT_URL=url, AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench",
                          AWS_DEFAULT_REGION="us-east-1", AWS_EC2_METADATA_DISABLED="true",
                          AWS_CONFIG_FILE=str(workdir / "none"), AWS_SHARED_CREDENTIALS_FILE=str(workdir / "none"))
        os.environ.pop("AWS_PROFILE", None)
        try:
            probe = open_store(workdir / "probe.db")
            backfill = plan_window(probe, settings, TODAY)
            probe.close()
            tag = settings.environments.tag_key
            _post(url + "/moto-api/static/ce/cost-and-usage-results",
                  {"results": answers(backfill.start, backfill.end - timedelta(days=1), tag)})
            counter = iter(range(1_000_000))

            def sync_into(path: Path) -> float:
                store = open_store(path)
                started = time.perf_counter()
                run_sync(store, settings, clock)
                seconds = time.perf_counter() - started
                store.close()
                return seconds

            first_cache = workdir / "backfilled.db"
            del requests[:]
            sync_into(first_cache)  # binds the queued answers to the backfill's request bodies
            backfill_requests = list(requests)
            # The re-run's open window: one page per query, queued now and bound by the first re-run.
            rerun_store = open_store(first_cache)
            window = plan_window(rerun_store, settings, TODAY)
            rerun_store.close()
            _post(url + "/moto-api/static/ce/cost-and-usage-results",
                  {"results": _one_page_each(window.start, window.end - timedelta(days=1), tag)})
            del requests[:]
            rerun_cache = workdir / "rerun.db"
            shutil.copy(first_cache, rerun_cache)
            sync_into(rerun_cache)
            rerun_requests = list(requests)

            import boto3
            from botocore.config import Config

            ce = boto3.Session().client("ce", region_name="us-east-1", config=Config(
                retries={"mode": "standard", "total_max_attempts": 4}, connect_timeout=5, read_timeout=60))

            def bare(bodies: list[dict[str, Any]]) -> float:
                started = time.perf_counter()
                for body in bodies:
                    ce.get_cost_and_usage(**body)
                return time.perf_counter() - started

            def fresh_backfill() -> float:
                return sync_into(workdir / f"backfill-{next(counter)}.db")

            def fresh_rerun() -> float:
                path = workdir / f"rerun-{next(counter)}.db"
                shutil.copy(first_cache, path)
                return sync_into(path)

            backfill_pair = alternate(fresh_backfill, lambda: bare(backfill_requests), pairs, warmup=0)
            rerun_pair = alternate(fresh_rerun, lambda: bare(rerun_requests), pairs, warmup=0)
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
    shutil.rmtree(workdir, ignore_errors=True)
    return {"backfill": backfill_pair, "rerun": rerun_pair, "backfill_pages": len(backfill_requests),
            "rerun_pages": len(rerun_requests)}


def _one_page_each(first: date, last: date, tag: str) -> list[dict[str, Any]]:
    """The open window is a few days: each query's answer fits one page."""
    global DAYS_PER_PAGE
    saved, DAYS_PER_PAGE = DAYS_PER_PAGE, 10_000
    try:
        return answers(first, last, tag)
    finally:
        DAYS_PER_PAGE = saved
