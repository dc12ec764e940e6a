"""Configuration: defaults are the framework's numbers; bad files name the field."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from finops_tui import settings_schema
from finops_tui.config import EXAMPLE_CONFIG, Settings, load_settings, parse_settings
from finops_tui.errors import ConfigError
from tests.helpers import run_cli


def test_defaults_are_the_framework_numbers() -> None:
    s = Settings()
    assert (s.budget.shares.production, s.budget.shares.staging, s.budget.shares.development, s.budget.shares.rnd) == (70, 15, 10, 5)
    assert (s.budget.thresholds.warning, s.budget.thresholds.critical, s.budget.thresholds.hard_limit) == (80, 100, 120)
    assert s.spikes.threshold_pct == 20 and s.spikes.min_delta == 0
    assert (s.approval.team_lead_below, s.approval.cto_cfo_above) == (500, 5000)
    assert s.leads.target_cost_per_lead == 0.05
    assert s.metric == "amortized" and s.exclude_credits is False
    assert s.environments.tag_key == "Environment"
    assert s.environments.aliases["production"] == ["prod", "prd"]
    assert s.environments.aliases["rnd"] == ["r&d", "research", "experiment", "experiments"]
    assert [r.category for r in s.categories.rules][:3] == ["Networking", "AI/ML", "AI/ML"]  # data transfer first
    assert s.budget.for_environment("production") == 0.70 * s.budget.monthly_total
    assert s.refresh.interval_seconds == 30
    assert s.sync.daily_request_cap > 0


def test_shipped_example_config_is_valid_and_equals_defaults() -> None:
    assert parse_settings(tomllib.loads(EXAMPLE_CONFIG.read_text()), EXAMPLE_CONFIG) == Settings()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[budget]\nmonthly_total = "lots"\n', "budget.monthly_total: Input should be a valid number"),
        ("[budget]\nmonthly_total = -5\n", "budget.monthly_total: Input should be greater than or equal to 0"),
        ("[budgt]\nmonthly_total = 5\n", "budgt: unknown setting"),
        ("[budget.shares]\nproduction = 90\n", "budget.shares: environment shares add up to 120 %"),
        ("[budget.thresholds]\nwarning = 110\n", "budget.thresholds: thresholds must rise"),
        ('metric = "blended"\n', "metric: Input should be 'amortized' or 'billed'"),
        ('[environments.aliases]\nprodution = ["p"]\n', "environments.aliases: unknown environment 'prodution'"),
        ('[[categories.rules]]\ncategory = "Food"\nservices = ["x"]\n', "categories.rules.0.category: unknown category 'Food'"),
        ('[[categories.rules]]\ncategory = "Compute"\n', "categories.rules.0: a rule needs at least one of"),
        ("metric = \n", "not valid TOML"),
    ],
)
def test_bad_config_names_the_field(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as raised:
        load_settings(path)
    assert expected in str(raised.value)
    assert str(path) in str(raised.value)
    assert raised.value.exit_code == 2


def test_bad_config_on_the_command_line_is_one_line_and_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("[spikes]\nthreshold_pct = -1\n")
    result = run_cli("--config", str(path), "config")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "spikes.threshold_pct" in result.stderr
    assert "Traceback" not in result.stderr


def test_precedence_explicit_then_env_then_local_then_user(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    explicit = tmp_path / "explicit.toml"
    explicit.write_text("[budget]\nmonthly_total = 1\n")
    from_env = tmp_path / "env.toml"
    from_env.write_text("[budget]\nmonthly_total = 2\n")
    workdir = tmp_path / "work"
    workdir.mkdir()
    (workdir / "finops.toml").write_text("[budget]\nmonthly_total = 3\n")
    user_dir = tmp_path / "xdg" / "finops-tui"
    user_dir.mkdir(parents=True)
    (user_dir / "finops.toml").write_text("[budget]\nmonthly_total = 4\n")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.chdir(workdir)
    monkeypatch.setenv("FINOPS_TUI_CONFIG", str(from_env))
    assert load_settings(explicit).settings.budget.monthly_total == 1
    assert load_settings().settings.budget.monthly_total == 2
    monkeypatch.delenv("FINOPS_TUI_CONFIG")
    assert load_settings().settings.budget.monthly_total == 3
    (workdir / "finops.toml").unlink()
    loaded = load_settings()
    assert loaded.settings.budget.monthly_total == 4
    assert loaded.source.endswith("finops.toml")
    (user_dir / "finops.toml").unlink()
    assert load_settings().source == "built-in defaults"


def test_config_command_prints_effective_values_source_and_masks_webhook(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text('[budget]\nmonthly_total = 1234.5\n[alerts]\nslack_webhook = "https://hooks.example/secret-token"\n')
    result = run_cli("--config", str(path), "config")
    assert result.returncode == 0, result.stderr
    assert f"# source: {path}" in result.stdout
    assert "monthly_total = 1234.5" in result.stdout
    assert "secret-token" not in result.stdout
    assert 'slack_webhook = "********"' in result.stdout
    reparsed = tomllib.loads(result.stdout)
    assert reparsed["budget"]["shares"]["production"] == 70.0


def test_webhook_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FINOPS_TUI_SLACK_WEBHOOK", "http://127.0.0.1:9/hook")
    settings = load_settings().settings
    assert settings.alerts.slack_webhook is not None
    assert settings.alerts.slack_webhook.get_secret_value() == "http://127.0.0.1:9/hook"
    assert "127.0.0.1:9" not in repr(settings)


# -- a config file is validated once per contents ----------------------------------------------------

REMEMBERED_CASES = [
    "[budget]\nmonthly_total = 250000\n[budget.thresholds]\nwarning = 75\n",
    '[review.levers.graviton]\nlow_pct = 25\n[review]\nbatch_tag_values = ["nightly*"]\n',
    '[approvals.approvers]\nteam_lead = [" ana ", "bo"]\n[approvals.channels]\ncto_cfo = "http://127.0.0.1:9/cto"\n',
    '[alerts]\nslack_webhook = "http://127.0.0.1:9/hook"\nstdout = true\n[[categories.rules]]\ncategory = "AI/ML"\n'
    'services = ["*Lambda*"]\n[leads]\ntarget_cost_per_lead = 1\n[sync]\nregions = ["eu-west-1"]\n',
]


@pytest.mark.parametrize("text", REMEMBERED_CASES)
def test_a_remembered_config_gives_what_validation_gave_and_skips_pydantic(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    path = tmp_path / "finops.toml"
    path.write_text(text)
    validated = load_settings(path).settings
    assert validated == parse_settings(tomllib.loads(text), path)

    def no_validation(*_args: object) -> None:
        raise AssertionError("validated again")

    monkeypatch.setattr(settings_schema, "validate", no_validation)
    assert load_settings(path).settings == validated  # same values, secrets included, and no pydantic


def test_an_edited_config_is_validated_again(tmp_path: Path) -> None:
    path = tmp_path / "finops.toml"
    path.write_text("[budget]\nmonthly_total = 5\n")
    assert load_settings(path).settings.budget.monthly_total == 5.0
    path.write_text("[budget]\nmonthly_total = -5\n")
    with pytest.raises(ConfigError, match="budget.monthly_total: Input should be greater than or equal to 0"):
        load_settings(path)
    path.write_text("[budget]\nmonthly_total = 7\n")
    assert load_settings(path).settings.budget.monthly_total == 7.0


def test_a_damaged_memo_means_validating_again_and_secrets_are_never_written_there(tmp_path: Path) -> None:
    path = tmp_path / "finops.toml"
    path.write_text('[budget]\nmonthly_total = 5\n[alerts]\nwebhook_url = "http://127.0.0.1:9/secret-hook"\n')
    load_settings(path)
    memos = list(settings_schema.memo_dir().glob("*.json"))
    assert len(memos) == 1
    assert "secret-hook" not in memos[0].read_text()
    memos[0].write_text('{"budget": {"monthly_total": 9}}')  # not all that was written: not trusted

    settings = load_settings(path).settings

    assert settings.budget.monthly_total == 5.0
    assert settings.alerts.webhook_url.get_secret_value() == "http://127.0.0.1:9/secret-hook"
