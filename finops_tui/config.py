"""Settings: one model, validated by pydantic, whose defaults are the customer's framework.

Loaded once at start from TOML: ``--config``, else ``FINOPS_TUI_CONFIG``, else
``./finops.toml``, else the user config dir, else the built-in defaults.
The sections are dataclasses that pydantic validates (see :mod:`finops_tui.settings_schema`): the defaults
need no pydantic at all, and a config file is validated the first time its contents are seen.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import tomli_w

from finops_tui.errors import ConfigError
from finops_tui.settings_schema import (
    Before,
    Check,
    Constraint,
    Secret,
    Section,
    build,
    memo_key,
    plain,
    remember,
    remembered,
    validate,
)

ENVIRONMENTS: tuple[str, ...] = ("production", "staging", "development", "rnd")
UNALLOCATED = "unallocated"
CATEGORIES: tuple[str, ...] = ("Compute", "Database", "AI/ML", "Storage", "Networking", "Other")
CONFIG_ENV = "FINOPS_TUI_CONFIG"
CONFIG_FILE_NAME = "finops.toml"
EXAMPLE_CONFIG = Path(__file__).with_name("finops.example.toml")


# Bounds (see finops_tui/bounds.py): no setting is NaN or infinite, money within 1e12.
MONEY_MAX = 1e12
PRICE_MAX = 1e6  # a unit price (per GB-month, per lead, per month of an idle resource)


@dataclass(kw_only=True, eq=False, repr=False)
class Shares(Section):
    """Per-environment share of the monthly total, in percent (framework: 70/15/10/5)."""

    production: Annotated[float, Constraint(ge=0, le=100)] = 70.0
    staging: Annotated[float, Constraint(ge=0, le=100)] = 15.0
    development: Annotated[float, Constraint(ge=0, le=100)] = 10.0
    rnd: Annotated[float, Constraint(ge=0, le=100)] = 5.0

    def __post_init__(self) -> None:
        total = self.production + self.staging + self.development + self.rnd
        if total > 100.0 + 1e-9:
            raise ValueError(f"environment shares add up to {total:g} %, more than 100 %")


@dataclass(kw_only=True, eq=False, repr=False)
class Thresholds(Section):
    """Budget levels in percent of the monthly budget (framework: 80/100/120)."""

    warning: Annotated[float, Constraint(gt=0, le=10_000)] = 80.0
    critical: Annotated[float, Constraint(gt=0, le=10_000)] = 100.0
    hard_limit: Annotated[float, Constraint(gt=0, le=10_000)] = 120.0

    def __post_init__(self) -> None:
        if not self.warning < self.critical < self.hard_limit:
            raise ValueError("thresholds must rise: warning < critical < hard_limit")


@dataclass(kw_only=True, eq=False, repr=False)
class Budget(Section):
    monthly_total: Annotated[float, Constraint(ge=0, le=MONEY_MAX)] = 50_000.0  # Monthly budget for all environments, USD
    shares: Shares = field(default_factory=Shares)
    thresholds: Thresholds = field(default_factory=Thresholds)

    def for_environment(self, environment: str) -> float:
        return self.monthly_total * getattr(self.shares, environment) / 100.0


@dataclass(kw_only=True, eq=False, repr=False)
class Spikes(Section):
    """A day is a spike when it rose more than ``threshold_pct`` over the day before."""

    threshold_pct: Annotated[float, Constraint(ge=0, le=100_000)] = 20.0
    min_delta: Annotated[float, Constraint(ge=0, le=MONEY_MAX)] = 0.0  # Smallest daily increase in USD that counts
    lookback_days: Annotated[int, Constraint(ge=1, le=400)] = 7  # Complete days evaluated for spikes (late data too)


@dataclass(kw_only=True, eq=False, repr=False)
class Forecast(Section):
    """End-of-month forecast: spend so far plus the usage run-rate of the last complete days."""

    window_days: Annotated[int, Constraint(ge=1, le=90)] = 7  # Complete days whose mean usage spend is the run-rate
    min_days: Annotated[int, Constraint(ge=1, le=90)] = 3  # No forecast while fewer complete usage days exist


@dataclass(kw_only=True, eq=False, repr=False)
class Freshness(Section):
    max_lag_days: Annotated[int, Constraint(ge=0, le=60)] = 2  # Stale when the newest cost day is older than this before today


@dataclass(kw_only=True, eq=False, repr=False)
class Approval(Section):
    """Who approves a monthly amount: < team_lead_below -> team lead; up to cto_cfo_above -> VP; above -> CTO/CFO."""

    team_lead_below: Annotated[float, Constraint(ge=0, le=MONEY_MAX)] = 500.0
    cto_cfo_above: Annotated[float, Constraint(ge=0, le=MONEY_MAX)] = 5_000.0

    def __post_init__(self) -> None:
        if self.team_lead_below > self.cto_cfo_above:
            raise ValueError("team_lead_below must not exceed cto_cfo_above")


@dataclass(kw_only=True, eq=False, repr=False)
class CloudWatchLeads(Section):
    enabled: bool = True
    namespace: str = "Leads"
    metric: str = "Distributed"
    statistic: Literal["Sum", "Average", "Maximum", "Minimum", "SampleCount"] = "Sum"
    dimensions: dict[str, str] = field(default_factory=dict)
    region: str | None = None


@dataclass(kw_only=True, eq=False, repr=False)
class Leads(Section):
    target_cost_per_lead: Annotated[float, Constraint(gt=0, le=PRICE_MAX)] = 0.05
    cloudwatch: CloudWatchLeads = field(default_factory=CloudWatchLeads)


def _known_environments(names: Iterable[str], value: Any) -> Any:
    for name in names:
        if name not in ENVIRONMENTS:
            raise ValueError(f"unknown environment {name!r}; expected one of {', '.join(ENVIRONMENTS)}")
    return value


def _known_category(value: str) -> str:
    if value not in CATEGORIES:
        raise ValueError(f"unknown category {value!r}; expected one of {', '.join(CATEGORIES)}")
    return value


def _default_aliases() -> dict[str, list[str]]:
    return {
        "production": ["prod", "prd"],
        "staging": ["stage", "stg", "qa"],
        "development": ["dev", "sandbox"],
        "rnd": ["r&d", "research", "experiment", "experiments"],
    }


@dataclass(kw_only=True, eq=False, repr=False)
class Environments(Section):
    tag_key: str = "Environment"
    aliases: Annotated[dict[str, list[str]], Check(lambda aliases: _known_environments(aliases, aliases))] = field(
        default_factory=_default_aliases)
    # Account id -> environment; overrides the tag
    accounts: Annotated[dict[str, str], Check(lambda accounts: _known_environments(accounts.values(), accounts))] = field(
        default_factory=dict)


@dataclass(kw_only=True, eq=False, repr=False)
class CategoryRule(Section):
    """One allocation rule. Every field given must match (AND); any pattern in a field may (OR).

    Patterns are case-insensitive shell globs (``*``, ``?``).
    """

    category: Annotated[str, Check(_known_category)]
    services: list[str] = field(default_factory=list)
    usage_types: list[str] = field(default_factory=list)
    instance_types: list[str] = field(default_factory=list)
    resources: list[str] = field(default_factory=list)
    tags: dict[str, list[str]] = field(default_factory=dict)  # Tag key -> value globs; key "*" is any tag
    service_categories: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not (self.services or self.usage_types or self.instance_types or self.resources or self.tags or self.service_categories):
            raise ValueError("a rule needs at least one of services, usage_types, instance_types, resources, tags, service_categories")


DATA_TRANSFER_USAGE_TYPES = ["*DataTransfer*", "*-AWS-Out-Bytes", "*-AWS-In-Bytes", "*NatGateway*"]


def default_category_rules() -> list[CategoryRule]:
    """The framework's allocation, first match wins (like AWS Cost Categories)."""
    rule = CategoryRule
    return [
        # Data transfer of any service is Networking before any service rule (S3 egress is not Storage).
        rule(category="Networking", usage_types=list(DATA_TRANSFER_USAGE_TYPES)),
        rule(category="AI/ML", instance_types=["p*", "g*", "inf*", "trn*", "dl*"]),
        rule(category="AI/ML", services=["*SageMaker*", "*Bedrock*", "*Qdrant*"]),
        rule(category="AI/ML", resources=["*qdrant*"]),
        rule(category="AI/ML", tags={"*": ["qdrant*"]}),
        rule(category="Storage", usage_types=["*EBS:*", "*TimedStorage*", "*SnapshotUsage*"]),
        rule(category="Storage", services=["*S3*", "*Simple Storage Service*", "*EFS*", "*Elastic File System*", "*Backup*", "*Glacier*", "*MinIO*"]),
        rule(category="Storage", resources=["*minio*"]),
        rule(category="Storage", tags={"*": ["minio*"]}),
        rule(category="Networking", usage_types=["*DataTransfer*", "*NatGateway*", "*LoadBalancerUsage*", "*LCUUsage*", "*VpcEndpoint*"]),
        rule(category="Networking", services=["*Data Transfer*", "*CloudFront*", "*VPC*", "*Virtual Private Cloud*", "*Load Balanc*", "*Route 53*", "*Route53*", "*Direct Connect*"]),
        rule(category="Database", services=["*RDS*", "*Relational Database*", "*ElastiCache*", "*DynamoDB*", "*DocumentDB*", "*MemoryDB*", "*Aurora*"]),
        rule(category="Compute", services=["*EC2*", "*Elastic Compute Cloud*", "*EKS*", "*Elastic Kubernetes*", "*Elastic Container Service*", "*ECS*", "*Fargate*", "*Lambda*"]),
        rule(category="Compute", service_categories=["Compute"]),
        rule(category="Database", service_categories=["Databases"]),
        rule(category="Storage", service_categories=["Storage"]),
        rule(category="Networking", service_categories=["Networking"]),
        rule(category="AI/ML", service_categories=["AI and Machine Learning"]),
    ]


