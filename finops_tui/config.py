"""Settings: one pydantic model whose defaults are the customer's framework.

Loaded once at start from TOML: ``--config``, else ``FINOPS_TUI_CONFIG``, else
``./finops.toml``, else the user config dir, else the built-in defaults.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import tomli_w
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator, model_validator

from finops_tui.errors import ConfigError

ENVIRONMENTS: tuple[str, ...] = ("production", "staging", "development", "rnd")
UNALLOCATED = "unallocated"
CATEGORIES: tuple[str, ...] = ("Compute", "Database", "AI/ML", "Storage", "Networking", "Other")
CONFIG_ENV = "FINOPS_TUI_CONFIG"
CONFIG_FILE_NAME = "finops.toml"
EXAMPLE_CONFIG = Path(__file__).with_name("finops.example.toml")


# Bounds (see finops_tui/bounds.py): no setting is NaN or infinite, money within 1e12.
MONEY_MAX = 1e12
PRICE_MAX = 1e6  # a unit price (per GB-month, per lead, per month of an idle resource)


class _Section(BaseModel):
    # defer_build: a section's validator is built the first time a config file's section is validated, not at
    # import; the built-in defaults are constructed without validation (see ``default_settings``), so a console
    # started without a config file never builds one. Give a section default as ``section(Model)``, never
    # ``Model()``: an instance at class definition would build that validator at import.
    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False, defer_build=True)


def section(model: type[BaseModel]) -> Any:
    """The default of a settings section: the section's own defaults, constructed without validation."""
    return Field(default_factory=model.model_construct)


class Shares(_Section):
    """Per-environment share of the monthly total, in percent (framework: 70/15/10/5)."""

    production: float = Field(70.0, ge=0, le=100)
    staging: float = Field(15.0, ge=0, le=100)
    development: float = Field(10.0, ge=0, le=100)
    rnd: float = Field(5.0, ge=0, le=100)

    @model_validator(mode="after")
    def _at_most_everything(self) -> Shares:
        total = self.production + self.staging + self.development + self.rnd
        if total > 100.0 + 1e-9:
            raise ValueError(f"environment shares add up to {total:g} %, more than 100 %")
        return self


class Thresholds(_Section):
    """Budget levels in percent of the monthly budget (framework: 80/100/120)."""

    warning: float = Field(80.0, gt=0, le=10_000)
    critical: float = Field(100.0, gt=0, le=10_000)
    hard_limit: float = Field(120.0, gt=0, le=10_000)

    @model_validator(mode="after")
    def _ordered(self) -> Thresholds:
        if not self.warning < self.critical < self.hard_limit:
            raise ValueError("thresholds must rise: warning < critical < hard_limit")
        return self


class Budget(_Section):
    monthly_total: float = Field(50_000.0, ge=0, le=MONEY_MAX, description="Monthly budget for all environments, USD")
    shares: Shares = section(Shares)
    thresholds: Thresholds = section(Thresholds)

    def for_environment(self, environment: str) -> float:
        return self.monthly_total * getattr(self.shares, environment) / 100.0


class Spikes(_Section):
    """A day is a spike when it rose more than ``threshold_pct`` over the day before."""

    threshold_pct: float = Field(20.0, ge=0, le=100_000)
    min_delta: float = Field(0.0, ge=0, le=MONEY_MAX, description="Smallest daily increase in USD that counts")
    lookback_days: int = Field(7, ge=1, le=400, description="Complete days evaluated for spikes (late data too)")


class Forecast(_Section):
    """End-of-month forecast: spend so far plus the usage run-rate of the last complete days."""

    window_days: int = Field(7, ge=1, le=90, description="Complete days whose mean usage spend is the run-rate")
    min_days: int = Field(3, ge=1, le=90, description="No forecast while fewer complete usage days exist")


class Freshness(_Section):
    max_lag_days: int = Field(2, ge=0, le=60, description="Stale when the newest cost day is older than this before today")


