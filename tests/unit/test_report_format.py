"""Small formatting rules of the reports: money, percentages, Markdown cells, formats."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from finops_tui.errors import InputError
from finops_tui.reports import md_cell, pct, render_monthly_report, render_waste_report, signed_usd, usd
from tests.analytics_cache import Cache, small_settings


def test_money_and_percent() -> None:
    assert usd(1234.5) == "$1,234.50" and usd(-0.5) == "-$0.50" and usd(None) == "-"
    assert signed_usd(10.0) == "+$10.00" and signed_usd(-10.0) == "-$10.00" and signed_usd(0.0) == "$0.00"
    assert pct(80.0) == "80.0 %" and pct(5.04, signed=True) == "+5.0 %" and pct(None) == "-"


def test_markdown_cell_keeps_outside_text_literal_and_in_its_cell() -> None:
    assert md_cell("a|b") == "a\\|b"
    assert md_cell("line\nbreak") == "line break"
    assert md_cell("[bold]x[/bold]") == "[bold]x[/bold]"


def test_unknown_format_is_one_clear_error(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "c.db")
    with pytest.raises(InputError, match="format 'html' is not one of md, csv, json"):
        render_monthly_report(cache.store, small_settings(), "2026-10", "html", date(2026, 11, 11))
    with pytest.raises(InputError, match="format 'xml'"):
        render_waste_report(cache.store, small_settings(), "xml", date(2026, 11, 11))


def test_empty_waste_report(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "c.db")
    text = render_waste_report(cache.store, small_settings(), "md", date(2026, 11, 11))
    assert "**$0.00 a month** across 0 items" in text and "No waste found." in text
