"""A real moto server on 127.0.0.1 for the whole session, with a small fault-injecting WSGI middleware.

boto3 reaches it over HTTP through ``AWS_ENDPOINT_URL``; state is reset before
each test through ``POST /moto-api/reset``. Cost Explorer answers are queued by
POSTing ``{"results": [...]}`` to ``/moto-api/static/ce/cost-and-usage-results``:
moto hands the next queued result to each new distinct request body (a request
with a NextPageToken is a new body) and replays it for the same body.

Real Cost Explorer answers every day of a DAILY window, with ``"Groups": []``
on days without spend; queued results name only the days a test reasons about,
so the middleware adds the empty days to the last page of each query
(``FaultInjector.fill_ce_days``; a test of a short answer turns it off).
"""

from __future__ import annotations

import io
import json
import os
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest


@dataclass
class Fault:
    operation: str  # e.g. "GetCostAndUsage"
    status: int = 400
    code: str = "ThrottlingException"
    times: int = 1_000_000  # how many requests to fail
    after: int = 0  # let this many matching requests through first
    hold: threading.Event | None = None  # block the request until set (a sync "mid-run")
    reached: threading.Event = field(default_factory=threading.Event)


class FaultInjector:
    """WSGI middleware: records every operation, and fails or holds the ones a test asks for.

    It also answers operations moto does not implement (Cost Optimization Hub, Compute
    Optimizer, Cost Explorer coverage and utilization) from ``fakes``: operation name ->
    a JSON-able answer in the real response shape, or a callable of the request body.
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self.faults: list[Fault] = []
        self.operations: list[str] = []
        self.fakes: dict[str, Any] = {}
        self.lock = threading.Lock()
        self.fill_ce_days = True
        self._ce_days: dict[str, set[str]] = {}  # query (request body without its page token) -> days answered

    def fake_answer(self, environ: dict[str, Any], operation: str, body: bytes, start_response: Any) -> list[bytes]:
        answer = self.fakes[operation]
        if callable(answer):
            answer = answer(body)
        payload = json.dumps(answer).encode()  # the JSON protocols (Cost Explorer, the Hub, Compute Optimizer)
        start_response("200 OK", [("Content-Type", "application/x-amz-json-1.1"), ("Content-Length", str(len(payload)))])
        return [payload]

    @staticmethod
    def operation(environ: dict[str, Any], body: bytes) -> str:
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if target:
            return target.rsplit(".", 1)[-1]
        path = environ.get("PATH_INFO", "")
        if "/operation/" in path:  # smithy-rpc-v2-cbor: /service/<name>/operation/<Operation>
            return path.rsplit("/", 1)[-1]
        params = urllib.parse.parse_qs(body.decode("utf-8", "replace")) if body else {}
        action = params.get("Action") or urllib.parse.parse_qs(environ.get("QUERY_STRING", "")).get("Action")
        return action[0] if action else path

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        operation = self.operation(environ, body)
        if environ.get("PATH_INFO", "").startswith("/moto-api"):
            return self.app(environ, start_response)
        with self.lock:
            self.operations.append(operation)
            fault = next((f for f in self.faults if f.operation == operation and f.times > 0), None)
            if fault is not None and fault.after > 0:
                fault.after -= 1
                fault = None
            elif fault is not None and fault.hold is None:
                fault.times -= 1
        if fault is None and operation in self.fakes:
            return self.fake_answer(environ, operation, body, start_response)
        if fault is not None and fault.hold is not None:
            fault.reached.set()
            fault.hold.wait(60)
            if operation == "GetCostAndUsage" and self.fill_ce_days:
                return self._filled(environ, body, start_response)
            return self.app(environ, start_response)
        if fault is None and operation == "GetCostAndUsage" and self.fill_ce_days:
            return self._filled(environ, body, start_response)
        if fault is not None:
            payload = json.dumps({"__type": fault.code, "message": f"injected {fault.code}"}).encode()
            if environ.get("HTTP_X_AMZ_TARGET") is None:
                payload = (f"<ErrorResponse><Error><Code>{fault.code}</Code><Message>injected</Message></Error>"
                           "<RequestId>x</RequestId></ErrorResponse>").encode()
            reason = {400: "Bad Request", 500: "Internal Server Error", 503: "Service Unavailable"}.get(fault.status, "Error")
            start_response(f"{fault.status} {reason}", [("Content-Type", "application/x-amz-json-1.1"),
                                                         ("x-amzn-ErrorType", fault.code),
                                                         ("Content-Length", str(len(payload)))])
            return [payload]
        return self.app(environ, start_response)


    def _filled(self, environ: dict[str, Any], body: bytes, start_response: Any) -> Any:
        """moto's answer, with the window's unanswered days added (empty) to a query's last page, as AWS does."""
        from datetime import date, timedelta

        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured["status"], captured["headers"] = status, headers
            return lambda data: None

        raw = b"".join(self.app(environ, capture))
        try:
            request, answer = json.loads(body or b"{}"), json.loads(raw or b"{}")
        except ValueError:
            request, answer = {}, {}
        if not captured["status"].startswith("200") or not isinstance(answer.get("ResultsByTime"), list):
            start_response(captured["status"], captured["headers"])
            return [raw]
        query = json.dumps({k: v for k, v in request.items() if k != "NextPageToken"}, sort_keys=True)
        with self.lock:
            if "NextPageToken" not in request:
                self._ce_days[query] = set()
            days = self._ce_days.setdefault(query, set())
            days.update(p.get("TimePeriod", {}).get("Start", "") for p in answer["ResultsByTime"] if isinstance(p, dict))
            if not answer.get("NextPageToken"):
                start = date.fromisoformat(request["TimePeriod"]["Start"])
                end = date.fromisoformat(request["TimePeriod"]["End"])
                for offset in range((end - start).days):
                    day = start + timedelta(days=offset)
                    if day.isoformat() not in days:
                        answer["ResultsByTime"].append({"TimePeriod": {"Start": day.isoformat(),
                                                                       "End": (day + timedelta(days=1)).isoformat()},
                                                        "Total": {}, "Groups": [], "Estimated": False})
                answer["ResultsByTime"].sort(key=lambda p: p.get("TimePeriod", {}).get("Start", ""))
        payload = json.dumps(answer).encode()
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        start_response(captured["status"], [*headers, ("Content-Length", str(len(payload)))])
        return [payload]