@dataclass(kw_only=True, eq=False, repr=False)
class Categories(Section):
    aws_cost_category: str | None = None  # Name of an AWS Cost Category to use instead of the rules
    rules: list[CategoryRule] = field(default_factory=default_category_rules)


@dataclass(kw_only=True, eq=False, repr=False)
class Refresh(Section):
    interval_seconds: Annotated[float, Constraint(ge=1, le=86_400)] = 30.0  # How often the console re-reads the cache (1 s to a day)


@dataclass(kw_only=True, eq=False, repr=False)
class Sync(Section):
    interval_minutes: Annotated[float, Constraint(ge=1, le=43_200)] = 360.0  # How often the console syncs when AWS is configured (1 min to 30 days)
    backfill_months: Annotated[int, Constraint(ge=1, le=38)] = 13
    open_window_days: Annotated[int, Constraint(ge=1, le=60)] = 3
    previous_month_grace_days: Annotated[int, Constraint(ge=0, le=28)] = 5
    daily_request_cap: Annotated[int, Constraint(ge=1, le=100_000)] = 200  # Cost Explorer requests allowed per UTC day
    profile: str | None = None
    regions: list[str] = field(default_factory=lambda: ["us-east-1"])
    scan_rds: bool = False


@dataclass(kw_only=True, eq=False, repr=False)
class Waste(Section):
    """Estimated monthly prices (USD) for idle resources; override for your region and contract."""

    snapshot_age_days: Annotated[int, Constraint(ge=1, le=36_500)] = 90
    ebs_gb_month: dict[str, Annotated[float, Constraint(ge=0, le=PRICE_MAX)]] = field(
        default_factory=lambda: {"gp2": 0.10, "gp3": 0.08, "io1": 0.125, "io2": 0.125, "st1": 0.045, "sc1": 0.015, "standard": 0.05}
    )
    snapshot_gb_month: Annotated[float, Constraint(ge=0, le=PRICE_MAX)] = 0.05
    elastic_ip_month: Annotated[float, Constraint(ge=0, le=PRICE_MAX)] = 3.60
    load_balancer_month: Annotated[float, Constraint(ge=0, le=PRICE_MAX)] = 16.43


