"""Money: ISO 4217 currencies with their minor units, and a dated conversion table.

Amounts are integers in a currency's minor unit (cents, yen, fils): 1200 USD cents is $12.00, 1200
JPY is ¥1,200, 1200 KWD fils is 1.200 KD. Artworks keep the SPEC's decimal list price; it becomes
minor units at the moment it is charged (`to_minor`).

Conversion is for comparing, never for charging: sorting and filtering prices across currencies,
and adding revenue earned in several. Each rate says how many units of the table's base currency
one unit of a currency buys, on the table's date.
"""

import json
import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

# Minor-unit exponent of every active ISO 4217 code (the list-one table, 2024 amendment 177);
# 2 unless listed among the exceptions below.
_CODES = """
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD CAD CDF
CHF CLF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD
HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL
LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR
PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP
TRY TTD TWD TZS UAH UGX USD UYI UYU UYW UZS VED VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG
""".split()
_EXPONENT_EXCEPTIONS = {
    0: "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF",
    3: "BHD IQD JOD KWD LYD OMR TND",
    4: "CLF UYW",
}
EXPONENTS = {code: 2 for code in _CODES} | {
    code: exponent for exponent, codes in _EXPONENT_EXCEPTIONS.items() for code in codes.split()}
CURRENCIES = frozenset(EXPONENTS)

# Reference rates (units of US dollars per unit), rounded, of the date below: good enough to sort a
# gallery, not to settle an account. A deployment sets its own with CURRENCY_RATES.
DEFAULT_RATES = {
    "base": "USD", "as_of": "2025-01-02",
    "rates": {"USD": 1.0, "EUR": 1.035, "GBP": 1.244, "JPY": 0.00636, "CHF": 1.101, "CAD": 0.695, "AUD": 0.621,
              "NZD": 0.561, "CNY": 0.137, "HKD": 0.1287, "SGD": 0.733, "KRW": 0.00068, "INR": 0.01167,
              "SEK": 0.0903, "NOK": 0.0879, "DKK": 0.1388, "PLN": 0.2418, "CZK": 0.0411, "MXN": 0.0487,
              "BRL": 0.1618, "ZAR": 0.0532, "ILS": 0.2735, "TRY": 0.0283, "AED": 0.2723},
}


def is_currency(code: str) -> bool:
    return code in CURRENCIES


def to_minor(amount: float | Decimal, currency: str) -> int:
    """A decimal amount (12.5) as an integer of the currency's minor unit (1250 for USD)."""
    scaled = Decimal(str(amount)).scaleb(EXPONENTS[currency])
    return int(scaled.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def to_major(minor: int, currency: str) -> float:
    return minor / 10 ** EXPONENTS[currency]


def format_amount(minor: int, currency: str) -> str:
    """'1,200.00 USD', '1,200 JPY': for messages and notices."""
    exponent = EXPONENTS[currency]
    return f"{minor / 10 ** exponent:,.{exponent}f} {currency}"


@dataclass(frozen=True)
class RateTable:
    base: str
    as_of: str
    rates: dict[str, float] = field(default_factory=dict)

    def convert(self, amount: float, currency: str) -> float | None:
        """`amount` (major units) of `currency` in the base currency; None when no rate is known."""
        rate = self.rates.get(currency)
        return None if rate is None else amount * rate

    def convert_minor(self, minor: int, currency: str) -> float | None:
        """A minor-unit amount in the base currency's major units."""
        converted = self.convert(to_major(minor, currency), currency)
        return None if converted is None else round(converted, EXPONENTS[self.base])

    def exchange(self, minor: int, currency: str, target: str) -> int | None:
        """A minor-unit amount of `currency` in `target`'s minor units, through the base currency;
        None when either rate is unknown."""
        if currency == target:
            return minor
        if currency not in self.rates or target not in self.rates:
            return None
        major = to_major(minor, currency) * self.rates[currency] / self.rates[target]
        return to_minor(round(major, EXPONENTS[target]), target)

    def describe(self) -> dict:
        return {"base": self.base, "as_of": self.as_of, "rates": dict(sorted(self.rates.items()))}


def parse_rates(value: str | dict | None) -> RateTable:
    """A RateTable from JSON text, a path to a JSON file, or a dict, shaped like DEFAULT_RATES.

    Raises ValueError naming what is wrong, so a bad setting stops the app at start."""
    if value is None:
        value = DEFAULT_RATES
    if isinstance(value, str):
        text = value.strip()
        if not text.startswith("{"):
            path = Path(text)
            if not path.is_file():
                raise ValueError(f"must be JSON like {{\"base\": \"USD\", ...}} or a JSON file's path; "
                                 f"no file {text!r}")
            text = path.read_text()
        try:
            value = json.loads(text)
        except json.JSONDecodeError as error:
            raise ValueError(f"is not valid JSON ({error.msg})") from None
    return _checked_table(value)


def _checked_table(value) -> RateTable:
    if not isinstance(value, dict) or set(value) - {"base", "as_of", "rates"}:
        raise ValueError("must be an object with base, as_of and rates")
    base, as_of, rates = value.get("base"), value.get("as_of"), value.get("rates")
    if base not in CURRENCIES:
        raise ValueError(f"base must be an ISO 4217 currency, not {base!r}")
    if not isinstance(as_of, str) or len(as_of) != 10 or as_of[4] != "-" or as_of[7] != "-":
        raise ValueError("as_of must be the rates' date, YYYY-MM-DD")
    if not isinstance(rates, dict) or not rates:
        raise ValueError("rates must map currencies to units of the base currency")
    unknown = sorted(code for code in rates if code not in CURRENCIES)
    if unknown:
        raise ValueError(f"rates name unknown currencies: {', '.join(unknown)}")
    bad = sorted(code for code, rate in rates.items()
                 if isinstance(rate, bool) or not isinstance(rate, int | float) or not math.isfinite(rate) or rate <= 0)
    if bad:
        raise ValueError(f"rates must be positive numbers ({', '.join(bad)})")
    return RateTable(base, as_of, {code: float(rate) for code, rate in rates.items()} | {base: 1.0})
