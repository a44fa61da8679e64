"""Augmentation steps, stacks and presets: every registered step keeps dtype, shape and labels valid and is a pure
function of its rng; geometric steps move labels with the pixels; stacks load from YAML with clear errors; the
pipeline records what it applied and a replay of the record gives byte-identical pixels."""
from __future__ import annotations

import json

import cv2
import numpy as np
import pytest
import yaml

from synthdoc.augment import STEPS, AugmentState, load_stack, preset_names, replay
from synthdoc.augment.base import PHASES, Compose, OneOf
from synthdoc.augment.geometric import Rotate
from synthdoc.augment.paper import grow_quad
from synthdoc.doc import check
from synthdoc.errors import SynthdocError
from synthdoc.render.compose import composite, text_masks
from synthdoc.resources import data_path

PRESETS = ("none", "light", "default", "scan", "photo", "heavy")
DISCRETE = {"MedianBlur"}  # a step whose only parameter is an aperture of 3 or 5: 5 seeds give 2 outputs


@pytest.fixture(scope="module")
def big_text_template(tmp_path_factory):
    """multi_column with body text 44-48 px (lines >= 56 px high, regular strokes >= 2 px), so no step is skipped by
    its text and stroke gate (at 30-34 px a regular face measures ~1.5 px strokes: only bold lines kept the step)."""
    data = yaml.safe_load((data_path("layouts") / "multi_column.yaml").read_text(encoding="utf-8"))
    data.update(body_size_px_range=[44, 48], column_weights={1: 1, 2: 1}, font_role_weights={"serif": 1, "sans": 1})
    path = tmp_path_factory.mktemp("tpl") / "big_text.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return str(path)


@pytest.fixture(scope="module")
def textures(tmp_path_factory):
    """A folder of two small texture images."""
    d = tmp_path_factory.mktemp("textures")
    g = np.random.default_rng(0)
    for k in range(2):
        img = cv2.GaussianBlur(g.integers(120, 256, (64, 96, 3), dtype=np.uint8), (0, 0), 3)
        cv2.imwrite(str(d / f"t{k}.png"), img)
    (d / "notes.txt").write_text("not an image")
    return d


def _clean(factory, index, attempt=0):
    """(page, background, masks) of the clean render of sample `index` (attempt `attempt`)."""
    page, _ = factory.layout_page(index, attempt)
    bg, _ = factory.background(page, index, attempt)
    return page, bg, text_masks(page, factory.glyph_cache)


@pytest.fixture(scope="module")
def clean_page(factory_for, big_text_template):
    """(page, background, masks) of one English page with large text on plain paper."""
    return _clean(factory_for(["en"], seed=3, layouts={big_text_template: 1}), 0)


def _kwargs(name, textures):
    return {"TextureFolder": {"dirs": [str(textures)]}}.get(name, {})


def _run(step, clean, rng):
    """Apply one step (p ignored) to a fresh copy of the clean render; returns (state, params)."""
    page, bg, masks = clean
    state = AugmentState.from_render(page, bg.copy(), {c: m.copy() for c, m in masks.items()})
    state.advance(step.phase)
    params = step.sample(rng, state)
    assert params is not None, f"{step.name} skipped on a page with large text"
    params = json.loads(json.dumps(params))  # what the row records
    type(step).apply(state, params)
    return state, params


def test_registry_covers_every_phase():
    assert {cls.phase for cls in STEPS.values()} == set(PHASES)
    assert len(STEPS) >= 20


@pytest.mark.parametrize("name", sorted(STEPS))
def test_default_construction(name, textures):
    cls = STEPS[name]
    if name == "TextureFolder":
        with pytest.raises(ValueError, match="dirs"):
            cls()
        step = cls(**_kwargs(name, textures))
    else:
        step = cls()
    assert step.p == 1.0 and step.name == name
    assert json.loads(json.dumps(step.to_config(), default=list))  # declarations are plain data