@dataclass(kw_only=True, eq=False, repr=False)
class Alerts(Section):
    slack_webhook: Secret | None = None  # Slack incoming webhook; FINOPS_TUI_SLACK_WEBHOOK overrides
    webhook_url: Secret | None = None  # Generic JSON webhook
    stdout: bool = False
    on_forecast: bool = True
    timeout_seconds: Annotated[float, Constraint(ge=0.1, le=300)] = 10.0  # Per webhook request, 0.1 to 300 s
    max_backoff_minutes: Annotated[float, Constraint(gt=0, le=10_080)] = 360.0  # Longest wait between retries, up to 7 days
    one_time_min: Annotated[float, Constraint(ge=0, le=MONEY_MAX)] = 500.0  # One-time charges above this (USD) are alerted


@dataclass(kw_only=True, eq=False, repr=False)
class CacheSettings(Section):
    # How long a write waits for another process holding the cache
    lock_wait_seconds: Annotated[float, Constraint(ge=0, le=3_600)] = 30.0


@dataclass(kw_only=True, eq=False, repr=False)
class Lever(Section):
    """One optimization lever of the framework: its saving range in percent of its base.

    ``high_pct`` unset means open-ended ("50 %+"): only the low end is a figure.
    """

    name: str
    level: Literal["Low", "Medium", "High"] = "Medium"
    low_pct: Annotated[float, Constraint(ge=0, le=100)]
    high_pct: Annotated[float, Constraint(ge=0, le=100)] | None = None
    enabled: bool = True

    def __post_init__(self) -> None:
        if self.high_pct is not None and self.high_pct < self.low_pct:
            raise ValueError("high_pct must not be below low_pct")