class Approval(_Section):
    """Who approves a monthly amount: < team_lead_below -> team lead; up to cto_cfo_above -> VP; above -> CTO/CFO."""

    team_lead_below: float = Field(500.0, ge=0, le=MONEY_MAX)
    cto_cfo_above: float = Field(5_000.0, ge=0, le=MONEY_MAX)

    @model_validator(mode="after")
    def _ordered(self) -> Approval:
        if self.team_lead_below > self.cto_cfo_above:
            raise ValueError("team_lead_below must not exceed cto_cfo_above")
        return self


class CloudWatchLeads(_Section):
    enabled: bool = True
    namespace: str = "Leads"
    metric: str = "Distributed"
    statistic: Literal["Sum", "Average", "Maximum", "Minimum", "SampleCount"] = "Sum"
    dimensions: dict[str, str] = Field(default_factory=dict)
    region: str | None = None


class Leads(_Section):
    target_cost_per_lead: float = Field(0.05, gt=0, le=PRICE_MAX)
    cloudwatch: CloudWatchLeads = section(CloudWatchLeads)


def _default_aliases() -> dict[str, list[str]]:
    return {
        "production": ["prod", "prd"],
        "staging": ["stage", "stg", "qa"],
        "development": ["dev", "sandbox"],
        "rnd": ["r&d", "research", "experiment", "experiments"],
    }


class Environments(_Section):
    tag_key: str = "Environment"
    aliases: dict[str, list[str]] = Field(default_factory=_default_aliases)
    accounts: dict[str, str] = Field(default_factory=dict, description="Account id -> environment; overrides the tag")

    @field_validator("aliases", "accounts")
    @classmethod
    def _known_environments(cls, value: dict[str, Any], info: Any) -> dict[str, Any]:
        targets = value.keys() if info.field_name == "aliases" else value.values()
        for name in targets:
            if name not in ENVIRONMENTS:
                raise ValueError(f"unknown environment {name!r}; expected one of {', '.join(ENVIRONMENTS)}")
        return value


class CategoryRule(_Section):
    """One allocation rule. Every field given must match (AND); any pattern in a field may (OR).

    Patterns are case-insensitive shell globs (``*``, ``?``).
    """

    category: str
    services: list[str] = Field(default_factory=list)
    usage_types: list[str] = Field(default_factory=list)
    instance_types: list[str] = Field(default_factory=list)
    resources: list[str] = Field(default_factory=list)
    tags: dict[str, list[str]] = Field(default_factory=dict, description='Tag key -> value globs; key "*" is any tag')
    service_categories: list[str] = Field(default_factory=list)

    @field_validator("category")
    @classmethod
    def _known_category(cls, value: str) -> str:
        if value not in CATEGORIES:
            raise ValueError(f"unknown category {value!r}; expected one of {', '.join(CATEGORIES)}")
        return value

    @model_validator(mode="after")
    def _not_empty(self) -> CategoryRule:
        if not (self.services or self.usage_types or self.instance_types or self.resources or self.tags or self.service_categories):
            raise ValueError("a rule needs at least one of services, usage_types, instance_types, resources, tags, service_categories")
        return self


DATA_TRANSFER_USAGE_TYPES = ["*DataTransfer*", "*-AWS-Out-Bytes", "*-AWS-In-Bytes", "*NatGateway*"]


def default_category_rules() -> list[CategoryRule]:
    """The framework's allocation, first match wins (like AWS Cost Categories)."""
    rule = CategoryRule.model_construct
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


class Categories(_Section):
    aws_cost_category: str | None = Field(None, description="Name of an AWS Cost Category to use instead of the rules")
    rules: list[CategoryRule] = Field(default_factory=default_category_rules)


class Refresh(_Section):
    interval_seconds: float = Field(30.0, ge=1, le=86_400, description="How often the console re-reads the cache (1 s to a day)")


