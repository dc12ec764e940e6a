"""Athena test parts: Data Export fixtures in Parquet, DuckDB to run the exact query, and a moto server whose
Athena is completed by a small middleware with the real service's behaviour moto lacks.

moto's Athena never runs SQL: it hands each new execution the next result queued at
``/moto-api/static/athena/query-results``. It also answers every ``GetQueryResults`` with all rows (no
``NextToken``), reports ``DataScannedInBytes = 0`` and never fails a query. ``AthenaFake`` adds those, with
Athena's response shapes: pages of at most ``MaxResults`` rows (fewer when ``page_rows`` says so, as Athena
may), the header row first on the first page only, the bytes a query scanned once it is done, and a query
that ends ``FAILED`` with its ``StateChangeReason`` and ``AthenaError``.
"""

from __future__ import annotations

import base64
import io
import json
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

# -- Data Export fixtures ------------------------------------------------------------------------

CUR_TYPES = {  # a CUR 2.0 export's columns this suite uses, with their Glue types
    "bill_billing_period_start_date": "timestamp", "bill_payer_account_id": "string",
    "line_item_usage_start_date": "timestamp", "line_item_usage_end_date": "timestamp",
    "line_item_usage_account_id": "string", "line_item_product_code": "string", "line_item_usage_type": "string",
    "line_item_line_item_type": "string", "line_item_unblended_cost": "double", "line_item_usage_amount": "double",
    "line_item_resource_id": "string", "product_instance_type": "string", "product_region_code": "string",
    "pricing_term": "string", "pricing_unit": "string", "product": "map<string,string>",
    "resource_tags": "map<string,string>", "savings_plan_savings_plan_effective_cost": "double",
    "savings_plan_total_commitment_to_date": "double", "savings_plan_used_commitment": "double",
    "reservation_effective_cost": "double", "reservation_unused_amortized_upfront_fee_for_billing_period": "double",
    "reservation_unused_recurring_fee": "double", "reservation_reservation_a_r_n": "string",
}
FOCUS_TYPES = {  # a FOCUS 1.2 export's columns this suite uses
    "BillingAccountId": "string", "BillingPeriodStart": "timestamp", "ChargePeriodStart": "timestamp",
    "ChargePeriodEnd": "timestamp", "SubAccountId": "string", "ServiceName": "string", "ServiceCategory": "string",
    "x_UsageType": "string", "SkuMeter": "string", "SkuPriceDetails": "map<string,string>", "RegionId": "string",
    "ResourceId": "string", "ResourceName": "string", "Tags": "map<string,string>", "ChargeCategory": "string",
    "ChargeFrequency": "string", "PricingCategory": "string", "ConsumedUnit": "string", "ConsumedQuantity": "double",
    "BilledCost": "double", "EffectiveCost": "double",
}


def _arrow_type(glue_type: str) -> Any:
    import pyarrow as pa

    return {"timestamp": pa.timestamp("us"), "double": pa.float64(), "string": pa.string(),
            "map<string,string>": pa.map_(pa.string(), pa.string())}[glue_type]


def _cell(value: Any, glue_type: str) -> Any:
    if value is None:
        return None
    if glue_type == "timestamp":
        return datetime.fromisoformat(value)
    if glue_type.startswith("map"):
        return list(value.items())
    return value


def write_export(root: Path, types: dict[str, str], rows_by_period: dict[str, list[dict[str, Any]]]) -> Path:
    """Parquet files laid out like a Data Export: ``<root>/data/BILLING_PERIOD=YYYY-MM/part-00001.snappy.parquet``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    for period, rows in rows_by_period.items():
        folder = root / "data" / f"BILLING_PERIOD={period}"
        folder.mkdir(parents=True, exist_ok=True)
        arrays = [pa.array([_cell(row.get(name), kind) for row in rows], _arrow_type(kind)) for name, kind in types.items()]
        pq.write_table(pa.Table.from_arrays(arrays, names=list(types)), folder / "part-00001.snappy.parquet",
                       compression="snappy")
    return root


def duckdb_over(root: Path, database: str, table: str) -> Any:
    """A DuckDB connection where ``"database"."table"`` is the export (hive partitions as columns), with the shim."""
    import duckdb

    from finops_tui.sources.athena_sql import DUCKDB_SHIM

    conn = duckdb.connect()
    conn.execute(f'CREATE SCHEMA "{database}"')
    pattern = (root / "data" / "*" / "*.parquet").as_posix()
    conn.execute(f"CREATE VIEW \"{database}\".\"{table}\" AS SELECT * FROM read_parquet('{pattern}', hive_partitioning = true)")
    for statement in DUCKDB_SHIM:
        conn.execute(statement)
    return conn


def run_duckdb(conn: Any, sql: str) -> tuple[list[str], list[tuple]]:
    cursor = conn.execute(sql)
    return [d[0] for d in cursor.description], cursor.fetchall()


def athena_result(columns: list[str], rows: list[tuple]) -> dict[str, Any]:
    """Rows as Athena's GetQueryResults gives them: strings, the header row first, NULL as an empty cell."""
    def cell(value: Any) -> dict[str, str]:
        if value is None:
            return {}
        return {"VarCharValue": repr(value) if isinstance(value, float) else str(value)}

    header = {"Data": [{"VarCharValue": name} for name in columns]}
    return {"rows": [header] + [{"Data": [cell(v) for v in row]} for row in rows],
            "column_info": [{"CatalogName": "hive", "SchemaName": "", "TableName": "", "Name": name, "Label": name,
                             "Type": "varchar", "Precision": 0, "Scale": 0, "Nullable": "UNKNOWN",
                             "CaseSensitive": True} for name in columns]}