LEVER_IDS: tuple[str, ...] = ("s3_lifecycle", "rightsizing", "commitments", "graviton", "serverless")


def _default_levers() -> dict[str, Lever]:
    return {
        "s3_lifecycle": Lever(name="S3 Lifecycle Rules", level="Low", low_pct=10.0, high_pct=30.0),
        "rightsizing": Lever(name="Instance Right-sizing", level="Medium", low_pct=20.0, high_pct=40.0),
        "commitments": Lever(name="RI / Savings Plans", level="Medium", low_pct=30.0, high_pct=60.0),
        "graviton": Lever(name="Moving to Graviton (ARM)", level="High", low_pct=20.0, high_pct=30.0),
        "serverless": Lever(name="Serverless for idle tasks", level="High", low_pct=50.0, high_pct=None),
    }


def _default_graviton() -> dict[str, str]:
    """x86 instance family -> its arm64 twin (EC2, RDS ``db.``, ElastiCache ``cache.``)."""
    return {
        "m5": "m7g", "m5a": "m7g", "m6i": "m7g", "m6a": "m7g", "m7i": "m7g", "m7a": "m7g",
        "c5": "c7g", "c5a": "c7g", "c6i": "c7g", "c6a": "c7g", "c7i": "c7g", "c7a": "c7g",
        "r5": "r7g", "r5a": "r7g", "r6i": "r7g", "r6a": "r7g", "r7i": "r7g", "r7a": "r7g",
        "t3": "t4g", "t3a": "t4g",
        "db.m5": "db.m7g", "db.m6i": "db.m7g", "db.r5": "db.r7g", "db.r6i": "db.r7g", "db.t3": "db.t4g",
        "cache.m5": "cache.m7g", "cache.m6i": "cache.m7g", "cache.r5": "cache.r7g", "cache.r6i": "cache.r7g",
        "cache.t3": "cache.t4g",
    }


@dataclass(kw_only=True, eq=False, repr=False)
class Review(Section):
    """The monthly FinOps review: the levers table, right-sizing, Spot, data transfer."""

    levers: dict[str, Lever] = field(default_factory=_default_levers)
    # x86 family -> arm64 twin; GPU, metal and Windows are never candidates
    graviton: dict[str, str] = field(default_factory=_default_graviton)
    cpu_p95_below: Annotated[float, Constraint(gt=0, le=100)] = 40.0  # CPU p95 (%) under which an instance is one size too big
    cpu_lookback_days: Annotated[int, Constraint(ge=1, le=60)] = 14
    spot_discount_pct: Annotated[float, Constraint(ge=0, le=100)] = 60.0  # Spot saving when the account runs no Spot of a family
    batch_tag_key: str = "Workload"  # Tag that marks batch or worker jobs (Spot candidates in any environment)
    batch_tag_values: list[str] = field(default_factory=lambda: ["batch*", "worker*", "job*"])
    top_n: Annotated[int, Constraint(ge=1, le=50)] = 5  # Top sources listed per data-transfer class

def _merge_levers(data: Any) -> Any:
    """A config may set only some fields of some levers: the rest keep the framework's."""
    if not isinstance(data, dict) or not isinstance(data.get("levers"), dict):
        return data
    defaults = _default_levers()
    merged: dict[str, Any] = {}
    for name, given in data["levers"].items():
        if name not in defaults:
            raise ValueError(f"unknown lever {name!r}; expected one of {', '.join(LEVER_IDS)}")
        base = plain(defaults[name])
        merged[name] = {**base, **given} if isinstance(given, dict) else given
    for name, lever in defaults.items():
        merged.setdefault(name, plain(lever))
    return {**data, "levers": merged}