class Sync(_Section):
    interval_minutes: float = Field(360.0, ge=1, le=43_200, description="How often the console syncs when AWS is configured (1 min to 30 days)")
    backfill_months: int = Field(13, ge=1, le=38)
    open_window_days: int = Field(3, ge=1, le=60)
    previous_month_grace_days: int = Field(5, ge=0, le=28)
    daily_request_cap: int = Field(200, ge=1, le=100_000, description="Cost Explorer requests allowed per UTC day")
    profile: str | None = None
    regions: list[str] = Field(default_factory=lambda: ["us-east-1"])
    scan_rds: bool = False


class Waste(_Section):
    """Estimated monthly prices (USD) for idle resources; override for your region and contract."""

    snapshot_age_days: int = Field(90, ge=1, le=36_500)
    ebs_gb_month: dict[str, Annotated[float, Field(ge=0, le=PRICE_MAX)]] = Field(
        default_factory=lambda: {"gp2": 0.10, "gp3": 0.08, "io1": 0.125, "io2": 0.125, "st1": 0.045, "sc1": 0.015, "standard": 0.05}
    )
    snapshot_gb_month: float = Field(0.05, ge=0, le=PRICE_MAX)
    elastic_ip_month: float = Field(3.60, ge=0, le=PRICE_MAX)
    load_balancer_month: float = Field(16.43, ge=0, le=PRICE_MAX)


class Alerts(_Section):
    slack_webhook: SecretStr | None = Field(None, description="Slack incoming webhook; FINOPS_TUI_SLACK_WEBHOOK overrides")
    webhook_url: SecretStr | None = Field(None, description="Generic JSON webhook")
    stdout: bool = False
    on_forecast: bool = True
    timeout_seconds: float = Field(10.0, ge=0.1, le=300, description="Per webhook request, 0.1 to 300 s")
    max_backoff_minutes: float = Field(360.0, gt=0, le=10_080, description="Longest wait between retries, up to 7 days")
    one_time_min: float = Field(500.0, ge=0, le=MONEY_MAX, description="One-time charges above this (USD) are alerted")


class CacheSettings(_Section):
    lock_wait_seconds: float = Field(30.0, ge=0, le=3_600,
                                     description="How long a write waits for another process holding the cache")


class Lever(_Section):
    """One optimization lever of the framework: its saving range in percent of its base.

    ``high_pct`` unset means open-ended ("50 %+"): only the low end is a figure.
    """

    name: str
    level: Literal["Low", "Medium", "High"] = "Medium"
    low_pct: float = Field(ge=0, le=100)
    high_pct: float | None = Field(None, ge=0, le=100)
    enabled: bool = True

    @model_validator(mode="after")
    def _ordered(self) -> Lever:
        if self.high_pct is not None and self.high_pct < self.low_pct:
            raise ValueError("high_pct must not be below low_pct")
        return self


LEVER_IDS: tuple[str, ...] = ("s3_lifecycle", "rightsizing", "commitments", "graviton", "serverless")