@pytest.mark.parametrize("name", sorted(STEPS))
def test_step_contract(name, clean_page, textures):
    """dtype/shape kept, same rng -> same output, different rng -> different output, labels still valid."""
    step = STEPS[name](**_kwargs(name, textures))
    page, bg, masks = clean_page
    h, w = bg.shape[:2]
    outputs = []
    for seed in (1, 1, 2, 3, 4, 5):
        state, params = _run(step, clean_page, np.random.default_rng(seed))
        if step.phase in ("background", "text"):
            assert state.background.shape == (h, w, 3) and state.background.dtype == np.uint8
            for layer in state.layers:
                assert layer.mask.shape == (h, w) and layer.mask.dtype == np.uint8
        image = state.finish()
        assert image.shape == (h, w, 3) and image.dtype == np.uint8
        check(state.page)  # quads inside the page, convex, clockwise, nested
        quads = np.asarray([wd.quad for wd in state.page.words])
        assert quads.dtype == np.float32
        outputs.append((image.tobytes(), quads.tobytes(), json.dumps(params, sort_keys=True)))
    assert outputs[0] == outputs[1], "same rng gave a different output"
    distinct = {o[0] for o in outputs[1:]}  # seeds 1-5
    assert len(distinct) >= (2 if name in DISCRETE else 5), f"different rngs gave the same pixels ({len(distinct)} of 5)"
    if step.phase != "geometric":
        assert all(o[1] == outputs[0][1] for o in outputs), "a non-geometric step moved the labels"
        assert outputs[0][1] == np.asarray([wd.quad for wd in page.words]).tobytes()


def test_steps_change_the_page(clean_page, textures):
    """Every step visibly changes the clean page (mean absolute difference > 0)."""
    page, bg, masks = clean_page
    clean = composite(bg, masks).astype(np.int16)
    for name, cls in sorted(STEPS.items()):
        state, _ = _run(cls(**_kwargs(name, textures)), clean_page, np.random.default_rng(7))
        diff = np.abs(state.finish().astype(np.int16) - clean).mean()
        assert diff > 0.01, name


@pytest.fixture(scope="module")
def small_text_page(factory_for, tmp_path_factory):
    """A page whose body text is 12-13 px (lines about 16 px high)."""
    data = yaml.safe_load((data_path("layouts") / "multi_column.yaml").read_text(encoding="utf-8"))
    data.update(body_size_px_range=[12, 13], title_p=0.0, heading_p=0.0)
    path = tmp_path_factory.mktemp("tpl") / "small_text.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return _clean(factory_for(["en"], seed=3, layouts={str(path): 1}), 0)


@pytest.mark.parametrize("name", ["InkDilate", "InkErode", "MedianBlur", "Elastic", "EdgeNoise"])
def test_image_steps_are_gated_by_text_height(name, small_text_page, clean_page):
    page, bg, masks = small_text_page
    state = AugmentState.from_render(page, bg.copy(), dict(masks))
    assert state.min_text_height_px() < 18
    state.advance(STEPS[name].phase)
    assert STEPS[name]().sample(np.random.default_rng(0), state) is None
    # the same step on large text is applied
    _run(STEPS[name](), clean_page, np.random.default_rng(0))


def test_stroke_width_only_thickens_small_text(small_text_page):
    page, bg, masks = small_text_page
    state = AugmentState.from_render(page, bg.copy(), {c: m.copy() for c, m in masks.items()})
    state.advance("text")
    params = STEPS["StrokeWidth"]().sample(np.random.default_rng(0), state)
    assert params["delta_min"] >= 0
    before = sum(int(m.astype(np.int64).sum()) for m in masks.values())
    STEPS["StrokeWidth"].apply(state, params)
    assert sum(int(layer.mask.astype(np.int64).sum()) for layer in state.layers) >= before


def test_elastic_displacement_is_capped_by_text_height(clean_page):
    page, bg, masks = clean_page
    state = AugmentState.from_render(page, bg.copy(), dict(masks))
    state.advance("image")
    step = STEPS["Elastic"](alpha_px_range=(10, 10))
    assert step.sample(np.random.default_rng(0), state)["alpha_px"] <= 0.06 * state.min_text_height_px() + 1e-6


