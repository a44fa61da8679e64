"""Typed table columns: what a column holds (integers, decimals, percentages, currency, dates, times, codes/IDs,
measurements with units) and how its values are written in the page's locale.

Numbers, currency, dates and times are formatted by ICU (PyICU) for the language's locale — ``NumberFormat``
(``createInstance`` / ``createPercentInstance`` / ``createCurrencyInstance``), ``NumberFormatter`` for units
(short width, e.g. "12,5 кг") and ``DateFormat`` (``createDateInstance`` / ``createTimeInstance``, in GMT so a
value formats the same on every machine) — so group and decimal separators, currency placement, month names
and date order are CLDR's own: ru writes ``1 234,50 ₽`` with a no-break space (U+00A0) between digit groups and
a decimal comma, ja ``￥1,234``, en ``$1,234.50``. Invisible format characters ICU inserts (bidi marks such as
U+200F in Arabic currency) are dropped, since they are not drawn.

A column is drawn once (:func:`draw_column`, a plain JSON dict kept on the page's tape) and its values row by
row (:func:`draw_value`). Additive columns (integer, fixed-decimal, currency) draw integer multiples of their
last shown digit, so a totals row (:func:`total_text`) is exactly the sum of the values as printed.
Alignment: numbers with a fixed number of decimals, currency, percentages and units are right-aligned; a
"decimal" column (a varying number of decimals per row) is decimal-aligned (the decimal separators line up);
dates and times are right-aligned; codes left-aligned.
"""
from __future__ import annotations

import functools
import string
import unicodedata

import icu
import numpy as np

TYPES = ("integer", "decimal", "percent", "currency", "date", "time", "code", "unit")
"""Column types of :func:`draw_column`, besides the text columns ("label", "text", "long") of the table."""
ADDITIVE = ("integer", "decimal", "currency")
"""Types whose column can end in a totals row (a decimal column only when its decimals are fixed)."""
TOTAL_LABELS = {"eng_Latn": "Total", "rus_Cyrl": "Итого", "jpn_Jpan": "合計", "kor_Hang": "합계",
                "zho_Hans": "合计", "zho_Hant": "合計", "ukr_Cyrl": "Разом"}
"""Label of the totals row per language (others: "Σ")."""
_UNITS = ("createKilogram", "createKilometer", "createMeter", "createCentimeter", "createLiter", "createHour",
          "createCelsius", "createKilowattHour", "createMegabyte", "createSquareMeter")
_OTHER_CURRENCIES = ("USD", "EUR")
_DAY_S = 86_400.0  # PyICU takes a UDate as seconds since the epoch (a Python float)
_EPOCH_DAY_RANGE = (7300, 20800)  # 1989-12-27 .. 2026-12-13, days since 1970-01-01


@functools.lru_cache(maxsize=64)
def locale_for(hb_language: str) -> "icu.Locale":
    """The ICU locale of a language's BCP 47 tag (``Language.hb_language``), with its likely region (en -> en_US,
    ru -> ru_RU, zh-Hant -> zh_Hant_TW), which picks the local currency."""
    loc = icu.Locale.forLanguageTag(hb_language)
    loc.addLikelySubtags()
    return loc


def _visible(text: str) -> str:
    """`text` without format characters (Unicode category Cf: bidi marks), which are never drawn."""
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def decimal_separator(loc: "icu.Locale") -> str:
    """The locale's decimal separator ("." en, "," ru, "٫" ar)."""
    return icu.DecimalFormatSymbols(loc).getSymbol(icu.DecimalFormatSymbols.kDecimalSeparatorSymbol)


def draw_column(rng: np.random.Generator, kind: str, loc: "icu.Locale") -> dict:
    """How a column of `kind` (one of :data:`TYPES`) writes its values: a JSON-able spec.

    Keys: "type"; "align" ("right", "decimal" or "left"); "exp" (log10 of the typical magnitude) and "decimals"
    (shown fraction digits; a decimal-aligned column shows 0..decimals per row); "group" (digit grouping);
    "currency" (ISO 4217) for currency; "style" (ICU date/time style: 0 full .. 3 short) for dates and times;
    "unit" (an ``icu.MeasureUnit`` factory name) for units; "prefix" / "digits" for codes.
    """
    spec: dict = {"type": kind, "align": "right", "group": bool(rng.random() < 0.8), "decimals": 0, "exp": 0.0}
    if kind == "integer":
        spec["exp"] = float(rng.uniform(1, 6))
    elif kind == "decimal":
        spec.update(exp=float(rng.uniform(-0.5, 4)), decimals=int(rng.integers(1, 4)))
        if rng.random() < 0.35:
            spec["align"] = "decimal"
    elif kind == "percent":
        spec.update(exp=float(rng.uniform(0.3, 1.8)), decimals=int(rng.integers(0, 3)))
    elif kind == "currency":
        local = icu.NumberFormat.createCurrencyInstance(loc)
        code = local.getCurrency() if rng.random() < 0.7 else _OTHER_CURRENCIES[int(rng.integers(2))]
        spec.update(exp=float(rng.uniform(0.5, 5)), currency=str(code))
        spec["decimals"] = _currency_decimals(loc, spec["currency"])
    elif kind in ("date", "time"):
        spec.update(style=int(rng.choice([1, 2, 3])) if kind == "date" else 3,
                    start=int(rng.integers(*_EPOCH_DAY_RANGE)))
    elif kind == "code":
        n_letters = int(rng.integers(0, 4))
        spec.update(align="left", prefix="".join(rng.choice(list(string.ascii_uppercase), n_letters)),
                    sep=str(rng.choice(["-", "", "/", "."])) if n_letters else "", digits=int(rng.integers(3, 8)))
    elif kind == "unit":
        spec.update(unit=str(rng.choice(_UNITS)), exp=float(rng.uniform(0, 3.5)), decimals=int(rng.integers(0, 3)))
    else:
        raise ValueError(f"unknown column type {kind!r}; use {', '.join(TYPES)}")
    return spec


