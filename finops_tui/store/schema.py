"""Schema and forward migrations. ``meta.schema_version`` says which have run."""

from __future__ import annotations

APPLICATION = "finops-tui"

# Each entry moves the schema from version N-1 to N. Never edit a released one:
# append a new migration instead.
MIGRATIONS: list[str] = [
    # 1: the first cache: daily facts, leads, sync runs.
    """
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE cost_daily (
        id INTEGER PRIMARY KEY AUTOINCREMENT,  -- monotonic: a run finds its own rows by id
        day TEXT NOT NULL,                 -- UTC calendar day, YYYY-MM-DD
        account TEXT NOT NULL DEFAULT '',
        service TEXT NOT NULL DEFAULT '',
        usage_type TEXT NOT NULL DEFAULT '',
        category TEXT NOT NULL,
        environment TEXT NOT NULL,         -- production|staging|development|rnd|unallocated
        resource_id TEXT NOT NULL DEFAULT '',
        amortized REAL NOT NULL DEFAULT 0, -- USD, AmortizedCost / EffectiveCost
        billed REAL NOT NULL DEFAULT 0,    -- USD, UnblendedCost / BilledCost
        charge_type TEXT NOT NULL DEFAULT 'usage',  -- usage|credit|refund|purchase|tax|...
        estimated INTEGER NOT NULL DEFAULT 0,
        source TEXT NOT NULL               -- ce | focus:<sha256> | demo
    );
    CREATE INDEX cost_daily_day ON cost_daily (day);
    CREATE INDEX cost_daily_source ON cost_daily (source, day);
    CREATE TABLE leads (
        day TEXT PRIMARY KEY,
        leads INTEGER NOT NULL CHECK (leads >= 0),
        label TEXT NOT NULL DEFAULT '',
        source TEXT NOT NULL DEFAULT 'manual'
    );
    CREATE TABLE sync_runs (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL DEFAULT 'sync',  -- sync | import | demo
        started_at TEXT NOT NULL,           -- ISO-8601 UTC
        finished_at TEXT,
        status TEXT NOT NULL,               -- running | ok | failed
        error TEXT,
        request_count INTEGER NOT NULL DEFAULT 0,
        ce_request_count INTEGER NOT NULL DEFAULT 0,
        rows_written INTEGER NOT NULL DEFAULT 0,
        detail TEXT NOT NULL DEFAULT '{}'   -- JSON
    );
    """,
    # 2: daily rollup for the panes, drill-down index, waste, alerts, optional-source status.
    """
    CREATE INDEX cost_daily_drill ON cost_daily (category, service, usage_type, day);
    CREATE INDEX cost_daily_unallocated ON cost_daily (day, resource_id) WHERE environment = 'unallocated';
    -- One row per day x category x environment x service x charge type, kept in step
    -- with cost_daily by Store.transaction(): the panes read this, never the facts.
    CREATE TABLE cost_rollup (
        day TEXT NOT NULL,
        category TEXT NOT NULL,
        environment TEXT NOT NULL,
        service TEXT NOT NULL,
        charge_type TEXT NOT NULL,
        amortized REAL NOT NULL,
        billed REAL NOT NULL,
        estimated INTEGER NOT NULL,
        fact_rows INTEGER NOT NULL,
        PRIMARY KEY (day, category, environment, service, charge_type)
    ) WITHOUT ROWID;
    CREATE INDEX cost_rollup_drill ON cost_rollup (category, service, day);
    INSERT INTO cost_rollup
        SELECT day, category, environment, service, charge_type, SUM(amortized), SUM(billed), MAX(estimated), COUNT(*)
        FROM cost_daily GROUP BY day, category, environment, service, charge_type;
    CREATE TABLE waste_items (
        resource_id TEXT NOT NULL,
        kind TEXT NOT NULL,                 -- ebs_unattached | eip_unassociated | instance_stopped | lb_no_targets | snapshot_old | untagged_spend
        region TEXT NOT NULL DEFAULT '',
        account TEXT NOT NULL DEFAULT '',
        name TEXT NOT NULL DEFAULT '',
        environment TEXT NOT NULL DEFAULT 'unallocated',
        monthly_cost REAL NOT NULL DEFAULT 0,
        detail TEXT NOT NULL DEFAULT '',
        source TEXT NOT NULL DEFAULT 'scan',
        seen_at TEXT NOT NULL,
        PRIMARY KEY (resource_id, kind)
    );
    CREATE TABLE alert_events (
        key TEXT PRIMARY KEY,               -- stable identity of an event, e.g. spike:total:2026-11-20
        kind TEXT NOT NULL,
        scope TEXT NOT NULL,
        month TEXT NOT NULL,
        payload TEXT NOT NULL DEFAULT '{}',
        created_at TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending',  -- pending | sent | acknowledged | snoozed
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT,
        sent_at TEXT,
        last_error TEXT
    );
    CREATE TABLE alert_snoozes (
        scope TEXT PRIMARY KEY,
        until TEXT NOT NULL
    );
    CREATE TABLE source_status (
        name TEXT PRIMARY KEY,              -- forecast | anomalies | cost_categories | coverage | ...
        status TEXT NOT NULL,               -- ok | not_available | access_denied | error
        message TEXT NOT NULL DEFAULT '',
        checked_at TEXT NOT NULL
    );
    """,
    # 3: the AWS request ledger (one row per request, committed as it is made) and delivery claims.
    """
    CREATE TABLE aws_requests (
        id INTEGER PRIMARY KEY,
        made_at TEXT NOT NULL,              -- ISO-8601 UTC, the command's clock
        day TEXT NOT NULL,                  -- the UTC day the daily cap counts it on
        run_id INTEGER,                     -- sync_runs.id, or NULL (doctor)
        operation TEXT NOT NULL             -- ce.GetCostAndUsage, ec2.DescribeVolumes, ...
    );
    CREATE INDEX aws_requests_day ON aws_requests (day, operation);
    CREATE INDEX aws_requests_run ON aws_requests (run_id);
    ALTER TABLE alert_events ADD COLUMN claimed_until TEXT;  -- real time (never the fixed --today clock)
    ALTER TABLE alert_events ADD COLUMN claims INTEGER NOT NULL DEFAULT 0;  -- deliveries started
    """,
]

SCHEMA_VERSION = len(MIGRATIONS)