# --------------------------------------------------------------------------- geometric label truth


def dark_inside_fraction(image: np.ndarray, page, grow_px: float = 2.0, threshold: int = 150) -> float:
    """Fraction of dark pixels (grey < threshold) inside the union of the page's word quads grown by grow_px."""
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    region = np.zeros(grey.shape, np.uint8)
    for word in page.words:
        cv2.fillPoly(region, [np.round(grow_quad(word.quad, grow_px) * 16).astype(np.int32)], 255, cv2.LINE_8, 4)
    dark = grey < threshold
    return float((dark & (region > 0)).sum() / max(1, dark.sum()))


@pytest.fixture(scope="module")
def plain_pages(factory_for):
    """Clean renders on plain light paper: two English multi_column pages and one vertical Japanese page."""
    en = factory_for(["en"], seed=21)
    ja = factory_for(["ja"], seed=21, layouts={"vertical": 1})
    return [_clean(en, 0), _clean(en, 1), _clean(ja, 0)]


GEOMETRIC = {
    "Rotate": {"angle_deg_range": (-4.0, 4.0)},
    "Perspective": {"corner_frac_range": (0.02, 0.05)},
    "ScaleCrop": {"scale_range": (0.8, 1.25)},
    # a light surface and a faint shadow: the measure counts dark pixels, so the surface must not be dark
    "PhotoSheet": {"surfaces": ["paper_grain"], "shadow_range": (0.0, 0.2), "curl_frac_range": (0.005, 0.02)},
}


@pytest.mark.parametrize("name", sorted(GEOMETRIC))
def test_geometric_steps_keep_text_inside_word_quads(name, plain_pages):
    assert {cls.name for cls in STEPS.values() if cls.phase == "geometric"} == set(GEOMETRIC)
    step = STEPS[name](**GEOMETRIC[name])
    for k, clean in enumerate(plain_pages):
        page, bg, masks = clean
        assert dark_inside_fraction(composite(bg, masks), page) >= 0.99  # the measure holds on clean pages
        for seed in range(3):
            state, params = _run(step, clean, np.random.default_rng(seed))
            image = state.finish()
            frac = dark_inside_fraction(image, state.page)
            assert frac >= 0.99, (name, k, seed, frac, params)
            assert not np.allclose(params["matrix"], np.eye(3))


def test_label_truth_measure_catches_unmoved_quads(plain_pages):
    """Negative control: pixels rotated but quads left where they were fail the 99 % bound."""
    page, bg, masks = plain_pages[0]
    state, _ = _run(Rotate(angle_deg_range=(2.0, 2.0)), plain_pages[0], np.random.default_rng(0))
    assert dark_inside_fraction(state.finish(), page) < 0.9


def test_geometric_keeps_quad_order_and_recomputes_boxes(plain_pages):
    from synthdoc.types import quads_to_bboxes

    page, bg, masks = plain_pages[2]  # vertical: quads TR, BR, BL, TL
    state, params = _run(Rotate(angle_deg_range=(3.0, 3.0)), plain_pages[2], np.random.default_rng(0))
    m = np.asarray(params["matrix"])
    assert sum(line.direction == "ttb" for line in page.lines) >= 5
    for before, after in zip(page.lines, state.page.lines):
        hom = np.hstack([before.quad, np.ones((4, 1))]) @ m.T
        assert np.allclose(after.quad, hom[:, :2] / hom[:, 2:], atol=1e-3)
        assert after.direction == before.direction
        if after.direction == "ttb":  # vertex 0 stays the column's top-right, rotated with the page
            assert after.quad[0, 0] > after.quad[3, 0] and after.quad[1, 1] > after.quad[0, 1]
    q = np.asarray([line.quad for line in state.page.lines])
    boxes = quads_to_bboxes(q, page.width, page.height)
    assert np.allclose(boxes[:, :2], q.min(axis=1)) and np.allclose(boxes[:, 2:], q.max(axis=1))


# --------------------------------------------------------------------------- stacks and presets


