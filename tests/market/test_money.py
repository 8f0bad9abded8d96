"""Minor units, ISO 4217 and the dated conversion table."""

import pytest

from market import money


@pytest.mark.parametrize("amount, currency, minor", [
    (12.5, "USD", 1250), (1200, "JPY", 1200), (1.2345, "KWD", 1234), (0.005, "EUR", 0), (0.015, "EUR", 2),
    (1_000_000.01, "USD", 100_000_001),
])
def test_amounts_become_integers_of_the_minor_unit(amount, currency, minor):
    assert money.to_minor(amount, currency) == minor


def test_formatting_follows_the_currency():
    assert money.format_amount(120050, "EUR") == "1,200.50 EUR"
    assert money.format_amount(1200, "JPY") == "1,200 JPY"
    assert money.format_amount(1234, "BHD") == "1.234 BHD"


def test_a_table_converts_into_its_base_and_knows_its_date():
    table = money.parse_rates('{"base": "EUR", "as_of": "2026-12-01", "rates": {"USD": 0.95, "JPY": 0.0061}}')
    assert table.convert(100, "USD") == pytest.approx(95)
    assert table.convert_minor(150000, "JPY") == pytest.approx(915.0)
    assert table.convert(10, "EUR") == 10  # the base is always 1
    assert table.convert(10, "CHF") is None
    assert table.describe()["as_of"] == "2026-12-01"


def test_the_default_table_sorts_euros_above_dollars_by_value_not_by_number():
    table = money.parse_rates(None)
    assert table.convert(5000, "USD") > table.convert(4000, "EUR") > table.convert(500_000, "JPY")


@pytest.mark.parametrize("text, words", [
    ("{", "not valid JSON"), ('{"base": "XXX", "as_of": "2026-01-01", "rates": {"EUR": 1}}', "base"),
    ('{"base": "USD", "as_of": "soon", "rates": {"EUR": 1}}', "as_of"),
    ('{"base": "USD", "as_of": "2026-01-01", "rates": {"ABC": 1}}', "unknown currencies: ABC"),
    ('{"base": "USD", "as_of": "2026-01-01", "rates": {"EUR": -1}}', "positive"),
    ('{"base": "USD", "as_of": "2026-01-01", "rates": {"EUR": true}}', "positive"),
    ("/no/such/rates.json", "no file"),
])
def test_a_bad_table_is_refused_with_the_reason(text, words):
    with pytest.raises(ValueError, match=words):
        money.parse_rates(text)


def test_a_table_can_come_from_a_file(tmp_path):
    path = tmp_path / "rates.json"
    path.write_text('{"base": "GBP", "as_of": "2026-11-30", "rates": {"EUR": 0.86}}')
    assert money.parse_rates(str(path)).base == "GBP"


def test_a_bad_setting_stops_the_app_at_start(make_app):
    from api.config import ConfigError
    with pytest.raises(ConfigError, match="CURRENCY_RATES"):
        make_app(CURRENCY_RATES='{"base": "USD"}')
