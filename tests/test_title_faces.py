"""Display and handwriting roles for large text (titles, slide titles) at template-set rates, and optical size
(opsz) matched to the text size in points (issue #12, point 4)."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from synthdoc.fonts.sampling import at_size
from synthdoc.layout import registry as layout_registry
from synthdoc.layout.template import load_template


@pytest.fixture(scope="module")
def eng_input(factory_for):
    return factory_for(["eng_Latn"], layouts={"multi_column": 1.0}, seed=2).inputs["eng_Latn"]


def _opsz_face(inp):
    faces = [f for v in inp.faces.values() for f in v if any(a[0] == "opsz" for a in f.axes)]
    if not faces:
        pytest.skip("no installed variable face with an opsz axis")
    return faces[0]


def test_optical_size_follows_the_text_size_in_points(eng_input):
    face = _opsz_face(eng_input)
    _, lo, _, hi = next(a for a in face.axes if a[0] == "opsz")
    assert dict(at_size(face, 50, 150).coords)["opsz"] == pytest.approx(min(max(24.0, lo), hi))  # 50 px at 150 dpi
    assert dict(at_size(face, 2, 150).coords)["opsz"] == lo and dict(at_size(face, 5000, 150).coords)["opsz"] == hi
    style = eng_input.style(face, 50, (0, 0, 0), dpi=150)
    assert dict(style.face.info.coords)["opsz"] == dict(at_size(face, 50, 150).coords)["opsz"]
    assert eng_input.style(face, 50, (0, 0, 0)).face.info.coords == face.coords  # no dpi: the face as drawn
    static = next(f for f in eng_input.faces["serif"] if not f.axes)
    assert at_size(static, 50, 150) is static


@pytest.mark.parametrize("role,display_p,handwriting_p", [("display", 1.0, 0.0), ("handwriting", 0.0, 1.0)])
def test_title_face_draws_the_role_at_its_rate(eng_input, role, display_p, handwriting_p):
    if not eng_input.faces.get(role):
        pytest.skip(f"no {role} face installed")
    bold = eng_input.faces["bold"][0]
    families = {f.family for f in eng_input.faces[role]}
    for seed in range(5):
        face = eng_input.title_face(np.random.default_rng(seed), bold, "Annual report", display_p, handwriting_p)
        assert face.family in families and face.covers("Annual report") and not face.italic
    rng = np.random.default_rng(0)
    assert eng_input.title_face(rng, bold, "Annual report", 0.0, 0.0) is bold
    assert rng.random() == np.random.default_rng(0).random()  # rate 0: nothing drawn


def test_title_in_a_display_face_is_drawn_recorded_and_replays(eng_input):
    if not eng_input.faces.get("display"):
        pytest.skip("no display face installed")
    template = load_template("multi_column")
    loud = dataclasses.replace(template, params=dataclasses.replace(template.params, title_p=1.0,
                                                                     title_display_p=1.0))
    mode = layout_registry.mode("multi_column")
    display = {f.family for f in eng_input.faces["display"]}
    titled = 0
    for seed in range(4):
        page = mode.generate(eng_input, loud, np.random.default_rng(seed))
        if not page.meta["plan"]["title_face"]:
            continue  # no display face covers this title
        titled += 1
        ref = next(f for f in page.fonts if f.use == "title")
        assert ref.family in display and page.meta["fonts"]["title"] == ref.name
        title_para = page.paragraphs[0]
        assert title_para.role == "title"
        replayed = mode.replay(eng_input, loud, page.meta["plan"])
        assert replayed.fonts == page.fonts and replayed.text == page.text
        n_title_runs = sum(1 for r in page.runs if r.face.info.family == ref.family)
        assert n_title_runs >= 1
    assert titled >= 2