def _currency_decimals(loc: "icu.Locale", code: str) -> int:
    fmt = icu.NumberFormat.createCurrencyInstance(loc)
    fmt.setCurrency(code)
    return int(fmt.getMaximumFractionDigits())


def draw_value(rng: np.random.Generator, spec: dict, negative_p: float = 0.0) -> float | int:
    """One value of a column: a float for numbers (already rounded to what is shown), seconds since the epoch (GMT)
    for dates and times, an int for codes."""
    kind = spec["type"]
    if kind == "code":
        return int(rng.integers(10 ** (spec["digits"] - 1), 10 ** spec["digits"]))
    if kind == "date":
        return (spec["start"] + int(rng.integers(0, 400))) * _DAY_S
    if kind == "time":
        return spec["start"] * _DAY_S + int(rng.integers(6 * 4, 22 * 4)) * 900.0  # quarter hours 06:00-22:00
    decimals = spec["decimals"]
    if spec["align"] == "decimal":
        decimals = int(rng.integers(0, decimals + 1))
    value = 10 ** (spec["exp"] + rng.normal(0, 0.35))
    if kind == "percent":
        value = min(value, 100.0) / 100.0
        decimals += 2  # fraction digits of the ratio
    if kind in ("integer", "decimal", "percent") and rng.random() < negative_p:
        value = -value
    return round(value, decimals)


def _number_format(loc: "icu.Locale", spec: dict, decimals: int) -> "icu.NumberFormat":
    kind = spec["type"]
    if kind == "percent":
        fmt = icu.NumberFormat.createPercentInstance(loc)
    elif kind == "currency":
        fmt = icu.NumberFormat.createCurrencyInstance(loc)
        fmt.setCurrency(spec["currency"])
    else:
        fmt = icu.NumberFormat.createInstance(loc)
    fmt.setGroupingUsed(bool(spec["group"]))
    fmt.setMinimumFractionDigits(decimals)
    fmt.setMaximumFractionDigits(decimals)
    return fmt


def shown_decimals(spec: dict, value: float) -> int:
    """Fraction digits shown for `value` in its column: fixed, or (decimal-aligned columns) the fewest that
    write it exactly."""
    if spec["align"] != "decimal":
        return int(spec["decimals"])
    for d in range(int(spec["decimals"]) + 1):
        if round(value, d) == value:
            return d
    return int(spec["decimals"])


def format_value(value: float | int, spec: dict, loc: "icu.Locale") -> str:
    """`value` written as its column writes it, in locale `loc` (see the module docstring)."""
    kind = spec["type"]
    if kind == "code":
        return f"{spec['prefix']}{spec['sep']}{int(value):0{spec['digits']}d}"
    if kind in ("date", "time"):
        fmt = icu.DateFormat.createDateInstance(spec["style"], loc) if kind == "date" else \
            icu.DateFormat.createTimeInstance(spec["style"], loc)
        fmt.setTimeZone(icu.TimeZone.getGMT())
        return _visible(fmt.format(float(value)))
    if kind == "unit":
        unit = getattr(icu.MeasureUnit, spec["unit"])()
        nf = icu.NumberFormatter.withLocale(loc).unit(unit).unitWidth(icu.UNumberUnitWidth.SHORT) \
            .precision(icu.Precision.fixedFraction(int(spec["decimals"]))) \
            .grouping(icu.UNumberGroupingStrategy.AUTO if spec["group"] else icu.UNumberGroupingStrategy.OFF)
        return _visible(nf.formatDouble(float(value)))
    return _visible(_number_format(loc, spec, shown_decimals(spec, float(value))).format(float(value)))


def has_total(spec: dict) -> bool:
    """True when a totals row can sum this column (additive type, fixed decimals)."""
    return spec["type"] in ADDITIVE and spec["align"] != "decimal"


def total_text(values: list[float], spec: dict, loc: "icu.Locale") -> str:
    """The column's total, written as its values: the exact sum of `values` as shown (they are multiples of the
    last shown digit, so the sum is computed on integers of that digit)."""
    scale = 10 ** int(spec["decimals"])
    total = sum(int(round(v * scale)) for v in values) / scale
    return format_value(total, spec, loc)