def glue_table_input(name: str, types: dict[str, str], location: str) -> dict[str, Any]:
    return {
        "Name": name, "TableType": "EXTERNAL_TABLE",
        "PartitionKeys": [{"Name": "billing_period", "Type": "string"}],
        "StorageDescriptor": {
            "Columns": [{"Name": column.lower(), "Type": kind} for column, kind in types.items()],
            "Location": location,
            "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
            "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"},
        },
    }


# -- the middleware ----------------------------------------------------------------------------


@dataclass
class QueryPlan:
    bytes_scanned: int = 0
    fail_reason: str | None = None  # end FAILED with this StateChangeReason


@dataclass
class AthenaFake:
    app: Any
    page_rows: int = 1000
    plans: list[QueryPlan] = field(default_factory=list)  # taken in order by each StartQueryExecution
    queries: list[str] = field(default_factory=list)  # QueryString of every StartQueryExecution
    result_calls: list[dict[str, Any]] = field(default_factory=list)  # every GetQueryResults request body
    by_id: dict[str, QueryPlan] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        self.page_rows = 1000
        self.plans.clear()
        self.queries.clear()
        self.result_calls.clear()
        self.by_id.clear()

    def _call(self, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
        captured: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
            captured["status"], captured["headers"] = status, headers

        body = b"".join(self.app(environ, start_response))
        return captured["status"], captured["headers"], body

    @staticmethod
    def _reply(start_response: Any, status: str, headers: list[tuple[str, str]], payload: bytes) -> list[bytes]:
        headers = [(k, v) for k, v in headers if k.lower() != "content-length"] + [("Content-Length", str(len(payload)))]
        start_response(status, headers)
        return [payload]

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if not target.startswith("AmazonAthena."):
            return self.app(environ, start_response)
        operation = target.rsplit(".", 1)[-1]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(raw)
        request = json.loads(raw or b"{}")
        status, headers, body = self._call(environ)
        if not status.startswith("200"):
            return self._reply(start_response, status, headers, body)
        answer = json.loads(body or b"{}")
        with self.lock:
            if operation == "StartQueryExecution":
                self.queries.append(request.get("QueryString", ""))
                self.by_id[answer["QueryExecutionId"]] = self.plans.pop(0) if self.plans else QueryPlan()
            elif operation == "GetQueryExecution":
                plan = self.by_id.get(request.get("QueryExecutionId", ""), QueryPlan())
                execution = answer["QueryExecution"]
                if execution["Status"]["State"] in ("SUCCEEDED", "FAILED", "CANCELLED"):
                    execution["Statistics"]["DataScannedInBytes"] = plan.bytes_scanned
                    if plan.fail_reason is not None:
                        execution["Status"].update({
                            "State": "FAILED", "StateChangeReason": plan.fail_reason,
                            "AthenaError": {"ErrorCategory": 2, "ErrorType": 1006, "Retryable": False,
                                            "ErrorMessage": plan.fail_reason}})
            elif operation == "GetQueryResults":
                self.result_calls.append(request)
                answer = self._page(answer, request)
        return self._reply(start_response, status, headers, json.dumps(answer).encode())

    def _page(self, answer: dict[str, Any], request: dict[str, Any]) -> dict[str, Any]:
        rows = answer.get("ResultSet", {}).get("Rows", [])
        offset = int(base64.b64decode(request["NextToken"]).decode()) if request.get("NextToken") else 0
        size = min(int(request.get("MaxResults") or 1000), self.page_rows)
        answer["ResultSet"]["Rows"] = rows[offset:offset + size]
        if offset + size < len(rows):
            answer["NextToken"] = base64.b64encode(str(offset + size).encode()).decode()
        return answer


@dataclass
class AthenaMoto:
    url: str
    fake: AthenaFake

    def post(self, path: str, payload: dict[str, Any]) -> None:
        import urllib.request

        request = urllib.request.Request(self.url + path, data=json.dumps(payload).encode(), method="POST",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()

    def queue(self, *results: dict[str, Any]) -> None:
        self.post("/moto-api/static/athena/query-results", {"results": list(results)})

    def polls_before_each_state(self, times: int) -> None:
        """Each execution stays QUEUED, then RUNNING, for ``times`` GetQueryExecution calls."""
        self.post("/moto-api/state-manager/set-transition",
                  {"model_name": "athena::execution", "transition": {"progression": "manual", "times": times}})

    def reset(self) -> None:
        self.fake.reset()
        self.post("/moto-api/state-manager/unset-transition", {"model_name": "athena::execution"})
        self.post("/moto-api/reset", {})


@pytest.fixture(scope="session")
def athena_server() -> Iterator[AthenaMoto]:
    os.environ["MOTO_EC2_LOAD_DEFAULT_AMIS"] = "false"
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import make_server

    fake = AthenaFake(DomainDispatcherApplication(create_backend_app))
    server = make_server("127.0.0.1", 0, fake, threaded=True, request_handler=MotoRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    try:
        yield AthenaMoto(f"http://{host}:{port}", fake)
    finally:
        server.shutdown()
        thread.join(10)


@pytest.fixture
def athena_moto(athena_server: AthenaMoto, monkeypatch: pytest.MonkeyPatch) -> Iterator[AthenaMoto]:
    athena_server.reset()
    monkeypatch.setenv("AWS_ENDPOINT_URL", athena_server.url)
    yield athena_server
    athena_server.reset()
