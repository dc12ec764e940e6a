"""Settings: one pydantic model whose defaults are the customer's framework.

Loaded once at start from TOML: ``--config``, else ``FINOPS_TUI_CONFIG``, else
``./finops.toml``, else the user config dir, else the built-in defaults.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import tomli_w
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator, model_validator

from finops_tui.errors import ConfigError

ENVIRONMENTS: tuple[str, ...] = ("production", "staging", "development", "rnd")
UNALLOCATED = "unallocated"
CATEGORIES: tuple[str, ...] = ("Compute", "Database", "AI/ML", "Storage", "Networking", "Other")
CONFIG_ENV = "FINOPS_TUI_CONFIG"
CONFIG_FILE_NAME = "finops.toml"
EXAMPLE_CONFIG = Path(__file__).with_name("finops.example.toml")


class _Section(BaseModel):
    # defer_build: a section's validator is built the first time a config file's section is validated, not at
    # import; the built-in defaults are constructed without validation (see ``default_settings``), so a console
    # started without a config file never builds one. Give a section default as ``section(Model)``, never
    # ``Model()``: an instance at class definition would build that validator at import.
    model_config = ConfigDict(extra="forbid", validate_assignment=True, defer_build=True)


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

    warning: float = Field(80.0, gt=0)
    critical: float = Field(100.0, gt=0)
    hard_limit: float = Field(120.0, gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> Thresholds:
        if not self.warning < self.critical < self.hard_limit:
            raise ValueError("thresholds must rise: warning < critical < hard_limit")
        return self


class Budget(_Section):
    monthly_total: float = Field(50_000.0, ge=0, description="Monthly budget for all environments, USD")
    shares: Shares = section(Shares)
    thresholds: Thresholds = section(Thresholds)

    def for_environment(self, environment: str) -> float:
        return self.monthly_total * getattr(self.shares, environment) / 100.0


class Spikes(_Section):
    """A day is a spike when it rose more than ``threshold_pct`` over the day before."""

    threshold_pct: float = Field(20.0, ge=0)
    min_delta: float = Field(0.0, ge=0, description="Smallest daily increase in USD that counts")
    lookback_days: int = Field(7, ge=1, le=400, description="Complete days evaluated for spikes (late data too)")


class Forecast(_Section):
    """End-of-month forecast: spend so far plus the usage run-rate of the last complete days."""

    window_days: int = Field(7, ge=1, le=90, description="Complete days whose mean usage spend is the run-rate")
    min_days: int = Field(3, ge=1, le=90, description="No forecast while fewer complete usage days exist")


class Freshness(_Section):
    max_lag_days: int = Field(2, ge=0, le=60, description="Stale when the newest cost day is older than this before today")


class Approval(_Section):
    """Who approves a monthly amount: < team_lead_below -> team lead; up to cto_cfo_above -> VP; above -> CTO/CFO."""

    team_lead_below: float = Field(500.0, ge=0)
    cto_cfo_above: float = Field(5_000.0, ge=0)

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
    target_cost_per_lead: float = Field(0.05, gt=0)
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


def default_category_rules() -> list[CategoryRule]:
    """The framework's allocation, first match wins (like AWS Cost Categories)."""
    rule = CategoryRule.model_construct
    return [
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
    interval_seconds: float = Field(30.0, gt=0, description="How often the console re-reads the cache")


class Sync(_Section):
    interval_minutes: float = Field(360.0, gt=0, description="How often the console syncs when AWS is configured")
    backfill_months: int = Field(13, ge=1, le=38)
    open_window_days: int = Field(3, ge=1, le=60)
    previous_month_grace_days: int = Field(5, ge=0, le=28)
    daily_request_cap: int = Field(200, ge=1, description="Cost Explorer requests allowed per UTC day")
    profile: str | None = None
    regions: list[str] = Field(default_factory=lambda: ["us-east-1"])
    scan_rds: bool = False


class Waste(_Section):
    """Estimated monthly prices (USD) for idle resources; override for your region and contract."""

    snapshot_age_days: int = Field(90, ge=1)
    ebs_gb_month: dict[str, float] = Field(
        default_factory=lambda: {"gp2": 0.10, "gp3": 0.08, "io1": 0.125, "io2": 0.125, "st1": 0.045, "sc1": 0.015, "standard": 0.05}
    )
    snapshot_gb_month: float = 0.05
    elastic_ip_month: float = 3.60
    load_balancer_month: float = 16.43


class Alerts(_Section):
    slack_webhook: SecretStr | None = Field(None, description="Slack incoming webhook; FINOPS_TUI_SLACK_WEBHOOK overrides")
    webhook_url: SecretStr | None = Field(None, description="Generic JSON webhook")
    stdout: bool = False
    on_forecast: bool = True
    timeout_seconds: float = Field(10.0, gt=0)
    max_backoff_minutes: float = Field(360.0, gt=0)
    one_time_min: float = Field(500.0, ge=0, description="One-time charges above this (USD) are alerted")


class Athena(_Section):
    """Athena over the organisation's Data Export (CUR 2.0 or FOCUS 1.2 Parquet, a Glue table by billing period)."""

    database: str = Field("", description="Glue database of the export's table")
    table: str = Field("", description="Glue table of the export")
    workgroup: str = "primary"
    output_location: str = Field("", description="s3:// prefix for query results (else the workgroup's)")
    export_format: Literal["cur2", "focus"] = "cur2"
    catalog: str = "AwsDataCatalog"
    region: str = "us-east-1"
    monthly_cost_cap_usd: float = Field(25.0, gt=0, description="Athena scan spend allowed per month, checked before each query")
    poll_timeout_seconds: float = Field(900.0, gt=0, description="Give up (and stop the query) after this long")
    restated_periods: int = Field(2, ge=1, le=12, description="Billing periods re-queried after the backfill (AWS restates a closed month)")

    @field_validator("output_location")
    @classmethod
    def _s3_url(cls, value: str) -> str:
        if value and not value.startswith("s3://"):
            raise ValueError("must be an s3:// URL")
        return value


class Settings(_Section):
    """The whole configuration. Every default is a number from the cost framework."""

    metric: Literal["amortized", "billed"] = "amortized"
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
    athena: Athena = section(Athena)


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
    return tomli_w.dumps(data)
