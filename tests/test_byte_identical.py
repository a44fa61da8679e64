"""Images (stored bytes and pixels) and labels of a fixed run (every layout mode x six languages x presets none and default) are
byte-identical to the SHA-256s recorded in tests/byte_identical_sha256.json (see tests/byte_identical_cases.py,
which also says how and when to regenerate them). Meta is provenance and is compared nowhere here."""
from __future__ import annotations

import json

import byte_identical_cases as bic
import pytest


@pytest.fixture(scope="module")
def current(catalogue):
    return bic.compute(catalogue)


@pytest.fixture(scope="module")
def recorded():
    return json.loads(bic.RECORD.read_text())


def test_record_covers_every_case(recorded, registry):
    expected = {f"{m}/{p}/{lang}" for m, p, lang in bic.cases(registry)}
    assert set(recorded) == expected
    assert {k.split("/")[0] for k in recorded} == set(bic.MODES)
    assert {k.split("/")[2] for k in recorded if k.startswith("vertical/")} <= {"jpn_Jpan", "kor_Hang", "zho_Hans",
                                                                                 "zho_Hant"}


@pytest.mark.parametrize("what", ["image", "pixels", "labels"])
def test_pages_are_byte_identical(current, recorded, what):
    differ = sorted(k for k in recorded if current.get(k, {}).get(what) != recorded[k][what])
    assert not differ, f"{what} changed for {len(differ)} of {len(recorded)} cases: {differ[:8]}"
