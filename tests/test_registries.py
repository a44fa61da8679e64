"""Each list of names lives in one place: the OCR engine registry, the export format registry and the augmentation
presets; every module that registers is found without a list, and the CLI offers exactly the registered names."""
from __future__ import annotations

import ast
import json
from pathlib import Path

import numpy as np
import pytest

from synthdoc.errors import SynthdocError

PACKAGE = Path(__file__).resolve().parent.parent / "synthdoc"


def _registering_modules(folder: Path, decorator: str) -> dict[str, str]:
    """Registered name -> module file name, read from ``@decorator("name")`` in the .py files of `folder`."""
    out = {}
    for path in sorted(folder.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            for deco in getattr(node, "decorator_list", []):
                if isinstance(deco, ast.Call) and getattr(deco.func, "id", None) == decorator:
                    out[deco.args[0].value] = path.name
    return out


def _action(command: str, option: str):
    from synthdoc.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command").choices[command]
    return next(a for a in sub._actions if option in a.option_strings)


def _choices(command: str, option: str) -> list[str]:
    return list(_action(command, option).choices)


def _metavar(command: str, option: str) -> str:
    return _action(command, option).metavar


# --------------------------------------------------------------------------- OCR engines


def test_every_engine_module_is_discovered_and_offered_by_the_cli():
    from synthdoc.ocr.engine import engine_names, registered_engines

    declared = _registering_modules(PACKAGE / "ocr", "register_engine")
    assert declared == {"nemotron": "nemotron.py", "ppocr": "ppocr.py", "tesseract": "tesseract.py"}
    assert set(registered_engines()) == set(declared)
    assert engine_names() == ("auto", *sorted(declared))
    # --engine also takes "probe:CHECKPOINT" (a name prefix), so it lists the registered names in its metavar
    assert _metavar("validate", "--engine") == "{" + ",".join(engine_names()) + ",probe:CHECKPOINT}"


class _FakeEngine:
    """Reads every crop as its mean grey level, for English horizontal lines only."""

    name = "fake"
    coverage = {"eng_Latn": frozenset({"horizontal"}), "xxx_Test": frozenset({"horizontal"})}

    def recognise(self, crops, lang_code, vertical):
        return [str(int(np.mean(c))) for c in crops]


@pytest.fixture
def fake_engine():
    from synthdoc.ocr import engine as registry

    registry.registered_engines()  # discover the shipped engines first

    @registry.register_engine("fake", in_auto=lambda: True)
    def build(**options):
        return _FakeEngine()

    yield build
    registry._ENGINES.pop("fake")


def test_a_registered_engine_is_built_by_name_and_joins_auto_after_the_measured_preference(fake_engine):
    from synthdoc.ocr.engine import AutoEngine, engine_for, engine_names, make_engine, register_engine

    assert "fake" in engine_names()
    engine = make_engine("fake")
    assert isinstance(engine, _FakeEngine)
    assert engine.recognise([np.full((4, 9, 3), 200, np.uint8)], "eng_Latn", False) == ["200"]
    auto = make_engine("auto", device="cpu")
    assert isinstance(auto, AutoEngine) and "fake" in auto.engines
    assert engine_for(auto, "eng_Latn", "horizontal").name == "ppocr"  # listed in AUTO_PREFERENCE: first
    assert engine_for(auto, "xxx_Test", "horizontal").name == "fake"  # only the new engine reads it
    with pytest.raises(ValueError, match="already registered"):
        register_engine("fake")(lambda **o: _FakeEngine())
    with pytest.raises(ValueError, match="reserved"):
        register_engine("auto")(fake_engine)
    with pytest.raises(SynthdocError, match="unknown OCR engine 'paddle'; use one of auto, fake, nemotron"):
        make_engine("paddle")


# --------------------------------------------------------------------------- export formats


def test_every_export_module_is_discovered_and_offered_by_the_cli():
    from synthdoc.writers.exports import formats, writers

    declared = _registering_modules(PACKAGE / "writers" / "exports", "register_format")
    assert declared == {"doctr": "doctr.py", "hiertext": "hiertext.py", "icdar2015": "icdar2015.py",
                        "nemotron": "nemotron.py", "paddleocr": "paddleocr.py", "pagexml": "pagexml.py"}
    assert {name: cls.__module__.rsplit(".", 1)[1] + ".py" for name, cls in writers().items()} == declared
    assert formats() == tuple(sorted(declared))
    assert _choices("export", "--format") == list(formats())


def test_a_registered_format_is_exported_by_name(session_dataset, tmp_path):
    import pyarrow.parquet as pq

    from synthdoc.writers import exports

    exports.formats()

    @exports.register_format("idlist")
    class IdList:
        def __init__(self, out: Path):
            self.path, self.ids = out / "ids.json", []

        def add(self, split: str, row: dict) -> None:
            self.ids.append([split, row["id"]])

        def close(self) -> list[Path]:
            self.path.write_text(json.dumps(self.ids), encoding="utf-8")
            return [self.path]

    try:
        summary = exports.export_dataset(session_dataset[0], "idlist", tmp_path / "x")
        with pytest.raises(ValueError, match="already registered"):
            exports.register_format("hiertext")(IdList)
    finally:
        exports._WRITERS.pop("idlist")
    ids = sorted(r for s in session_dataset[0].glob("data/*/*.parquet") for r in pq.read_table(s)["id"].to_pylist())
    assert sorted(i for _, i in json.loads((tmp_path / "x" / "ids.json").read_text(encoding="utf-8"))) == ids
    assert summary.pages == len(ids) == 12 and summary.label_files == [str(tmp_path / "x" / "ids.json")]
    with pytest.raises(SynthdocError, match="unknown export format 'idlist'; use one of doctr, hiertext, icdar2015"):
        exports.export_dataset(session_dataset[0], "idlist", tmp_path / "y")


# --------------------------------------------------------------------------- augmentation presets


def test_presets_are_the_shipped_files_and_the_cli_lists_them():
    from synthdoc.augment.stack import PRESET_DIR, load_stack, preset_names
    from synthdoc.cli import build_parser

    names = preset_names()
    assert names == sorted(p.stem for p in PRESET_DIR.glob("*.yaml")) and {"none", "default"} <= set(names)
    for name in names:
        assert load_stack(name).name == name
    help_text = build_parser()._subparsers._group_actions[0].choices["generate"].format_help()
    assert all(name in " ".join(help_text.split()) for name in names)


# --------------------------------------------------------------------------- augmentation steps


def test_every_registered_step_class_of_the_augment_package_is_in_steps():
    """A step is one new module: every class decorated ``@register`` in any module of synthdoc/augment is in
    ``STEPS`` by its name, without a list of modules to edit (the package imports each of its modules)."""
    from synthdoc.augment import STEPS

    declared = {}
    for path in sorted((PACKAGE / "augment").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(getattr(d, "id", None) == "register" for d in node.decorator_list):
                declared[node.name] = path.name
    assert declared, "no @register step found"
    assert {name: STEPS[name].__module__.rsplit(".", 1)[1] + ".py" for name in declared if name in STEPS} == declared
    init = (PACKAGE / "augment" / "__init__.py").read_text(encoding="utf-8")
    assert "pkgutil.iter_modules" in init and "import backdrop" not in init
