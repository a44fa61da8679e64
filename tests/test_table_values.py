"""Typed table values (synthdoc.layout.table_values): ICU's own formatting per locale for ru, ja and en, exact
totals, and the separators the locales are known for."""
import icu
import numpy as np
import pytest

from synthdoc.layout.table_values import (TYPES, decimal_separator, draw_column, draw_value, format_value,
                                          has_total, locale_for, total_text)


def _spec(kind: str, **kw) -> dict:
    spec = draw_column(np.random.default_rng(0), kind, locale_for("en"))
    spec.update(kw)
    return spec


@pytest.mark.parametrize("tag, region", [("ru", "ru_Cyrl_RU"), ("ja", "ja_Jpan_JP"), ("en", "en_Latn_US")])
def test_numbers_are_icus_own_output(tag, region):
    loc = locale_for(tag)
    assert loc.getName() == region
    nf = icu.NumberFormat.createInstance(icu.Locale(region))
    nf.setMinimumFractionDigits(2)
    nf.setMaximumFractionDigits(2)
    assert format_value(1234567.5, _spec("decimal", decimals=2, group=True, align="right"), loc) == nf.format(1234567.5)
    cf = icu.NumberFormat.createCurrencyInstance(icu.Locale(region))
    spec = _spec("currency", currency=cf.getCurrency(), group=True)
    spec["decimals"] = int(cf.getMaximumFractionDigits())
    assert format_value(4321.0, spec, loc) == cf.format(4321.0)
    pf = icu.NumberFormat.createPercentInstance(icu.Locale(region))
    pf.setMaximumFractionDigits(1)
    pf.setMinimumFractionDigits(1)
    assert format_value(0.284, _spec("percent", decimals=1, group=False), loc) == pf.format(0.284)
    df = icu.DateFormat.createDateInstance(icu.DateFormat.MEDIUM, icu.Locale(region))
    df.setTimeZone(icu.TimeZone.getGMT())
    when = 19000 * 86400.0  # 2022-01-08, seconds since the epoch
    assert format_value(when, _spec("date", style=icu.DateFormat.MEDIUM), loc) == \
        "".join(ch for ch in df.format(when) if ch not in "\u200e\u200f")


def test_locale_conventions():
    ru, ja, en = locale_for("ru"), locale_for("ja"), locale_for("en")
    spec = _spec("decimal", decimals=2, group=True, align="right")
    assert format_value(1234567.5, spec, ru) in ("1\u00a0234\u00a0567,50", "1\u202f234\u202f567,50")
    assert format_value(1234567.5, spec, en) == "1,234,567.50"
    assert format_value(1234567.5, spec, ja) == "1,234,567.50"
    assert decimal_separator(ru) == "," and decimal_separator(en) == "."
    cur = _spec("currency", currency="JPY", decimals=0, group=True)
    assert format_value(1234.0, cur, ja) in ("￥1,234", "¥1,234")
    rub = _spec("currency", currency="RUB", decimals=2, group=True)
    assert format_value(1234.5, rub, ru) == "1\u00a0234,50\u00a0₽"
    date = _spec("date", style=icu.DateFormat.LONG)
    assert format_value(19000 * 86400.0, date, ja) == "2022年1月8日"
    assert "января 2022" in format_value(19000 * 86400.0, date, ru)
    assert format_value(19000 * 86400.0 + 13.5 * 3600, _spec("time", style=3), en).replace("\u202f", " ") == "1:30 PM"


@pytest.mark.parametrize("tag", ["en", "ru", "ja", "ko", "zh-Hans", "zh-Hant", "ar", "th"])
def test_every_type_formats_without_format_characters(tag):
    loc = locale_for(tag)
    rng = np.random.default_rng(3)
    for kind in TYPES:
        spec = draw_column(rng, kind, loc)
        values = [draw_value(rng, spec) for _ in range(5)]
        texts = [format_value(v, spec, loc) for v in values]
        assert all(t and not any(ch in t for ch in "\u200e\u200f\u061c") for t in texts), texts
        if has_total(spec):
            scale = 10 ** spec["decimals"]
            assert all(abs(v * scale - round(v * scale)) < 1e-6 for v in values)  # multiples of the last digit
            assert total_text(values, spec, loc) == format_value(round(sum(values), spec["decimals"]), spec, loc)


def test_unknown_type_is_refused():
    with pytest.raises(ValueError, match="unknown column type"):
        draw_column(np.random.default_rng(0), "money", locale_for("en"))
