"""Reference OCR engines: the bundled PP-OCRv6 recogniser (found inside the installed rapidocr wheel, CPU
provider, no network), Tesseract behind the same protocol, ``auto`` routing, and the Nemotron adapter's
error paths.

Accuracy bounds (mean NED per language on clean rendered lines, those of the core issue): eng_Latn, rus_Cyrl,
jpn_Jpan, zho_Hant <= 0.02; kor_Hang, zho_Hans <= 0.05. Pages are rendered with the multi_column mode on a
small page (A6, one column) so the test stays small: three pages (~50 lines) per language.
"""
from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pyarrow.parquet as pq
import pytest
import yaml

from synthdoc.errors import SynthdocError
from synthdoc.geometry import crop_line
from synthdoc.ocr.metrics import ned

LANGS = ("eng_Latn", "jpn_Jpan", "kor_Hang", "rus_Cyrl", "zho_Hans", "zho_Hant")
BOUNDS = {"eng_Latn": 0.02, "rus_Cyrl": 0.02, "jpn_Jpan": 0.02, "zho_Hant": 0.02, "kor_Hang": 0.05, "zho_Hans": 0.05}
HAS_TESSERACT = shutil.which("tesseract") is not None


def small_multi_column(folder: Path) -> Path:
    """The shipped multi_column template on an A6 page with one column (fewer lines per page)."""
    from synthdoc.resources import data_path

    t = yaml.safe_load((data_path("layouts") / "multi_column.yaml").read_text(encoding="utf-8"))
    t.update(page_sizes_mm={"A6": [105, 148]}, page_size_weights={"A6": 1}, column_weights={1: 1})
    path = folder / "small_multi_column.yaml"
    path.write_text(yaml.safe_dump(t), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def clean_lines(tmp_path_factory) -> dict[str, list[tuple[str, np.ndarray]]]:
    """lang -> [(label, crop)] of every line of 3 clean PNG pages per language."""
    from synthdoc.api import write_dataset
    from synthdoc.config import GenerateConfig

    tmp = tmp_path_factory.mktemp("ocr-engines")
    template = small_multi_column(tmp)
    write_dataset(GenerateConfig(languages=list(LANGS), pages=18, image_format="png", seed=11,
                                 layouts={str(template): 1}), tmp / "ds")
    out: dict[str, list] = {}
    for shard in sorted((tmp / "ds").glob("data/*/*.parquet")):
        for row in pq.read_table(shard).to_pylist():
            rgb = cv2.imdecode(np.frombuffer(row["image"]["bytes"], np.uint8), cv2.IMREAD_COLOR)[:, :, ::-1]
            for text, quad, d in zip(row["lines"]["text"], row["lines"]["quad"], row["lines"]["direction"]):
                out.setdefault(row["lang"], []).append((text, crop_line(rgb, np.asarray(quad, np.float32), d)))
    return out


@pytest.fixture(scope="module")
def ppocr():
    from synthdoc.ocr.ppocr import PPOCRRecognizer

    return PPOCRRecognizer(device="cpu")


def _mean_ned(engine, items, lang: str) -> tuple[float, list]:
    """Mean NED over the lines of at least ``ocr_lines.SHORT_CHARS`` letters or digits (as the labels-match-pixels
    tests score short lines apart: a line such as "結構。" gives a recogniser no context — chi_tra reads this
    clean, correctly boxed crop as an empty string, which alone moves a 50-line mean by 0.02), and the three
    worst lines of all."""
    from ocr_lines import SHORT_CHARS

    from synthdoc.ocr.metrics import normalise

    preds = engine.recognise([c for _, c in items], lang, False)
    scored = sorted(((ned(label, p, lang), label, p) for (label, _), p in zip(items, preds)), reverse=True)
    scored_long = [s[0] for s in scored if sum(ch.isalnum() for ch in normalise(s[1], lang)) >= SHORT_CHARS]
    return float(np.mean(scored_long)), scored[:3]


# --------------------------------------------------------------------------- bundled model, providers


def test_bundled_models_are_inside_the_installed_rapidocr_package():
    from synthdoc.ocr.onnx import MODEL_FILES, bundled_model_path

    package_dir = Path(importlib.util.find_spec("rapidocr").submodule_search_locations[0]).resolve()
    for kind, name in MODEL_FILES.items():
        path = bundled_model_path(kind)
        assert path.name == name and path.is_file()
        assert path.resolve().parent == package_dir / "models"
    with pytest.raises(ValueError, match="unknown model kind"):
        bundled_model_path("cls")


def test_bundled_recogniser_runs_offline_without_network(tmp_path):
    """In a fresh interpreter with HF_HUB_OFFLINE=1 and every socket connection refused, the recogniser loads
    from the wheel and reads a rendered word."""
    script = r"""
import socket, sys
def refuse(*a, **k):
    raise OSError("network disabled by the test")
socket.socket.connect = refuse
socket.socket.connect_ex = refuse
socket.create_connection = refuse
import numpy as np
from synthdoc.ocr.ppocr import PPOCRRecognizer
import cv2
img = np.full((64, 400, 3), 255, np.uint8)
cv2.putText(img, "OFFLINE 2024", (10, 48), cv2.FONT_HERSHEY_SIMPLEX, 1.5, (0, 0, 0), 3, cv2.LINE_AA)
rec = PPOCRRecognizer(device="cpu")
print(rec.model_path)
print(rec.session.get_providers()[0])
print(rec.recognise([img])[0])
"""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
    res = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    model, provider, text = res.stdout.strip().splitlines()[-3:]
    assert model.endswith("rapidocr/models/PP-OCRv6_rec_small.onnx")
    assert provider == "CPUExecutionProvider"
    assert ned("OFFLINE 2024", text, "eng_Latn") <= 0.1, text


def test_cpu_provider_path(ppocr):
    from synthdoc.ocr.onnx import providers

    assert ppocr.session.get_providers() == ["CPUExecutionProvider"]
    assert providers("cpu") == ["CPUExecutionProvider"]
    cuda, cpu = providers("cuda")
    assert cuda == ("CUDAExecutionProvider", {"device_id": 0, "cudnn_conv_algo_search": "HEURISTIC"})
    assert cpu == "CPUExecutionProvider"


def test_device_resolution():
    from synthdoc.ocr.onnx import cuda_available, resolve_device

    assert resolve_device("cpu") == "cpu"
    assert resolve_device(None) == ("cuda" if cuda_available() else "cpu")
    with pytest.raises(SynthdocError, match="unknown device 'tpu'"):
        resolve_device("tpu")
    if not cuda_available():
        with pytest.raises(SynthdocError, match=r"synthdoc\[gpu\]"):
            resolve_device("cuda")


def test_shadowed_gpu_build_names_the_fix(monkeypatch):
    """onnxruntime and onnxruntime-gpu share one folder; when the CPU build's files win, say how to repair it."""
    from synthdoc.ocr import onnx

    monkeypatch.setattr(onnx, "cuda_available", lambda: False)
    monkeypatch.setattr(onnx, "gpu_build_shadowed", lambda: True)
    with pytest.raises(SynthdocError, match=r"CPU build of onnxruntime hides its CUDA provider; run `pip uninstall "
                                            r"-y onnxruntime onnxruntime-gpu && pip install \"onnxruntime-gpu"):
        onnx.resolve_device("cuda")
    assert onnx.resolve_device(None) == "cpu"


def test_dictionary_comes_from_the_model_metadata(ppocr):
    meta = ppocr.session.get_modelmeta().custom_metadata_map["character"].splitlines()
    assert ppocr.classes[0] == "" and ppocr.classes[-1] == " " and ppocr.classes[1:-1] == meta
    assert len(meta) == 18708
    n_out = ppocr.session.get_outputs()[0].shape[-1]
    assert n_out == len(ppocr.classes)
    chars = set(meta)
    assert {"A", "z", "7", "灯", "臺", "か", "カ"} <= chars
    assert not {"한", "Ж"} & chars  # no hangul, no Cyrillic: Korean and Russian go to Tesseract


# --------------------------------------------------------------------------- pre / post-processing


def test_prepare_batch_resizes_pads_and_scales():
    from synthdoc.ocr.ppocr import prepare_batch

    red = np.zeros((24, 60, 3), np.uint8)
    red[..., 0] = 255  # RGB red
    wide = np.full((10, 400, 3), 255, np.uint8)
    batch = prepare_batch([red, wide])
    assert batch.dtype == np.float32 and batch.shape == (2, 3, 48, 1920)  # 48*400/10 = 1920, a multiple of 32
    assert np.allclose(batch[0, 2, :, :120], 1.0) and np.allclose(batch[0, :2, :, :120], -1.0)  # BGR: red = ch 2
    assert np.all(batch[0, :, :, 120:] == 0.0)  # padding
    assert np.allclose(batch[1], 1.0)
    small = prepare_batch([red])
    assert small.shape == (1, 3, 48, 320)  # at least the training width


def test_plan_batches_groups_similar_widths():
    from synthdoc.ocr.ppocr import plan_batches

    widths = [900, 100, 330, 2000, 400, 1000, 50, 1100, 1150, 1200, 390]
    batches = plan_batches(widths, batch_size=3, max_pad_frac=0.25)
    assert sorted(np.concatenate(batches).tolist()) == list(range(len(widths)))
    for b in batches:
        w = [widths[i] for i in b]
        assert len(b) <= 3 and w == sorted(w)
        assert max(w) <= max(320, min(w)) * 1.25
    assert [[widths[i] for i in b] for b in batches] == [[50, 100, 330], [390, 400], [900, 1000, 1100], [1150, 1200],
                                                       [2000]]


def test_ctc_greedy_decode_collapses_repeats_and_drops_blanks():
    from synthdoc.ocr.ppocr import ctc_greedy_decode

    classes = ["", "a", "b", " "]
    steps = [1, 1, 0, 1, 2, 2, 3, 0, 0, 2]  # a a _ a b b ' ' _ _ b
    probs = np.zeros((2, len(steps), 4), np.float32)
    probs[0, np.arange(len(steps)), steps] = 1.0
    probs[1, :, 0] = 1.0
    assert ctc_greedy_decode(probs, classes) == ["aab b", ""]


def test_vertical_crops_are_rotated_counter_clockwise(ppocr, clean_lines):
    """A horizontal line turned 90° clockwise (its start at the top) reads the same with vertical=True."""
    items = [(label, c) for label, c in clean_lines["jpn_Jpan"] if len(label) >= 8][:6]
    columns = [cv2.rotate(c, cv2.ROTATE_90_CLOCKWISE) for _, c in items]
    horizontal = ppocr.recognise([c for _, c in items], "jpn_Jpan", vertical=False)
    vertical = ppocr.recognise(columns, "jpn_Jpan", vertical=True)
    assert vertical == horizontal
    assert np.mean([ned(label, p, "jpn_Jpan") for (label, _), p in zip(items, vertical)]) <= 0.02
    wrong_way = ppocr.recognise([cv2.rotate(c, cv2.ROTATE_180) for c in columns], "jpn_Jpan", vertical=True)
    assert np.mean([ned(label, p, "jpn_Jpan") for (label, _), p in zip(items, wrong_way)]) > 0.3


def test_batching_does_not_reorder_results(ppocr, clean_lines):
    from synthdoc.ocr.ppocr import PPOCRRecognizer

    items = clean_lines["eng_Latn"][:12]
    crops = [c for _, c in items]
    one_batch = ppocr.recognise(crops)
    small_batches = PPOCRRecognizer(device="cpu", batch_size=3).recognise(crops)
    assert len(one_batch) == len(crops)
    assert np.mean([ned(a, b, "eng_Latn") for (a, _), b in zip(items, small_batches)]) <= 0.02
    assert np.mean([ned(a, b, "eng_Latn") for (a, _), b in zip(items, one_batch)]) <= 0.02


# --------------------------------------------------------------------------- accuracy bounds


@pytest.mark.slow
def test_ppocr_reaches_the_bounds_on_clean_lines(ppocr, clean_lines):
    failures = []
    for lang in sorted(ppocr.coverage):
        mean, worst = _mean_ned(ppocr, clean_lines[lang], lang)
        print(f"\nppocr {lang}: {len(clean_lines[lang])} lines, mean NED {mean:.4f}")
        if mean > BOUNDS[lang]:
            failures.append(f"{lang} {mean:.4f} > {BOUNDS[lang]}; worst {worst}")
    assert set(ppocr.coverage) == {"eng_Latn", "jpn_Jpan", "zho_Hans", "zho_Hant"}
    assert not failures, "\n".join(failures)


@pytest.mark.slow
@pytest.mark.skipif(not HAS_TESSERACT and not os.environ.get("CI"), reason="tesseract not installed; never skipped in CI")
def test_tesseract_engine_reaches_the_bounds_on_clean_lines(clean_lines):
    from synthdoc.ocr.tesseract import TesseractEngine

    engine = TesseractEngine()
    assert set(LANGS) <= set(engine.coverage)
    failures = []
    for lang in LANGS:
        mean, worst = _mean_ned(engine, clean_lines[lang], lang)
        print(f"\ntesseract {lang}: {len(clean_lines[lang])} lines, mean NED {mean:.4f}")
        if mean > BOUNDS[lang]:
            failures.append(f"{lang} {mean:.4f} > {BOUNDS[lang]}; worst {worst}")
    assert not failures, "\n".join(failures)


# --------------------------------------------------------------------------- auto routing


def test_line_kind():
    from synthdoc.ocr.pages import line_kind

    assert line_kind("Hello", "ltr") == "horizontal"
    assert line_kind("灯台守の日誌。", "ttb") == "vertical"
    assert line_kind("約2万8,000円", "ttb") == "vertical_mixed"  # digits are set sideways in a column


@pytest.mark.skipif(not HAS_TESSERACT and not os.environ.get("CI"), reason="tesseract not installed; never skipped in CI")
def test_auto_routes_each_line_to_the_engine_that_reads_it_best(ppocr):
    from synthdoc.ocr.engine import AutoEngine, engine_for
    from synthdoc.ocr.tesseract import TesseractEngine

    tess = TesseractEngine()
    auto = AutoEngine([ppocr, tess])
    assert engine_for(auto, "eng_Latn", "horizontal") is ppocr
    assert engine_for(auto, "zho_Hant", "horizontal") is ppocr
    assert engine_for(auto, "kor_Hang", "horizontal") is tess
    assert engine_for(auto, "rus_Cyrl", "horizontal") is tess
    assert engine_for(auto, "jpn_Jpan", "vertical") is tess
    assert engine_for(auto, "zho_Hans", "vertical") is tess
    assert engine_for(auto, "zho_Hant", "vertical") is ppocr  # per-language override
    assert engine_for(auto, "jpn_Jpan", "vertical_mixed") is ppocr
    assert engine_for(auto, "kor_Hang", "vertical") is None
    assert engine_for(auto, "deu_Latn", "horizontal") is None
    assert engine_for(ppocr, "kor_Hang", "horizontal") is None
    with pytest.raises(SynthdocError, match="no OCR engine reads horizontal deu_Latn"):
        auto.recognise([np.zeros((8, 8, 3), np.uint8)], "deu_Latn", False)
    with pytest.raises(SynthdocError, match="unknown OCR engine 'paddle'"):
        from synthdoc.ocr.engine import make_engine

        make_engine("paddle")


# --------------------------------------------------------------------------- Nemotron adapter


def test_nemotron_reports_every_missing_weight_file(tmp_path):
    from synthdoc.ocr.nemotron import WEIGHT_FILES, NemotronEngine

    (tmp_path / "detector.pth").write_bytes(b"x")
    (tmp_path / "charset.txt").write_text("a\n", encoding="utf-8")
    (tmp_path / "recognizer.pth").mkdir()  # a folder is not a weight file
    with pytest.raises(SynthdocError) as e:
        NemotronEngine(tmp_path)
    msg = str(e.value)
    assert "\n" not in msg
    assert f"Nemotron OCR weights missing in {tmp_path}: recognizer.pth, relational.pth, model_config.json;" in msg
    assert "huggingface-cli download nvidia/nemotron-ocr-v2" in msg
    for present in ("detector.pth", "charset.txt"):
        assert present not in msg.split(":", 1)[1].split(";")[0]
    assert len(WEIGHT_FILES) == 5


def test_nemotron_without_a_weights_folder(monkeypatch):
    from synthdoc.ocr.nemotron import ENV_DIR, NemotronEngine

    monkeypatch.delenv(ENV_DIR, raising=False)
    with pytest.raises(SynthdocError, match="needs its weights on disk .*--nemotron-dir"):
        NemotronEngine(None)


def test_nemotron_refuses_the_cpu_before_loading_anything(tmp_path):
    from synthdoc.ocr.nemotron import WEIGHT_FILES, NemotronEngine

    for f in WEIGHT_FILES:
        (tmp_path / f).write_bytes(b"x")
    with pytest.raises(SynthdocError, match="runs on CUDA only"):
        NemotronEngine(tmp_path, device="cpu")


def test_hub_offline_is_forced_and_restored(monkeypatch):
    from huggingface_hub import constants

    from synthdoc.ocr.nemotron import hub_offline

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    with hub_offline():
        assert os.environ["HF_HUB_OFFLINE"] == "1" and constants.HF_HUB_OFFLINE is True
        assert constants.is_offline_mode()
    assert "HF_HUB_OFFLINE" not in os.environ and constants.HF_HUB_OFFLINE is False


def test_cli_nemotron_missing_weights_is_one_line(tmp_path, capsys):
    import pyarrow as pa

    from synthdoc.cli import main

    ds = tmp_path / "ds"  # the weights are checked before any row is read: a one-row shard will do
    (ds / "data" / "eng_Latn").mkdir(parents=True)
    pq.write_table(pa.table({"id": ["x"]}), ds / "data" / "eng_Latn" / "train-00000-of-00001.parquet")
    code = main(["validate", str(ds), "--engine", "nemotron", "--nemotron-dir", str(tmp_path / "weights"), "--quiet"])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err.startswith("synthdoc: error: Nemotron OCR weights missing in") and "\n" not in err
    assert "detector.pth, recognizer.pth, relational.pth, charset.txt, model_config.json" in err