def _default_levers() -> dict[str, Lever]:
    return {
        "s3_lifecycle": Lever.model_construct(name="S3 Lifecycle Rules", level="Low", low_pct=10.0, high_pct=30.0),
        "rightsizing": Lever.model_construct(name="Instance Right-sizing", level="Medium", low_pct=20.0, high_pct=40.0),
        "commitments": Lever.model_construct(name="RI / Savings Plans", level="Medium", low_pct=30.0, high_pct=60.0),
        "graviton": Lever.model_construct(name="Moving to Graviton (ARM)", level="High", low_pct=20.0, high_pct=30.0),
        "serverless": Lever.model_construct(name="Serverless for idle tasks", level="High", low_pct=50.0, high_pct=None),
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


class Review(_Section):
    """The monthly FinOps review: the levers table, right-sizing, Spot, data transfer."""

    levers: dict[str, Lever] = Field(default_factory=_default_levers)
    graviton: dict[str, str] = Field(default_factory=_default_graviton,
                                     description="x86 family -> arm64 twin; GPU, metal and Windows are never candidates")
    cpu_p95_below: float = Field(40.0, gt=0, le=100, description="CPU p95 (%) under which an instance is one size too big")
    cpu_lookback_days: int = Field(14, ge=1, le=60)
    spot_discount_pct: float = Field(60.0, ge=0, le=100, description="Spot saving when the account runs no Spot of a family")
    batch_tag_key: str = Field("Workload", description="Tag that marks batch or worker jobs (Spot candidates in any environment)")
    batch_tag_values: list[str] = Field(default_factory=lambda: ["batch*", "worker*", "job*"])
    top_n: int = Field(5, ge=1, le=50, description="Top sources listed per data-transfer class")

    @model_validator(mode="before")
    @classmethod
    def _merge_levers(cls, data: Any) -> Any:
        """A config may set only some fields of some levers: the rest keep the framework's."""
        if not isinstance(data, dict) or not isinstance(data.get("levers"), dict):
            return data
        defaults = _default_levers()
        merged: dict[str, Any] = {}
        for name, given in data["levers"].items():
            if name not in defaults:
                raise ValueError(f"unknown lever {name!r}; expected one of {', '.join(LEVER_IDS)}")
            base = defaults[name].model_dump()
            merged[name] = {**base, **given} if isinstance(given, dict) else given
        for name, lever in defaults.items():
            merged.setdefault(name, lever.model_dump())
        return {**data, "levers": merged}

APPROVAL_TIERS: tuple[str, ...] = ("team_lead", "vp_engineering", "cto_cfo")  # lowest first


class Approvers(_Section):
    """Who may decide an approval item, per tier; a higher tier may decide a lower tier's items."""

    team_lead: list[str] = Field(default_factory=list)
    vp_engineering: list[str] = Field(default_factory=list)
    cto_cfo: list[str] = Field(default_factory=list)

    @field_validator("team_lead", "vp_engineering", "cto_cfo")
    @classmethod
    def _names(cls, value: list[str]) -> list[str]:
        names = [name.strip() for name in value]
        if any(not name or not name.isprintable() for name in names):
            raise ValueError("approver names must be non-empty printable text")
        return names


class ApprovalChannels(_Section):
    """A Slack incoming webhook per tier; a tier without one uses the alert channels."""

    team_lead: SecretStr | None = None
    vp_engineering: SecretStr | None = None
    cto_cfo: SecretStr | None = None


class Approvals(_Section):
    approvers: Approvers = section(Approvers)
    channels: ApprovalChannels = section(ApprovalChannels)
    verify_days: int = Field(14, ge=1, le=180, description="Complete days after `done` compared with as many before")


class Athena(_Section):
    """Athena over the organisation's Data Export (CUR 2.0 or FOCUS 1.2 Parquet, a Glue table by billing period)."""

    database: str = Field("", description="Glue database of the export's table")
    table: str = Field("", description="Glue table of the export")
    workgroup: str = "primary"
    output_location: str = Field("", description="s3:// prefix for query results (else the workgroup's)")
    export_format: Literal["cur2", "focus"] = "cur2"
    catalog: str = "AwsDataCatalog"
    region: str = "us-east-1"
    monthly_cost_cap_usd: float = Field(25.0, gt=0, le=MONEY_MAX, description="Athena scan spend allowed per month, checked before each query")
    poll_timeout_seconds: float = Field(900.0, gt=0, le=86_400, description="Give up (and stop the query) after this long")
    restated_periods: int = Field(2, ge=1, le=12, description="Billing periods re-queried after the backfill (AWS restates a closed month)")

    @field_validator("output_location")
    @classmethod
    def _s3_url(cls, value: str) -> str:
        if value and not value.startswith("s3://"):
            raise ValueError("must be an s3:// URL")
        return value


class Sources(_Section):
    """Which source counts when Cost Explorer and a billing export both hold an (account, day)."""

    precedence: Literal["export", "ce"] = Field(
        "export", description='"export": an imported export wins for the accounts and billing periods it covers, '
        'Cost Explorer fills the rest; "ce": Cost Explorer wins wherever it has the day')


class Settings(_Section):
    """The whole configuration. Every default is a number from the cost framework."""

    metric: Literal["amortized", "billed"] = "amortized"
    currency: str = Field("USD", pattern=r"^[A-Z]{3}$", description="The cache's one currency (ISO 4217); other files are refused")
    exclude_credits: bool = False
    budget: Budget = section(Budget)
    spikes: Spikes = section(Spikes)
    forecast: Forecast = section(Forecast)
    freshness: Freshness = section(Freshness)
    approval: Approval = section(Approval)
    leads: Leads = section(Leads)
    environments: Environments = section(Environments)
    categories: Categories = section(Categories)
    refresh: Refresh = section(Refresh)
    sync: Sync = section(Sync)
    waste: Waste = section(Waste)
    alerts: Alerts = section(Alerts)
    review: Review = section(Review)
    approvals: Approvals = section(Approvals)
    cache: CacheSettings = section(CacheSettings)
    athena: Athena = section(Athena)
    sources: Sources = section(Sources)


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


def _describe_validation_error(path: Path, error: ValidationError) -> str:
    first = error.errors()[0]
    location = ".".join(str(part) for part in first["loc"]) or "(top level)"
    message = first["msg"]
    if first["type"] == "extra_forbidden":
        message = "unknown setting"
    message = message.removeprefix("Value error, ")
    return f"{path}: {location}: {message}"


def default_settings() -> Settings:
    """The built-in defaults. They are the framework's numbers and valid by construction: nothing is validated."""
    return Settings.model_construct()


def parse_settings(data: dict[str, Any], origin: Path | str = "<config>") -> Settings:
    if not data:  # an empty file (or only comments): the defaults, without building a validator
        return default_settings()
    try:
        return Settings.model_validate(data)
    except ValidationError as error:
        raise ConfigError(_describe_validation_error(Path(origin), error)) from None


def load_settings(explicit: str | os.PathLike[str] | None = None) -> LoadedSettings:
    """Load and validate the configuration once; raises ``ConfigError`` with one line."""
    path = find_config(explicit)
    if path is None:
        settings = default_settings()
        source = "built-in defaults"
    else:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"{path}: config file not found") from None
        except (OSError, UnicodeDecodeError) as error:
            raise ConfigError(f"{path}: cannot read config file: {error}") from None
        except tomllib.TOMLDecodeError as error:
            raise ConfigError(f"{path}: not valid TOML: {error}") from None
        settings = parse_settings(data, path)
        source = str(path)
    webhook = os.environ.get("FINOPS_TUI_SLACK_WEBHOOK")
    if webhook:
        settings.alerts.slack_webhook = SecretStr(webhook)
    from finops_tui.outside_text import register_secret

    for secret in (settings.alerts.slack_webhook, settings.alerts.webhook_url):
        register_secret(secret.get_secret_value() if secret is not None else None)
    return LoadedSettings(settings, source)


def effective_config_toml(settings: Settings) -> str:
    """The effective configuration as TOML, with secrets masked."""
    data = settings.model_dump(mode="json", exclude_none=True)
    data["categories"]["rules"] = [
        {key: value for key, value in rule.items() if value not in ([], {})} for rule in data["categories"]["rules"]
    ]
    for section, key in (("environments", "accounts"), ("leads", "dimensions")):
        holder = data[section] if section != "leads" else data["leads"]["cloudwatch"]
        if not holder.get(key):
            holder.pop(key, None)
    for key in ("slack_webhook", "webhook_url"):
        if data["alerts"].get(key):
            data["alerts"][key] = "********"
    for tier in list(data["approvals"].get("channels", {})):
        data["approvals"]["channels"][tier] = "********"
    return tomli_w.dumps(data)
