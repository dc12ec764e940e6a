"""What `sync --source athena` scans per account and billing period, and what a month of it costs.

`python -m bench.athena_scan [--line-items 40000] [--seed 7]` writes one account's billing period of CUR 2.0
line items to Parquet (snappy, as Data Exports write it, every CUR 2.0 column this query reads plus a
typical set it does not), then adds up the compressed size of the column chunks the query reads: that is
what Athena scans from a Parquet export (it reads only the referenced columns of the partition). The
figures it prints are the README's cost table.
"""

from __future__ import annotations

import argparse
import random
import re
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from finops_tui.sources.athena import MB, TB, billed_bytes

READ = (  # every column build_query(cur2) names
    "line_item_usage_start_date", "line_item_usage_end_date", "bill_payer_account_id", "line_item_usage_account_id",
    "line_item_product_code", "product", "line_item_usage_type", "product_instance_type", "product_region_code",
    "line_item_resource_id", "resource_tags", "line_item_line_item_type", "pricing_term", "pricing_unit",
    "line_item_usage_amount", "line_item_unblended_cost", "savings_plan_savings_plan_effective_cost",
    "savings_plan_total_commitment_to_date", "savings_plan_used_commitment", "reservation_effective_cost",
    "reservation_unused_amortized_upfront_fee_for_billing_period", "reservation_unused_recurring_fee",
    "reservation_reservation_a_r_n",
)
UNREAD = ("line_item_line_item_description", "line_item_operation", "line_item_availability_zone",
          "pricing_public_on_demand_cost", "line_item_blended_cost", "identity_line_item_id", "product_sku")


def write_partition(path: Path, line_items: int, seed: int) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = random.Random(seed)
    resources = [f"i-{rng.getrandbits(60):015x}" for _ in range(max(1, line_items // 720))]
    kinds = ["BoxUsage:m6i.large", "BoxUsage:g5.xlarge", "EBS:VolumeUsage.gp3", "DataTransfer-Out-Bytes",
             "TimedStorage-ByteHrs", "NatGateway-Hours"]
    start = datetime(2026, 11, 1)
    columns: dict[str, list] = {name: [] for name in READ + UNREAD}
    for index in range(line_items):
        resource = resources[index % len(resources)]
        hour = start + timedelta(hours=index // len(resources) % 720)
        usage = kinds[hash(resource) % len(kinds)]
        cost = round(rng.uniform(0.001, 2.5), 10)
        row = {
            "line_item_usage_start_date": hour, "line_item_usage_end_date": hour + timedelta(hours=1),
            "bill_payer_account_id": "111111111111", "line_item_usage_account_id": "222222222222",
            "line_item_product_code": "AmazonEC2", "product": [("product_name", "Amazon Elastic Compute Cloud")],
            "line_item_usage_type": usage, "product_instance_type": usage.split(":")[-1] if "Box" in usage else "",
            "product_region_code": "us-east-1", "line_item_resource_id": resource,
            "resource_tags": [("user_Environment", rng.choice(["prod", "staging", "dev"])), ("user_team", "core")],
            "line_item_line_item_type": "Usage", "pricing_term": "OnDemand", "pricing_unit": "Hrs",
            "line_item_usage_amount": 1.0, "line_item_unblended_cost": cost,
            "savings_plan_savings_plan_effective_cost": 0.0, "savings_plan_total_commitment_to_date": 0.0,
            "savings_plan_used_commitment": 0.0, "reservation_effective_cost": 0.0,
            "reservation_unused_amortized_upfront_fee_for_billing_period": 0.0, "reservation_unused_recurring_fee": 0.0,
            "reservation_reservation_a_r_n": "",
            "line_item_line_item_description": f"$0.096 per On Demand Linux {usage} Instance Hour",
            "line_item_operation": "RunInstances", "line_item_availability_zone": "us-east-1a",
            "pricing_public_on_demand_cost": cost, "line_item_blended_cost": cost,
            "identity_line_item_id": f"{rng.getrandbits(128):032x}", "product_sku": f"SKU{hash(usage) % 99999:05d}",
        }
        for name, value in row.items():
            columns[name].append(value)
    table = pa.table({name: values for name, values in columns.items()})
    pq.write_table(table, path, compression="snappy")


def scanned_bytes(path: Path) -> tuple[int, int]:
    """(compressed bytes of the columns the query reads, of the whole file)."""
    import pyarrow.parquet as pq

    meta = pq.ParquetFile(path).metadata
    read = total = 0
    for group in range(meta.num_row_groups):
        for column in range(meta.num_columns):
            chunk = meta.row_group(group).column(column)
            top = re.split(r"[.]", chunk.path_in_schema)[0]
            total += chunk.total_compressed_size
            if top in READ:
                read += chunk.total_compressed_size
    return read, total


def monthly_cost(per_account_period: int, accounts: int) -> dict[str, float]:
    """A daily run re-queries the current period (on average half delivered) and the previous one (whole)."""
    full = per_account_period * accounts
    daily = billed_bytes(full // 2) + billed_bytes(full)
    return {"bytes_per_period": full, "athena_usd": 30 * daily / TB * 5.0, "backfill_usd": 13 * billed_bytes(full) / TB * 5.0}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.athena_scan")
    parser.add_argument("--line-items", type=int, default=40_000, help="CUR line items per account and month")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "part-00001.snappy.parquet"
        write_partition(path, args.line_items, args.seed)
        read, total = scanned_bytes(path)
    per_item = read / args.line_items
    print(f"one account, one billing period, {args.line_items:,} line items: the query reads {read / MB:.2f} MB "
          f"of {total / MB:.2f} MB ({per_item:.1f} bytes per line item)")
    for accounts in (10, 100, 1000):
        figures = monthly_cost(read, accounts)
        print(f"{accounts:>5} accounts: {figures['bytes_per_period'] / MB:,.1f} MB per billing period; "
              f"a month of daily syncs ${figures['athena_usd']:,.4f}; the 13-month backfill once ${figures['backfill_usd']:,.4f}")
    print(f"(each query is billed at least {billed_bytes(0) // MB} MB; ${5.0:.2f} per TB of {TB:,} bytes)")


if __name__ == "__main__":
    main()
