"""Schema and forward migrations. ``meta.schema_version`` says which have run.

Cost facts (from migration 3 on)
--------------------------------
``cost_daily`` holds one row per day x raw dimensions x charge type x source, as
the source reported it. Category and environment are NOT stored per row: they
are derived from the current config (``finops_tui.allocation``) through the
small ``dims`` table (the distinct allocation inputs, ``dim_id``) and its
mapping ``dim_allocation(dim_id, category, environment)``, recomputed whenever
the config's allocation fingerprint differs from ``meta.allocation.fingerprint``.
``cost_rollup`` (the panes' table) holds only the rows that count, allocated;
``cost_rollup_usage`` the same one level finer (usage types, for drill-down 2) and
``cost_rollup_untagged`` the untagged spend by resource and month (``finops_tui.store.untagged``).

Read facts through the per-connection TEMP view ``counted_costs``: every
``cost_daily`` column plus ``category`` and ``environment``, without the rows
source precedence sets aside (``finops_tui.store.allocation``).

``charge_type`` values (every source maps onto these):
- ``usage``       usage-based spend (FOCUS ChargeFrequency Usage-Based; CE usage and
                  covered/discounted usage). Run-rates, forecasts and spikes use only this.
- ``recurring``   recurring charges (FOCUS ChargeFrequency Recurring: monthly
                  reservation/Savings Plans fees, subscriptions; CE recurring fees)
- ``purchase``    one-time purchases (FOCUS Purchase One-Time; CE upfront fees)
- ``fee``         other one-time fees (FOCUS Usage One-Time; CE support fees, other record types)
- ``tax``         taxes
- ``credit``      credits and discounts (negative)
- ``refund``      refunds (negative; a negative FOCUS Adjustment)
- ``adjustment``  positive adjustments
Everything except ``usage`` is counted once, on the day it is booked.
``credit`` and ``refund`` are what ``exclude_credits`` leaves out.

Sources: ``sources`` has one row per source (``ce``, ``demo``, ``focus:<sha256>``,
``athena:<database>.<table>``) with its totals; a billing export covers
``source_slices`` (provider x billing account x billing period) and the
accounts of each slice (``slice_accounts``). Fact rows of an export carry their
``slice_id``; loading a slice again replaces it.
"""

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
    # 3: raw dimensions, allocation from the config at read time, sources and their slices.
    """
    DROP INDEX IF EXISTS cost_daily_drill;
    DROP INDEX IF EXISTS cost_daily_unallocated;
    ALTER TABLE cost_daily RENAME COLUMN category TO cost_category;
    ALTER TABLE cost_daily RENAME COLUMN environment TO env_tag;
    -- Until 3 these held the allocation made at import; from now on the config decides.
    UPDATE cost_daily SET cost_category = '';
    ALTER TABLE cost_daily ADD COLUMN service_category TEXT NOT NULL DEFAULT '';
    ALTER TABLE cost_daily ADD COLUMN instance_type TEXT NOT NULL DEFAULT '';
    ALTER TABLE cost_daily ADD COLUMN region TEXT NOT NULL DEFAULT '';
    ALTER TABLE cost_daily ADD COLUMN resource_name TEXT NOT NULL DEFAULT '';
    ALTER TABLE cost_daily ADD COLUMN pricing_category TEXT NOT NULL DEFAULT '';  -- FOCUS PricingCategory / CE PURCHASE_TYPE
    ALTER TABLE cost_daily ADD COLUMN usage_quantity REAL NOT NULL DEFAULT 0;     -- FOCUS ConsumedQuantity / CE UsageQuantity
    ALTER TABLE cost_daily ADD COLUMN usage_unit TEXT NOT NULL DEFAULT '';
    ALTER TABLE cost_daily ADD COLUMN slice_id INTEGER;                            -- NULL: not from a billing export
    ALTER TABLE cost_daily ADD COLUMN dim_id INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE dims (
        dim_id INTEGER PRIMARY KEY,
        account TEXT NOT NULL,
        service TEXT NOT NULL,
        usage_type TEXT NOT NULL,
        service_category TEXT NOT NULL,
        instance_type TEXT NOT NULL,
        env_tag TEXT NOT NULL,
        resource_id TEXT NOT NULL,
        resource_name TEXT NOT NULL,
        cost_category TEXT NOT NULL,
        tags TEXT NOT NULL,
        UNIQUE (account, service, usage_type, service_category, instance_type, env_tag, resource_id, resource_name,
                cost_category, tags)
    );
    CREATE TABLE dim_allocation (
        dim_id INTEGER PRIMARY KEY,
        category TEXT NOT NULL,
        environment TEXT NOT NULL
    );
    INSERT INTO dims (account, service, usage_type, service_category, instance_type, env_tag, resource_id, resource_name,
                      cost_category, tags)
        SELECT DISTINCT account, service, usage_type, '', '', env_tag, resource_id, '', '', '' FROM cost_daily;
    UPDATE cost_daily SET dim_id = (SELECT d.dim_id FROM dims d WHERE d.account = cost_daily.account
        AND d.service = cost_daily.service AND d.usage_type = cost_daily.usage_type AND d.service_category = ''
        AND d.instance_type = '' AND d.env_tag = cost_daily.env_tag AND d.resource_id = cost_daily.resource_id
        AND d.resource_name = '' AND d.cost_category = '' AND d.tags = '');
    CREATE INDEX cost_daily_service ON cost_daily (service, day);
    CREATE INDEX cost_daily_account ON cost_daily (account, day);
    CREATE INDEX cost_daily_dim ON cost_daily (dim_id, day);
    CREATE INDEX cost_daily_slice ON cost_daily (slice_id) WHERE slice_id IS NOT NULL;
    CREATE TABLE sources (
        id TEXT PRIMARY KEY,                -- ce | demo | focus:<sha256> | athena:... | test ...
        kind TEXT NOT NULL,                 -- ce | focus | demo | athena | other
        label TEXT NOT NULL DEFAULT '',     -- the file it came from, for people
        loaded_at TEXT NOT NULL,
        loaded_seq INTEGER NOT NULL DEFAULT 0,  -- import order
        rows INTEGER NOT NULL DEFAULT 0,
        amortized REAL NOT NULL DEFAULT 0,
        billed REAL NOT NULL DEFAULT 0,
        first_day TEXT,
        last_day TEXT,
        accounts TEXT NOT NULL DEFAULT '[]',    -- JSON list
        detail TEXT NOT NULL DEFAULT '{}'
    );
    CREATE TABLE source_slices (
        slice_id INTEGER PRIMARY KEY,
        source TEXT NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
        provider TEXT NOT NULL,
        billing_account TEXT NOT NULL,
        period_start TEXT NOT NULL,         -- YYYY-MM-DD, first day of the billing period
        period_end TEXT NOT NULL,           -- YYYY-MM-DD, exclusive
        first_day TEXT,
        last_day TEXT,                      -- the last day the export has reached: it covers period_start..last_day
        data_through TEXT NOT NULL DEFAULT '',  -- the export's own timestamp: its latest ChargePeriodStart (UTC ISO)
        UNIQUE (provider, billing_account, period_start)
    );
    CREATE TABLE slice_accounts (
        slice_id INTEGER NOT NULL REFERENCES source_slices (slice_id) ON DELETE CASCADE,
        account TEXT NOT NULL,
        PRIMARY KEY (slice_id, account)
    ) WITHOUT ROWID;
    CREATE INDEX slice_accounts_account ON slice_accounts (account);
    INSERT INTO sources (id, kind, loaded_at, rows, amortized, billed, first_day, last_day)
        SELECT source, CASE WHEN source LIKE 'focus:%' THEN 'focus' WHEN source IN ('ce', 'demo') THEN source ELSE 'other' END,
               strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now'), COUNT(*), SUM(amortized), SUM(billed), MIN(day), MAX(day)
        FROM cost_daily GROUP BY source;
    UPDATE sources SET accounts = (SELECT json_group_array(account) FROM (SELECT DISTINCT account FROM cost_daily
        WHERE cost_daily.source = sources.id AND account != '' ORDER BY account));
    DELETE FROM cost_rollup;  -- rebuilt from the config on first open (meta allocation.fingerprint is unset)
    """,
    # 4: approval items (immutable rows), their append-only history, and the delivery outbox.
    """
    CREATE TABLE approval_items (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        origin TEXT NOT NULL,               -- alert | review | manual
        origin_key TEXT UNIQUE,             -- the alert event key or review:<id>: one item per key; NULL by hand
        title TEXT NOT NULL,
        scope TEXT NOT NULL DEFAULT '',     -- e.g. category:Compute,environment:production ('' = whole bill)
        direction TEXT NOT NULL,            -- increase | saving
        monthly_amount REAL NOT NULL,       -- USD a month, >= 0
        tier TEXT NOT NULL,                 -- team_lead | vp_engineering | cto_cfo
        created_at TEXT NOT NULL,
        created_on TEXT NOT NULL            -- the command's today
    );
    CREATE TABLE approval_history (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        item_id INTEGER NOT NULL REFERENCES approval_items (id),
        action TEXT NOT NULL,               -- opened | approved | rejected | done | withdrawn
        state TEXT NOT NULL,                -- the item's state after this entry
        actor TEXT NOT NULL DEFAULT '',
        note TEXT NOT NULL DEFAULT '',
        at TEXT NOT NULL,
        on_day TEXT NOT NULL
    );
    CREATE INDEX approval_history_item ON approval_history (item_id, id);
    CREATE TRIGGER approval_items_immutable BEFORE UPDATE ON approval_items
        BEGIN SELECT RAISE(ABORT, 'approval items are never rewritten'); END;
    CREATE TRIGGER approval_items_kept BEFORE DELETE ON approval_items
        BEGIN SELECT RAISE(ABORT, 'approval items are never deleted'); END;
    CREATE TRIGGER approval_history_append_only BEFORE UPDATE ON approval_history
        BEGIN SELECT RAISE(ABORT, 'approval history is append-only'); END;
    CREATE TRIGGER approval_history_kept BEFORE DELETE ON approval_history
        BEGIN SELECT RAISE(ABORT, 'approval history is append-only'); END;
    -- One row per history entry to post to the tier's channels (same guarantees as alert_events).
    CREATE TABLE approval_outbox (
        history_id INTEGER PRIMARY KEY REFERENCES approval_history (id),
        status TEXT NOT NULL DEFAULT 'pending',   -- pending | sent
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT,
        delivered TEXT NOT NULL DEFAULT '[]',     -- JSON list of channel names that took it
        sent_at TEXT,
        last_error TEXT
    );
    """,
    # 5: the AWS request ledger (one row per request, committed as it is made) and delivery claims.
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
    # 6: approval posts count their claims too, so a post whose run died mid-send is marked a possible repeat.
    """
    ALTER TABLE approval_outbox ADD COLUMN claims INTEGER NOT NULL DEFAULT 0;  -- deliveries started
    """,
    # 7: rollups for the two reads that still went to the facts: usage types (drill-down 2) and untagged spend.
    """
    -- One row per category x service x day x environment x usage type x charge type of the rows that count.
    CREATE TABLE cost_rollup_usage (
        category TEXT NOT NULL,
        service TEXT NOT NULL,
        day TEXT NOT NULL,
        environment TEXT NOT NULL,
        usage_type TEXT NOT NULL,
        charge_type TEXT NOT NULL,
        amortized REAL NOT NULL,
        billed REAL NOT NULL,
        PRIMARY KEY (category, service, day, environment, usage_type, charge_type)
    ) WITHOUT ROWID;
    -- Untagged spend, one row per month x what x charge type x service (finops_tui.store.untagged).
    CREATE TABLE cost_rollup_untagged (
        month TEXT NOT NULL,                -- YYYY-MM
        what TEXT NOT NULL,                 -- the resource id, or service:<name> for rows without one
        charge_type TEXT NOT NULL,
        service TEXT NOT NULL,
        days INTEGER NOT NULL,              -- bit mask of the days with rows, bit 0 = day 1
        -- amortized (a) and billed (b) of each day of the month; NULL: no row that day
        a1 REAL, a2 REAL, a3 REAL, a4 REAL, a5 REAL, a6 REAL, a7 REAL, a8 REAL, a9 REAL, a10 REAL, a11 REAL,
        a12 REAL, a13 REAL, a14 REAL, a15 REAL, a16 REAL, a17 REAL, a18 REAL, a19 REAL, a20 REAL, a21 REAL,
        a22 REAL, a23 REAL, a24 REAL, a25 REAL, a26 REAL, a27 REAL, a28 REAL, a29 REAL, a30 REAL, a31 REAL,
        b1 REAL, b2 REAL, b3 REAL, b4 REAL, b5 REAL, b6 REAL, b7 REAL, b8 REAL, b9 REAL, b10 REAL, b11 REAL,
        b12 REAL, b13 REAL, b14 REAL, b15 REAL, b16 REAL, b17 REAL, b18 REAL, b19 REAL, b20 REAL, b21 REAL,
        b22 REAL, b23 REAL, b24 REAL, b25 REAL, b26 REAL, b27 REAL, b28 REAL, b29 REAL, b30 REAL, b31 REAL,
        PRIMARY KEY (month, what, charge_type, service)
    ) WITHOUT ROWID;
    -- Filled with the other rollups on the next open: an unset fingerprint makes it reallocate every day.
    DELETE FROM meta WHERE key = 'allocation.fingerprint';
    """,
]

SCHEMA_VERSION = len(MIGRATIONS)