APPROVAL_TIERS: tuple[str, ...] = ("team_lead", "vp_engineering", "cto_cfo")  # lowest first


def _approver_names(value: list[str]) -> list[str]:
    names = [name.strip() for name in value]
    if any(not name or not name.isprintable() for name in names):
        raise ValueError("approver names must be non-empty printable text")
    return names


@dataclass(kw_only=True, eq=False, repr=False)
class Approvers(Section):
    """Who may decide an approval item, per tier; a higher tier may decide a lower tier's items."""

    team_lead: Annotated[list[str], Check(_approver_names)] = field(default_factory=list)
    vp_engineering: Annotated[list[str], Check(_approver_names)] = field(default_factory=list)
    cto_cfo: Annotated[list[str], Check(_approver_names)] = field(default_factory=list)


@dataclass(kw_only=True, eq=False, repr=False)
class ApprovalChannels(Section):
    """A Slack incoming webhook per tier; a tier without one uses the alert channels."""

    team_lead: Secret | None = None
    vp_engineering: Secret | None = None
    cto_cfo: Secret | None = None


@dataclass(kw_only=True, eq=False, repr=False)
class Approvals(Section):
    approvers: Approvers = field(default_factory=Approvers)
    channels: ApprovalChannels = field(default_factory=ApprovalChannels)
    verify_days: Annotated[int, Constraint(ge=1, le=180)] = 14  # Complete days after `done` compared with as many before


def _s3_url(value: str) -> str:
    if value and not value.startswith("s3://"):
        raise ValueError("must be an s3:// URL")
    return value


@dataclass(kw_only=True, eq=False, repr=False)
class Athena(Section):
    """Athena over the organisation's Data Export (CUR 2.0 or FOCUS 1.2 Parquet, a Glue table by billing period)."""

    database: str = ""  # Glue database of the export's table
    table: str = ""  # Glue table of the export
    workgroup: str = "primary"
    output_location: Annotated[str, Check(_s3_url)] = ""  # s3:// prefix for query results (else the workgroup's)
    export_format: Literal["cur2", "focus"] = "cur2"
    catalog: str = "AwsDataCatalog"
    region: str = "us-east-1"
    monthly_cost_cap_usd: Annotated[float, Constraint(gt=0, le=MONEY_MAX)] = 25.0  # Athena scan spend allowed per month, checked before each query
    poll_timeout_seconds: Annotated[float, Constraint(gt=0, le=86_400)] = 900.0  # Give up (and stop the query) after this long
    restated_periods: Annotated[int, Constraint(ge=1, le=12)] = 2  # Billing periods re-queried after the backfill (AWS restates a closed month)


@dataclass(kw_only=True, eq=False, repr=False)
class Sources(Section):
    """Which source counts when Cost Explorer and a billing export both hold an (account, day)."""

    # "export": an imported export wins for the accounts and billing periods it covers, Cost Explorer fills the rest;
    # "ce": Cost Explorer wins wherever it has the day
    precedence: Literal["export", "ce"] = "export"


@dataclass(kw_only=True, eq=False, repr=False)
class Settings(Section):
    """The whole configuration. Every default is a number from the cost framework."""

    metric: Literal["amortized", "billed"] = "amortized"
    currency: Annotated[str, Constraint(pattern=r"^[A-Z]{3}$")] = "USD"  # The cache's one currency (ISO 4217); other files are refused
    exclude_credits: bool = False
    budget: Budget = field(default_factory=Budget)
    spikes: Spikes = field(default_factory=Spikes)
    forecast: Forecast = field(default_factory=Forecast)
    freshness: Freshness = field(default_factory=Freshness)
    approval: Approval = field(default_factory=Approval)
    leads: Leads = field(default_factory=Leads)
    environments: Environments = field(default_factory=Environments)
    categories: Categories = field(default_factory=Categories)
    refresh: Refresh = field(default_factory=Refresh)
    sync: Sync = field(default_factory=Sync)
    waste: Waste = field(default_factory=Waste)
    alerts: Alerts = field(default_factory=Alerts)
    review: Annotated[Review, Before(_merge_levers)] = field(default_factory=Review)
    approvals: Approvals = field(default_factory=Approvals)
    cache: CacheSettings = field(default_factory=CacheSettings)
    athena: Athena = field(default_factory=Athena)
    sources: Sources = field(default_factory=Sources)


