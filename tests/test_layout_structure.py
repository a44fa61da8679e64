"""The layout wing's structure: a registry built once, no mode importing another mode, every function short,
plans recorded in meta that replay the same page without a generator, and rendering that never reads page.meta."""
from __future__ import annotations

import ast
import importlib
import json
from pathlib import Path

import byte_identical_cases as bic
import numpy as np
import pytest

from synthdoc.errors import SampleError, SynthdocError
from synthdoc.layout import registry as layout_registry
from synthdoc.layout.plan import ReplayError
from synthdoc.layout.template import load_template

PKG = Path(__file__).resolve().parent.parent / "synthdoc"
LAYOUT = PKG / "layout"
SHIPPED = ("document", "multi_column", "scattered", "slide", "table", "toc", "vertical")
MODE_NAMES = tuple(sorted(layout_registry.modes()))


def _imported_modules(path: Path) -> set[str]:
    """Every module `path` imports (absolute names; relative imports resolved inside synthdoc.layout)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = "synthdoc.layout" + (f".{base}" if base else "")
            out.add(base)
            out.update(f"{base}.{a.name}" for a in node.names)
    return out


def test_every_mode_is_registered_once_with_sample_plan_and_place():
    modes = layout_registry.modes()
    assert set(SHIPPED) <= set(modes)
    assert set(modes) == {p.stem for p in LAYOUT.glob("*.py")} - layout_registry.SHARED - {"__init__"}
    for name, mode in modes.items():
        assert mode.name == name
        assert mode.place.__module__ == f"synthdoc.layout.{name}"
        assert mode.sample_plan.__module__ == f"synthdoc.layout.{name}"
    assert layout_registry.modes() is modes  # built once


def test_registry_imports_nothing_after_the_first_lookup(monkeypatch):
    layout_registry.modes()

    def no_import(name, *a, **k):
        raise AssertionError(f"imported {name} on a lookup")

    monkeypatch.setattr(importlib, "import_module", no_import)
    for name in SHIPPED:
        assert layout_registry.mode(name).name == name
        assert layout_registry.params_class(name) is layout_registry.mode(name).params


def test_unknown_mode_is_a_one_line_error_listing_the_modes():
    with pytest.raises(SynthdocError) as e:
        layout_registry.mode("no_such_mode", "my.yaml")
    msg = str(e.value)
    assert "\n" not in msg and "my.yaml" in msg and "no_such_mode" in msg and "multi_column" in msg


def test_a_mode_name_registered_twice_by_another_module_is_refused():
    mode = layout_registry.mode("toc")

    def place(plan, inp):  # a second module claiming "toc"
        raise AssertionError

    place.__module__ = "somewhere.else"
    with pytest.raises(ValueError, match="registered twice"):
        layout_registry.layout_mode("toc", params=mode.params, plan=mode.plan, sample_plan=mode.sample_plan)(place)
    assert layout_registry.mode("toc") is mode


def test_no_mode_imports_another_mode():
    modes = {f"synthdoc.layout.{m}" for m in layout_registry.modes()}
    found = {}
    for name in layout_registry.modes():
        imported = _imported_modules(LAYOUT / f"{name}.py")
        bad = sorted(m for m in modes if m != f"synthdoc.layout.{name}" and (m in imported or any(
            i.startswith(m + ".") for i in imported)))
        if bad:
            found[name] = bad
    assert not found, f"modes importing other modes: {found}"


def test_shared_parts_import_no_mode():
    modes = {f"synthdoc.layout.{m}" for m in layout_registry.modes()}
    for path in LAYOUT.glob("*.py"):
        if path.stem in layout_registry.SHARED:
            assert not (_imported_modules(path) & modes), path.name


def test_every_layout_function_is_under_80_lines():
    long = []
    for path in sorted(LAYOUT.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno - node.lineno + 1 >= 80:
                long.append(f"{path.name}:{node.name} ({node.end_lineno - node.lineno + 1} lines)")
    assert not long, long


# ---------------------------------------------------------------------------------------------- replay


def _runs(page) -> list:
    return [(r.size_px, np.asarray(r.gids).tobytes(), np.asarray(r.origins, np.float32).tobytes(), r.rotated,
             tuple(int(c) for c in r.color), r.angle_deg, tuple(r.pivot)) for r in page.runs]


@pytest.mark.parametrize("mode", MODE_NAMES)
def test_a_page_replays_from_the_plan_recorded_in_meta(mode, factory_for, registry):
    langs = [c for c in ("eng_Latn", "jpn_Jpan", "rus_Cyrl") if layout_registry.supports(mode, registry.resolve(c))]
    factory = factory_for(langs, layouts={mode: 1.0}, seed=21)
    template = load_template(mode)
    replayed_pages = 0
    for i in range(len(langs)):
        try:
            page, _ = factory.layout_page(i, 0)
        except SampleError:  # a first attempt that failed has no page to replay
            continue
        record = json.loads(json.dumps(page.meta["plan"]))  # as stored in the row's meta JSON
        replayed = layout_registry.mode(mode).replay(factory.inputs[page.lang], template, record)
        assert bic.label_record(replayed) == bic.label_record(page)
        assert _runs(replayed) == _runs(page)
        assert replayed.rules == page.rules and replayed.fonts == page.fonts
        assert replayed.background == page.background
        assert replayed.meta == {k: v for k, v in page.meta.items() if k != "plan"}
        replayed_pages += 1
    assert replayed_pages >= 1


def test_replay_of_a_plan_for_another_template_fails_clearly(factory_for):
    factory = factory_for(["eng_Latn"], layouts={"document": 1.0}, seed=21)
    page, _ = factory.layout_page(0, 0)
    record = json.loads(json.dumps(page.meta["plan"]))
    record["tape"][0][0] = "not_a_decision"
    with pytest.raises(ReplayError, match="expected decision"):
        layout_registry.mode("document").replay(factory.inputs["eng_Latn"], load_template("document"), record)
    del record["margin_px"]
    with pytest.raises(ReplayError, match="margin_px"):
        layout_registry.mode("document").replay(factory.inputs["eng_Latn"], load_template("document"), record)


# ---------------------------------------------------------------------------------------------- render contract


def _meta_reads(path: Path, allowed_functions: set[str]) -> list[str]:
    """`.meta` attribute reads in `path` outside the functions named in `allowed_functions`."""
    tree = ast.parse(path.read_text())
    hits = []

    def visit(node, func):
        for child in ast.iter_child_nodes(node):
            name = child.name if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) else func
            if isinstance(child, ast.Attribute) and child.attr == "meta" and name not in allowed_functions:
                hits.append(f"{path.name}:{child.lineno} in {name}")
            visit(child, name)

    visit(tree, "<module>")
    return hits


def test_rendering_code_never_reads_page_meta():
    """The grep-able rule: no `.meta` in synthdoc/render/ and synthdoc/augment/, and in pipeline.py only in
    SampleFactory.make (which assembles the row's provenance), sample_meta_json and layout_page (which adds the
    coverage sampler's record to the layout's provenance)."""
    hits = []
    for folder in ("render", "augment"):
        for path in sorted((PKG / folder).rglob("*.py")):
            hits += _meta_reads(path, set())
    # layout_page writes the coverage record (provenance of the layout stage, as the modes' plans are)
    hits += _meta_reads(PKG / "pipeline.py", {"make", "sample_meta_json", "layout_page"})
    assert not hits, hits


def test_render_ignores_whatever_meta_says(factory_for):
    factory = factory_for(["eng_Latn"], layouts={"table": 1.0}, seed=4)
    page, _ = factory.layout_page(0, 0)
    clean, params = factory.render(page, 0, 0)
    page.meta = {"background": {"kind": "solid", "rgb": [255, 0, 0]}, "rules": [[0, 0, 50, 50, 0, 255, 0]],
                 "paper_gray_range": [0, 1]}
    noisy, params2 = factory.render(page, 0, 0)
    assert np.array_equal(clean, noisy) and params == params2


def test_a_new_mode_is_one_registered_place_function(tmp_path, monkeypatch):
    """What a new module does (README "Adding a layout mode"): a Params, a Plan, sample_plan and a decorated
    place; a template naming the mode then generates checked pages through the ordinary pipeline."""
    from dataclasses import dataclass

    from synthdoc.config import GenerateConfig
    from synthdoc.doc import BackgroundSpec, Page, Paragraph, check
    from synthdoc.layout.base import coin, fonts_record, paper_fonts, sample_paper
    from synthdoc.layout.place import one_line, place_parts
    from synthdoc.layout.plan import Plan, Tape
    from synthdoc.layout.template import PageParams
    from synthdoc.pipeline import SampleFactory

    monkeypatch.setattr(layout_registry, "_MODES", dict(layout_registry.modes()))

    @dataclass(frozen=True)
    class Params(PageParams):
        size_px: int = 40

    @dataclass
    class StampPlan(Plan):
        margin_px: float = 0.0
        face: str = ""

    def sample_plan(p, inp, rng):
        size_name, W, H, margin = sample_paper(rng, p)
        _, face = inp.pick_face(rng, p.font_role_weights)
        return StampPlan("", size_name, W, H, margin_px=margin, face=face.key, tape=Tape(rng), params=p)

    @layout_registry.layout_mode("stamp", params=Params, plan=StampPlan, sample_plan=sample_plan)
    def place(plan, inp):
        page = Page(plan.width, plan.height, inp.lang.code, plan.layout, background=BackgroundSpec(),
                    fonts=paper_fonts(inp, plan.face, plan.face))
        style = inp.style(inp.face(plan.face), plan.params.size_px, (0, 0, 0))
        text = "APPROVED" if plan.tape.take("approved", coin, 0.5) else "DRAFT"
        line, runs = place_parts([(one_line(text, style), plan.margin_px)], plan.height / 2, " ")
        page.paragraphs.append(Paragraph([line], line.quad.copy(), role="title"))
        page.runs.extend(runs)
        page.meta = {"fonts": fonts_record(page.fonts)}
        return page

    path = tmp_path / "stamp.yaml"
    path.write_text("mode: stamp\nsize_px: 48\n")
    factory = SampleFactory(GenerateConfig(languages=["en"], layouts={str(path): 1}, seed=1))
    texts = set()
    for i in range(6):
        sample = factory.make(i)
        check(sample.page)
        assert sample.page.layout == "stamp" and sample.meta["mode"] == "stamp"
        assert sample.meta["plan"]["tape"] == [["approved", sample.page.text == "APPROVED"]]
        texts.add(sample.page.text)
    assert texts == {"APPROVED", "DRAFT"}