@pytest.mark.parametrize("name", PRESETS)
def test_presets_load(name):
    assert set(PRESETS) <= set(preset_names())
    stack = load_stack(name)
    assert stack.name == name and stack.empty == (name == "none")
    assert all(s.name in STEPS for s in stack.steps)


def test_presets_ship_inside_the_package():
    from pathlib import Path

    import synthdoc
    from synthdoc.augment.stack import PRESET_DIR

    assert PRESET_DIR.is_relative_to(Path(synthdoc.__file__).parent)  # hatchling puts package files in the wheel
    assert {p.stem for p in PRESET_DIR.glob("*.yaml")} == set(PRESETS) | {"mixed"}  # mixed: the per-page mixture of these


def test_compose_and_oneof_select():
    a, b, c = STEPS["GaussianBlur"](), STEPS["Jpeg"](), STEPS["GaussianNoise"](p=0.0)
    root = Compose([a, OneOf([b, c], weights=[1, 0]), c])
    for seed in range(5):
        assert root.select(np.random.default_rng(seed)) == [a, b]
    assert Compose([a], p=0.0).select(np.random.default_rng(0)) == []
    picks = {OneOf([a, b]).select(np.random.default_rng(s))[0].name for s in range(20)}
    assert picks == {"GaussianBlur", "Jpeg"}


def test_stack_from_yaml_file_and_errors(tmp_path):
    good = tmp_path / "mine.yaml"
    good.write_text("min_contrast: 3\nsteps:\n  - GaussianBlur: {p: 0.5, sigma_px_range: [0.3, 0.5]}\n"
                    "  - OneOf:\n      steps: [Jpeg, {GaussianNoise: {sigma_range: [1, 2]}}]\n")
    stack = load_stack(str(good))
    assert [s.name for s in stack.steps] == ["GaussianBlur", "Jpeg", "GaussianNoise"] and stack.min_contrast == 3.0
    cases = {
        "steps:\n  - Blurr: {}\n": "unknown augmentation step 'Blurr'",
        "steps:\n  - GaussianBlur: {sigma: 1}\n": "unknown parameter 'sigma'",
        "steps:\n  - GaussianBlur: {sigma_px_range: [2, 1]}\n": "sigma_px_range",
        "steps:\n  - GaussianBlur: {p: 2}\n": "p must be",
        "step: []\n": "unknown key 'step'",
        "steps:\n  - OneOf: {steps: []}\n": "non-empty list",
        "steps: [\n": "invalid YAML",
        "steps:\n  - TextureFolder: {dirs: [no-such-folder]}\n": "texture folder 'no-such-folder' does not exist",
    }
    for text, needle in cases.items():
        bad = tmp_path / "bad.yaml"
        bad.write_text(text)
        with pytest.raises(SynthdocError, match=needle) as e:
            load_stack(str(bad))
        assert "\n" not in str(e.value) and "bad.yaml" in str(e.value)
    with pytest.raises(SynthdocError, match="unknown augmentation preset or file 'nosuch'.*default"):
        load_stack("nosuch")


def test_config_rejects_bad_augment_value():
    from synthdoc.config import config_from_mapping

    with pytest.raises(SynthdocError, match="'augment'"):
        config_from_mapping({"augment": 3})
    assert config_from_mapping({"augment": "light"}).augment == "light"


# --------------------------------------------------------------------------- pipeline, record, replay


@pytest.fixture(scope="module")
def default_factory(factory_for):
    return factory_for(["en", "ja", "ru"], seed=4, augment="default")