@dataclass(frozen=True)
class LoadedSettings:
    settings: Settings
    source: str  # a file path, or "built-in defaults"


def _user_config_path() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir("finops-tui")) / CONFIG_FILE_NAME


def find_config(explicit: str | os.PathLike[str] | None) -> Path | None:
    """The config file in effect, by precedence; ``None`` means built-in defaults."""
    if explicit:
        return Path(explicit)
    from_env = os.environ.get(CONFIG_ENV)
    if from_env:
        return Path(from_env)
    local = Path.cwd() / CONFIG_FILE_NAME
    if local.is_file():
        return local
    user = _user_config_path()
    if user.is_file():
        return user
    return None


def _describe_validation_error(path: Path, error: Any) -> str:
    first = error.errors()[0]
    location = ".".join(str(part) for part in first["loc"]) or "(top level)"
    message = first["msg"]
    if first["type"] in ("extra_forbidden", "unexpected_keyword_argument"):
        message = "unknown setting"
    message = message.removeprefix("Value error, ")
    return f"{path}: {location}: {message}"


def default_settings() -> Settings:
    """The built-in defaults. They are the framework's numbers and valid by construction: nothing is validated."""
    return Settings()


def parse_settings(data: dict[str, Any], origin: Path | str = "<config>") -> Settings:
    """Validate a config's data with pydantic (imported now); raises ``ConfigError`` with one line."""
    if not data:  # an empty file (or only comments): the defaults, without pydantic
        return default_settings()
    from pydantic import ValidationError

    try:
        return validate(Settings, data)
    except ValidationError as error:
        raise ConfigError(_describe_validation_error(Path(origin), error)) from None


def _file_settings(text: bytes, path: Path) -> Settings:
    """A config file's settings: validated by pydantic the first time these bytes are seen, remembered after."""
    try:
        data = tomllib.loads(text.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: cannot read config file: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    if not data:
        return default_settings()
    key = memo_key(text)
    known = remembered(key)
    if known is not None:
        try:
            return build(Settings, known, data)
        except (TypeError, ValueError, KeyError, AttributeError):
            pass  # a damaged or foreign memo: validate the file again
    settings = parse_settings(data, path)
    remember(key, plain(settings))
    return settings


def load_settings(explicit: str | os.PathLike[str] | None = None) -> LoadedSettings:
    """Load and validate the configuration once; raises ``ConfigError`` with one line."""
    path = find_config(explicit)
    if path is None:
        settings = default_settings()
        source = "built-in defaults"
    else:
        try:
            text = path.read_bytes()
        except FileNotFoundError:
            raise ConfigError(f"{path}: config file not found") from None
        except OSError as error:
            raise ConfigError(f"{path}: cannot read config file: {error}") from None
        settings = _file_settings(text, path)
        source = str(path)
    webhook = os.environ.get("FINOPS_TUI_SLACK_WEBHOOK")
    if webhook:
        settings.alerts.slack_webhook = Secret(webhook)
    from finops_tui.outside_text import register_secret

    for secret in (settings.alerts.slack_webhook, settings.alerts.webhook_url):
        register_secret(secret.get_secret_value() if secret is not None else None)
    return LoadedSettings(settings, source)


def effective_config_toml(settings: Settings) -> str:
    """The effective configuration as TOML, with secrets masked."""
    data = _without_none(plain(settings))
    secrets = {("alerts", key): getattr(settings.alerts, key) for key in ("slack_webhook", "webhook_url")}
    secrets.update({("approvals", tier): getattr(settings.approvals.channels, tier) for tier in APPROVAL_TIERS})
    data["categories"]["rules"] = [
        {key: value for key, value in rule.items() if value not in ([], {})} for rule in data["categories"]["rules"]
    ]
    for section, key in (("environments", "accounts"), ("leads", "dimensions")):
        holder = data[section] if section != "leads" else data["leads"]["cloudwatch"]
        if not holder.get(key):
            holder.pop(key, None)
    for (section, key), secret in secrets.items():
        if secret is not None:
            holder = data[section] if section == "alerts" else data["approvals"].setdefault("channels", {})
            holder[key] = "********"
    return tomli_w.dumps(data)


def _without_none(value: Any) -> Any:
    """TOML has no null: unset settings are left out."""
    if isinstance(value, dict):
        return {key: _without_none(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_without_none(item) for item in value]
    return value