@dataclass
class MotoServer:
    url: str
    injector: FaultInjector

    def post(self, path: str, payload: dict[str, Any] | None = None) -> None:
        data = json.dumps(payload or {}).encode()
        request = urllib.request.Request(self.url + path, data=data, method="POST", headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()

    def queue_ce(self, *results: dict[str, Any]) -> None:
        self.post("/moto-api/static/ce/cost-and-usage-results", {"results": list(results)})

    def fail(self, operation: str, *, status: int = 400, code: str = "ThrottlingException", times: int = 1_000_000,
             after: int = 0) -> Fault:
        fault = Fault(operation, status, code, times, after)
        self.injector.faults.append(fault)
        return fault

    def answer(self, operation: str, response: Any) -> None:
        """Serve ``operation`` (not in moto) from the fake: its real response shape, or a callable of the body."""
        self.injector.fakes[operation] = response

    def hold(self, operation: str) -> Fault:
        fault = Fault(operation, hold=threading.Event())
        self.injector.faults.append(fault)
        return fault

    def reset(self) -> None:
        for fault in self.injector.faults:
            if fault.hold is not None:
                fault.hold.set()
        self.injector.faults.clear()
        self.injector.fakes.clear()
        self.injector.operations.clear()
        self.injector.fill_ce_days = True
        self.injector._ce_days.clear()
        self.post("/moto-api/reset")


@pytest.fixture(scope="session")
def moto_server() -> Iterator[MotoServer]:
    os.environ["MOTO_EC2_LOAD_DEFAULT_AMIS"] = "false"
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import make_server

    injector = FaultInjector(DomainDispatcherApplication(create_backend_app))
    server = make_server("127.0.0.1", 0, injector, threaded=True, request_handler=MotoRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    try:
        yield MotoServer(f"http://{host}:{port}", injector)
    finally:
        server.shutdown()
        thread.join(10)


@pytest.fixture
def moto(moto_server: MotoServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[MotoServer]:
    """The session's moto server, reset, with boto3 pointed at it through AWS_ENDPOINT_URL."""
    moto_server.reset()
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server.url)
    yield moto_server
    moto_server.reset()


# -- Cost Explorer answers -----------------------------------------------------------------------


def ce_group(first: str, second: str, amortized: float, billed: float | None = None) -> dict[str, Any]:
    billed = amortized if billed is None else billed
    return {"Keys": [first, second], "Metrics": {
        "AmortizedCost": {"Amount": str(amortized), "Unit": "USD"},
        "UnblendedCost": {"Amount": str(billed), "Unit": "USD"},
    }}


def ce_usage_group(service: str, usage_type: str, amortized: float, billed: float | None = None,
                   quantity: float = 0.0, unit: str = "Hrs") -> dict[str, Any]:
    """A group of the [SERVICE, USAGE_TYPE] query, which also asks UsageQuantity (a number in its unit, as a string)."""
    group = ce_group(service, usage_type, amortized, billed)
    group["Metrics"]["UsageQuantity"] = {"Amount": str(quantity), "Unit": unit}
    return group


def ce_record_group(usage_type: str, record_type: str, amortized: float, billed: float | None = None) -> dict[str, Any]:
    """A group of the [USAGE_TYPE, RECORD_TYPE] query."""
    return ce_group(usage_type, record_type, amortized, billed)


def ce_day(day: str, groups: list[dict[str, Any]], estimated: bool = False) -> dict[str, Any]:
    from datetime import date, timedelta

    end = (date.fromisoformat(day) + timedelta(days=1)).isoformat()
    return {"TimePeriod": {"Start": day, "End": end}, "Total": {}, "Groups": groups, "Estimated": estimated}


def ce_result(*days: dict[str, Any], next_page: str | None = None) -> dict[str, Any]:
    result: dict[str, Any] = {"ResultsByTime": list(days), "DimensionValueAttributes": []}
    if next_page:
        result["NextPageToken"] = next_page
    return result