def test_pipeline_records_and_replays_byte_identical(default_factory, factory_for, textures):
    names = set()
    for index in range(6):
        sample = default_factory.make(index)
        check(sample.page)
        record = sample.meta["augment"]
        assert record["preset"] == "default"
        assert json.loads(json.dumps(record)) == record
        names |= {r["name"] for r in record["steps"]}
        page, bg, masks = _clean(default_factory, index, sample.attempts - 1)
        image, replayed = replay(record, page, bg, masks)
        assert np.array_equal(image, sample.image), index
        assert [w.quad.tobytes() for w in replayed.words] == [w.quad.tobytes() for w in sample.page.words]
    assert len(names) >= 3
    # a record of every step replays too (heavy-like stack with a texture folder)
    stack = {"steps": [{name: {**_kwargs(name, textures), "p": 1.0}} for name in sorted(STEPS)]}
    f = factory_for(["en"], seed=4, augment=stack)
    sample = f.make(1)
    assert len(sample.meta["augment"]["steps"]) >= 20
    image, _ = replay(sample.meta["augment"], *_clean(f, 1, sample.attempts - 1))
    assert np.array_equal(image, sample.image)


def test_pipeline_augment_is_deterministic_and_seeded(factory_for):
    a = factory_for(["en"], seed=8, augment="heavy")
    b = factory_for(["en"], seed=8, augment="heavy", pages=61)  # another config key: a second, independent factory
    assert a is not b
    for i in range(3):
        sa, sb = a.make(i), b.make(i)
        assert sa.image_bytes == sb.image_bytes and sa.meta["augment"] == sb.meta["augment"]
    assert a.make(0).meta["augment"] != a.make(1).meta["augment"]


def test_none_preset_leaves_pages_unchanged(factory_for):
    clean = factory_for(["en", "ja"], seed=2)
    none = factory_for(["en", "ja"], seed=2, augment="none")
    for i in range(2):
        s0, s1 = clean.make(i), none.make(i)
        assert s0.image_bytes == s1.image_bytes and "augment" not in s1.meta


def test_dark_paper_switches_ink_to_light(factory_for):
    stack = {"steps": [{"PaperColour": {"saturation_range": [0, 0], "value_range": [0.15, 0.15]}}]}
    sample = factory_for(["en"], seed=1, augment=stack).make(0)
    grey = cv2.cvtColor(sample.image, cv2.COLOR_RGB2GRAY)
    assert np.median(grey) < 60  # dark page
    region = np.zeros(grey.shape, bool)
    for line in sample.page.lines[:10]:
        x0, y0, x1, y1 = np.round(np.r_[line.quad.min(0), line.quad.max(0)]).astype(int)
        region[y0:y1, x0:x1] = True
    assert np.percentile(grey[region], 99.5) > 180  # the ink is light


def test_cli_augment_option(tmp_path, synthdoc_cli):
    import pyarrow.parquet as pq

    proc = synthdoc_cli(["generate", "--languages", "en", "--pages", "1", "--augment", "nosuch", "--out", "o",
                         "--quiet"], tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().startswith("synthdoc: error: unknown augmentation preset or file 'nosuch'")
    assert not (tmp_path / "o").exists()
    proc = synthdoc_cli(["generate", "--languages", "en", "--pages", "2", "--augment", "scan", "--out", "o",
                         "--quiet"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    rows = pq.read_table(next((tmp_path / "o").glob("data/eng_Latn/*.parquet"))).to_pylist()
    assert all(json.loads(r["meta"])["augment"]["preset"] == "scan" for r in rows)


@pytest.mark.parametrize("mode", ["table", "toc", "document", "slide", "scattered", "vertical"])
def test_every_layout_mode_survives_heavy_augmentation(mode, factory_for):
    """Heavy stacks (with every geometric step) on every layout mode: pages pass the invariants check and replay."""
    stack = load_stack("heavy")
    stack_map = {"min_contrast": 3.0, "steps": [s.to_config() for s in stack.steps if s.phase != "geometric"]
                 + [{"OneOf": {"steps": [{name: {"p": 1.0}} for name in GEOMETRIC]}}]}
    f = factory_for(["ja"], seed=5, layouts={mode: 1}, augment=stack_map)
    for index in range(2):
        sample = f.make(index)
        check(sample.page)
        assert any(r["name"] in GEOMETRIC for r in sample.meta["augment"]["steps"])
        image, page = replay(sample.meta["augment"], *_clean(f, index, sample.attempts - 1))
        assert np.array_equal(image, sample.image)
