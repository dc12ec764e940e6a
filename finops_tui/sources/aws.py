"""AWS over boto3: sessions, the request meter, error translation, Cost Explorer paging.

Only Get, Describe and List operations are ever called. Every HTTP request
(retries included) is counted through botocore's ``before-send`` event, which
also records the operation name so a test can prove the sync is read-only.
Credentials come from the standard boto3 chain and are never stored or logged;
``AWS_ENDPOINT_URL`` is honoured by boto3 itself (we never pass ``endpoint_url``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from finops_tui.errors import SyncError

CE_REGION = "us-east-1"  # Cost Explorer has one endpoint
METRICS = ("AmortizedCost", "UnblendedCost")  # both in one call: the setting only chooses what is shown

_THROTTLE_CODES = {"Throttling", "ThrottlingException", "LimitExceededException", "RequestLimitExceeded", "TooManyRequestsException"}
_CREDENTIAL_CODES = {
    "ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId", "UnrecognizedClientException",
    "AuthFailure", "InvalidAccessKeyId", "SignatureDoesNotMatch", "RequestExpired",
}
_DENIED_CODES = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedException"}
_NOT_AVAILABLE_CODES = {
    "DataUnavailableException", "OptInRequired", "OptInRequiredException", "SubscriptionRequiredException", "NotImplemented",
    "InvalidAction", "UnknownOperationException", "ValidationException", "BillingViewHealthStatusException",
}


@dataclass
class RequestMeter:
    """Counts AWS requests of one run; ``cap`` stops the run before Cost Explorer spends past it."""

    operations: Counter[str] = field(default_factory=Counter)
    ce_cap: int | None = None
    ledger: Any = None  # a RequestLedger: each request is committed to the cache before it is sent

    @property
    def requests(self) -> int:
        return sum(self.operations.values())

    @property
    def ce_requests(self) -> int:
        return sum(count for name, count in self.operations.items() if name.startswith("ce."))

    def on_before_send(self, event_name: str = "", **_: Any) -> None:
        # event_name is "before-send.<service-id>.<OperationName>", e.g. before-send.cost-explorer.GetCostAndUsage
        parts = event_name.split(".")
        service = parts[1] if len(parts) > 2 else "unknown"
        operation = parts[-1] if len(parts) > 2 else "unknown"
        if service == "cost-explorer":
            service = "ce"
            if self.ce_cap is not None and self.ce_requests >= self.ce_cap:
                raise SyncError(
                    f"stopped before Cost Explorer request {self.ce_requests + 1}: the daily cap of requests is reached",
                    "raise sync.daily_request_cap or sync again tomorrow; the cache was not changed",
                )
        name = f"{service}.{operation}"
        if self.ledger is not None:
            try:
                self.ledger.record(name)
            except Exception as error:  # noqa: BLE001 - an unrecorded request is never sent
                raise SyncError(f"stopped before {name}: the request could not be recorded in the cache ({error})",
                                "nothing else was changed") from None
        self.operations[name] += 1


class AwsSession:
    """A boto3 session for one run, with metered clients and retry on throttling."""

    def __init__(self, profile: str | None, meter: RequestMeter) -> None:
        import boto3
        import botocore.exceptions

        self.profile = profile
        self.meter = meter
        try:
            self.session = boto3.Session(profile_name=profile)
        except botocore.exceptions.ProfileNotFound:
            raise SyncError(f"AWS profile {profile!r} is not configured", "check ~/.aws/config or pass another --profile") from None
        self._clients: dict[tuple[str, str, int], Any] = {}

    def client(self, service: str, region: str, *, attempts: int = 4) -> Any:
        """A metered client; ``attempts`` counts the first try (throttling and 5xx are retried with backoff)."""
        key = (service, region, attempts)
        if key not in self._clients:
            from botocore.config import Config

            config = Config(
                retries={"mode": "standard", "total_max_attempts": attempts},
                connect_timeout=5, read_timeout=60, user_agent_extra="finops-tui",
            )
            client = self.session.client(service, region_name=region, config=config)
            client.meta.events.register("before-send", self.meter.on_before_send)
            self._clients[key] = client
        return self._clients[key]


def credentials_resolvable(profile: str | None) -> bool:
    """Whether the boto3 chain can find credentials, without a network call.

    The instance-metadata and container providers would need one, so they are
    judged by their configuration instead (container variables set; on EC2 the
    metadata endpoint is not probed: set ``sync.profile`` or run ``sync`` there).
    Role and SSO profiles count as configured; they fetch credentials only when used.
    """
    import os

    try:
        import botocore.exceptions
        import botocore.session

        session = botocore.session.Session(profile=profile)
        if profile is not None and profile not in session.available_profiles:
            return False
        resolver = session.get_component("credential_provider")
        for method in ("iam-role", "container-role", "sso", "assume-role", "assume-role-with-web-identity", "login",
                       "custom-process"):
            try:
                resolver.remove(method)
            except (botocore.exceptions.BotoCoreError, ValueError):
                pass
        if resolver.load_credentials() is not None:
            return True
        config = session.get_scoped_config()
        if any(key in config for key in ("role_arn", "sso_session", "sso_start_url", "web_identity_token_file", "credential_process")):
            return True
        return bool(os.environ.get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") or os.environ.get("AWS_CONTAINER_CREDENTIALS_FULL_URI")
                    or os.environ.get("AWS_WEB_IDENTITY_TOKEN_FILE"))
    except (botocore.exceptions.BotoCoreError, ValueError, KeyError):
        return False


def profile_label(profile: str | None) -> str:
    return f"profile {profile!r}" if profile else "the default credential chain (no profile)"


def error_code(error: BaseException) -> str:
    response = getattr(error, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


def classify(error: BaseException) -> str:
    """'denied', 'not_available', 'throttled', 'credentials', 'unreachable' or 'error'."""
    import botocore.exceptions as bx

    if isinstance(error, (bx.NoCredentialsError, bx.PartialCredentialsError, bx.CredentialRetrievalError,
                          bx.TokenRetrievalError, bx.SSOError)):
        return "credentials"
    if isinstance(error, (bx.EndpointConnectionError, bx.ConnectTimeoutError, bx.ReadTimeoutError, bx.ConnectionClosedError)):
        return "unreachable"
    code = error_code(error)
    status = (getattr(error, "response", None) or {}).get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    if code in _CREDENTIAL_CODES:
        return "credentials"
    if code in _DENIED_CODES:
        return "denied"
    if code in _THROTTLE_CODES:
        return "throttled"
    if code in _NOT_AVAILABLE_CODES or status in (404, 501):
        return "not_available"
    return "error"


def aws_message(error: BaseException) -> str:
    """The AWS error as one line, without request ids or signatures."""
    response = getattr(error, "response", None) or {}
    message = response.get("Error", {}).get("Message") or str(error)
    return " ".join(str(message).split())[:300]


def translate(error: BaseException, profile: str | None, operation: str = "") -> SyncError:
    """One-line SyncError with a hint for anything boto3 raised."""
    import os

    if isinstance(error, SyncError):
        return error
    import botocore.exceptions

    what = f" ({operation})" if operation else ""
    if not isinstance(error, (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError)):
        return SyncError(f"sync failed{what}: {type(error).__name__}: {error}", "sync again; the cache was not changed")
    kind = classify(error)
    if kind == "credentials":
        return SyncError(f"AWS credentials for {profile_label(profile)} are missing or expired{what}",
                         "run `aws sso login` or `aws configure`, or pass --profile")
    if kind == "unreachable":
        endpoint = os.environ.get("AWS_ENDPOINT_URL")
        where = f"the AWS endpoint {endpoint}" if endpoint else "AWS"
        return SyncError(f"cannot reach {where}{what}: {type(error).__name__}", "check the network, proxy or AWS_ENDPOINT_URL")
    if kind == "throttled":
        return SyncError(f"AWS kept throttling{what} after retries: {aws_message(error)}", "sync again in a few minutes")
    if kind == "denied":
        return SyncError(f"access denied{what}: {aws_message(error)}", "run `finops-tui doctor` to see the IAM policy the sync needs")
    return SyncError(f"AWS request failed{what}: {error_code(error) or type(error).__name__}: {aws_message(error)}",
                     "sync again; the cache was not changed")


# -- Cost Explorer -------------------------------------------------------------------------------


def get_cost_and_usage_pages(ce: Any, request: dict[str, Any], *, max_restarts: int = 2, name: str = "") -> list[dict[str, Any]]:
    """Every page of one GetCostAndUsage query. There is no boto3 paginator: loop on NextPageToken.

    ``RequestChangedException`` (the data changed between pages) restarts paging from the first page;
    pages are returned together only after a clean pass, so a restart never mixes two versions. A token
    that repeats, or paging past ``ce_answers.MAX_PAGES``, stops the run (before the daily cap is spent).
    """
    import botocore.exceptions

    from finops_tui.sources.ce_answers import next_token

    for _attempt in range(max_restarts + 1):
        pages: list[dict[str, Any]] = []
        token: str | None = None
        seen_tokens: set[str] = set()
        try:
            while True:
                kwargs = dict(request, NextPageToken=token) if token else request
                page = ce.get_cost_and_usage(**kwargs)
                pages.append(page)
                token = next_token(name or "GetCostAndUsage", len(pages), page, seen_tokens)
                if not token:
                    return pages
        except botocore.exceptions.ClientError as error:
            if error_code(error) != "RequestChangedException":
                raise
    raise SyncError("Cost Explorer data kept changing while paging", "sync again in a few minutes; the cache was not changed")


def group_values(groups_page: dict[str, Any], metric_names: tuple[str, ...] = METRICS) -> Iterator[tuple[str, str, bool, tuple[str, ...], dict[str, float]]]:
    """(day, next_day, estimated, keys, {metric: amount}) for every group of every day in a page."""
    for period in groups_page.get("ResultsByTime", []):
        start = period["TimePeriod"]["Start"]
        end = period["TimePeriod"]["End"]
        estimated = bool(period.get("Estimated", False))
        for group in period.get("Groups", []):
            amounts = {name: group_amount(group, name, start) for name in metric_names}
            yield start, end, estimated, tuple(group.get("Keys", [])), amounts


def group_amount(group: dict[str, Any], metric: str, day: str) -> float:
    """A Cost Explorer amount (a string) as a float within ``finops_tui.bounds``; else a one-line SyncError."""
    from finops_tui.bounds import money_problem

    text = group.get("Metrics", {}).get(metric, {}).get("Amount", 0) or 0
    try:
        amount = float(text)
    except (TypeError, ValueError):
        amount = float("nan")
    problem = money_problem(amount)
    if problem is not None:
        shown = " ".join(str(text).split())[:40]
        raise SyncError(f"Cost Explorer answered {metric} {shown!r} for {day}, which {problem if amount == amount else 'is not a number'}",
                        "nothing was written; sync again later")
    return amount


def strip_key_prefix(value: str) -> str:
    """Tag and cost-category values come back as "Environment$prod"; "Environment$" is untagged."""
    return value.split("$", 1)[1] if "$" in value else value


def optional_call(call: Callable[[], Any]) -> tuple[str, str, Any]:
    """Run an optional source: (status, message, result). Never raises for AWS answers."""
    import botocore.exceptions

    try:
        return "ok", "", call()
    except botocore.exceptions.ClientError as error:
        kind = classify(error)
        if kind == "credentials":
            raise
        http_status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        if kind == "error" and http_status >= 500 and not error_code(error).isalpha():
            # An endpoint that does not implement the operation (e.g. moto) answers a bare 5xx.
            return "not_available", f"the endpoint answered HTTP {http_status}", None
        status = {"denied": "access_denied", "not_available": "not_available"}.get(kind, "error")
        return status, f"{error_code(error) or 'error'}: {aws_message(error)}", None
    except botocore.exceptions.UnknownServiceError as error:
        return "not_available", str(error), None
