"""Stacks condition steps on the layout mode: paper effects never on slides or scene-text pages, screen effects
only on slides; declared with ``modes`` / ``skip_modes`` on any step or group, validated with clear errors."""
from __future__ import annotations

import numpy as np
import pytest

from synthdoc.augment import parse_stack
from synthdoc.errors import SynthdocError

PAPER = {"PaperTexture", "PaperColour"}
SCREEN = {"Moire", "SubpixelShift"}


def test_selection_follows_the_mode():
    stack = parse_stack({"steps": [{"GaussianBlur": {"skip_modes": ["slide", "scattered"]}},
                                   {"OneOf": {"modes": ["slide"], "steps": ["Moire"]}}]}, "t", "t")

    def names(mode):
        return [s.name for s in stack.root.select(np.random.default_rng(0), mode)]

    assert names("multi_column") == ["GaussianBlur"]
    assert names("slide") == ["Moire"]
    assert names("scattered") == []
    assert names(None) == ["GaussianBlur", "Moire"]  # mode unknown: every step


@pytest.mark.parametrize("bad,match", [({"GaussianBlur": {"modes": ["slides"]}}, "unknown layout mode 'slides'"),
                                       ({"GaussianBlur": {"skip_modes": "slide"}}, "must be a list of layout modes"),
                                       ({"OneOf": {"modes": ["poster"], "steps": ["Moire"]}}, "unknown layout mode")])
def test_bad_modes_are_one_line_errors(bad, match):
    with pytest.raises(SynthdocError, match=match):
        parse_stack({"steps": [bad]}, "t", "t")


@pytest.mark.parametrize("preset", ["default", "heavy", "photo"])
def test_shipped_presets_keep_paper_off_slides_and_screens_on_them(preset, factory_for):
    import json

    from synthdoc.pipeline import sample_meta_json

    f = factory_for(["en", "ja"], seed=1, augment=preset, layouts={"slide": 1, "scattered": 1, "multi_column": 1})
    seen = {"paper on paper pages": 0, "screen on slides": 0}
    for i in range(24):
        meta = json.loads(sample_meta_json(f.make(i)))
        names = {s["name"] for s in meta["augment"]["steps"]}
        if meta["mode"] in ("slide", "scattered"):
            assert not names & PAPER, (i, meta["mode"], names)
        else:
            assert not names & SCREEN, (i, meta["mode"], names)
            seen["paper on paper pages"] += bool(names & PAPER)
        if meta["mode"] == "slide":
            seen["screen on slides"] += bool(names & SCREEN)
    assert seen["paper on paper pages"] and seen["screen on slides"], seen
