"""synthdoc probe with PyTorch on the CPU: it learns its own training lines, is deterministic for a seed,
resumes, writes its report / curve / checkpoint, reads as a validate engine, and refuses bad input in one line."""
from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

torch = pytest.importorskip("torch")

from synthdoc.cli import main  # noqa: E402
from synthdoc.errors import SynthdocError  # noqa: E402
from synthdoc.probe import ProbeConfig, evaluate, train  # noqa: E402

#: A small model (0.6 M parameters) so that 120 steps fit in well under a minute on one core.
TINY = dict(channels=(16, 32, 64, 64, 96, 96), hidden=96, workers=0, threads=1, lr=3e-3, val_frac=0.0,
            eval_points=4)


@pytest.fixture(scope="module")
def tiny_dataset(tmp_path_factory):
    """Four clean English slide pages over a 4-sentence corpus (about 40 lines)."""
    from synthdoc.api import write_dataset
    from synthdoc.config import GenerateConfig

    root = tmp_path_factory.mktemp("probe")
    corpus = root / "corpus.txt"
    corpus.write_text("the cat sat on the mat\nred box and blue pen\none two three four five\nsun moon star sky\n",
                      encoding="utf-8")
    out = root / "ds"
    write_dataset(GenerateConfig(pages=4, seed=1, languages=["eng_Latn"], layouts={"slide": 1.0},
                                 corpus={"eng_Latn": str(corpus)}), out)
    return out


def test_probe_learns_its_training_lines(tiny_dataset, tmp_path):
    r = train(tiny_dataset, out=tmp_path, eval_sets=[f"own={tiny_dataset}"], steps=120, device="cpu", seed=0,
              config=ProbeConfig(**TINY))
    curve = r["curve"]
    assert [p["step"] for p in curve] == [0, 30, 60, 90, 120]
    untrained, trained = curve[0]["scores"]["own"]["ned"], r["final"]["own"]["ned"]
    assert untrained > 0.9
    assert trained <= untrained / 2, (untrained, trained)
    assert curve[-1]["loss"] < curve[1]["loss"] / 2  # mean CTC loss of the last interval against the first
    assert r["steps"] == 120 and r["lines_seen"] == 120 * 16 and r["charset_size"] > 20
    assert r["final"]["own"]["unseen_chars"]["distinct"] == 0
    assert r["langs"] == {"eng_Latn": ["horizontal"]}
    assert (tmp_path / "checkpoint.pt").is_file()
    again = evaluate(tmp_path / "checkpoint.pt", [f"own={tiny_dataset}"], device="cpu")
    assert again["own"]["ned"] == pytest.approx(trained)
    assert len(again["own"]["worst"]) == 20 and {"label", "prediction", "ned"} <= set(again["own"]["worst"][0])


def _weights(path):
    return torch.load(path / "checkpoint.pt", map_location="cpu", weights_only=True)["model"]


def test_probe_is_deterministic_on_cpu_and_resumes(tiny_dataset, tmp_path):
    cfg = ProbeConfig(**{**TINY, "eval_points": 1, "checkpoint_every": 4})
    a = train(tiny_dataset, out=tmp_path / "a", steps=6, device="cpu", seed=3, config=cfg)
    b = train(tiny_dataset, out=tmp_path / "b", steps=6, device="cpu", seed=3, config=cfg)
    assert [p["loss"] for p in a["curve"]] == [p["loss"] for p in b["curve"]]
    wa, wb = _weights(tmp_path / "a"), _weights(tmp_path / "b")
    assert all(torch.equal(wa[k], wb[k]) for k in wa)
    c = train(tiny_dataset, out=tmp_path / "a", steps=10, device="cpu", seed=3, config=cfg, resume=True)
    assert c["steps"] == 10 and c["lines_seen"] == 10 * 16
    assert [p["step"] for p in c["curve"]] == [0, 6, 10]


def test_cli_probe_writes_report_curve_checkpoint_and_validates(tiny_dataset, tmp_path, capsys):
    lines = tmp_path / "lines"
    lines.mkdir()
    img = np.full((40, 200), 255, np.uint8)
    cv2.putText(img, "red box", (5, 30), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 0, 2)
    cv2.imwrite(str(lines / "a.png"), img)
    (lines / "a.gt.txt").write_text("red box", encoding="utf-8")
    out = tmp_path / "run"
    rc = main(["probe", str(tiny_dataset), "--eval", f"real={lines}", "--eval", str(tiny_dataset), "--steps", "4",
               "--device", "cpu", "--out", str(out), "--compare", str(tiny_dataset), "--eval-lang", "eng_Latn",
               "--threads", "1", "--workers", "0"])
    assert rc == 0
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert len(report["runs"]) == 2 and report["seed"] == 0
    first = report["runs"][0]
    assert first["steps"] == 4 and set(first["final"]) == {"real", "ds"} and first["versions"]["torch"]
    assert first["final"]["real"]["per_lang"]["eng_Latn"]["lines"] == 1
    curve = cv2.imread(str(out / "curve.png"))
    assert curve is not None and curve.shape[1] == 1040 and (curve < 250).any()
    assert (out / "compare" / "checkpoint.pt").is_file()
    capsys.readouterr()
    rc = main(["validate", str(tiny_dataset), "--engine", f"probe:{out / 'checkpoint.pt'}", "--device", "cpu",
               "--report-dir", str(tmp_path / "val"), "--quiet"])
    assert rc == 0
    assert "with probe on cpu" in capsys.readouterr().out


def _one_line_error(capsys, argv) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("synthdoc: error: ") and err.count("\n") == 1
    return err


def test_probe_bad_inputs_are_one_line_errors(tiny_dataset, tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "no Parquet shards" in _one_line_error(capsys, ["probe", str(empty), "--steps", "1", "--out",
                                                            str(tmp_path / "o1"), "--device", "cpu"])
    foreign = tmp_path / "cyr"
    foreign.mkdir()
    cv2.imwrite(str(foreign / "a.png"), np.full((32, 64), 255, np.uint8))
    (foreign / "a.gt.txt").write_text("ЖЖЖ", encoding="utf-8")
    err = _one_line_error(capsys, ["probe", str(tiny_dataset), "--eval", str(foreign), "--steps", "1", "--out",
                                   str(tmp_path / "o2"), "--device", "cpu"])
    assert "none of its characters" in err
    nogt = tmp_path / "nogt"
    nogt.mkdir()
    cv2.imwrite(str(nogt / "a.png"), np.full((32, 64), 255, np.uint8))
    assert "no NAME.gt.txt" in _one_line_error(capsys, ["probe", str(tiny_dataset), "--eval", str(nogt), "--steps",
                                                        "1", "--out", str(tmp_path / "o3"), "--device", "cpu"])
    assert "probe checkpoint" in _one_line_error(capsys, ["validate", str(tiny_dataset), "--engine",
                                                          f"probe:{tmp_path / 'none.pt'}", "--device", "cpu"])
    if not torch.cuda.is_available():
        assert "no CUDA device" in _one_line_error(capsys, ["probe", str(tiny_dataset), "--steps", "1", "--out",
                                                            str(tmp_path / "o4"), "--device", "cuda"])


def test_budget_is_required_and_positive(tiny_dataset, tmp_path):
    with pytest.raises(SynthdocError, match="budget"):
        train(tiny_dataset, out=tmp_path, device="cpu")
    with pytest.raises(SynthdocError, match="positive"):
        train(tiny_dataset, out=tmp_path, steps=0, device="cpu")


def test_prior_bias_is_a_distribution_of_blank_share_and_label_frequencies():
    from synthdoc.probe.charset import Charset
    from synthdoc.probe.lines import LineSample
    from synthdoc.probe.train import prior_bias

    cs = Charset.from_labels(["aab", "a"])
    assert dict(cs.counts) == {"a": 3, "b": 1}
    samples = [LineSample(np.zeros((32, 40), np.uint8), "aab", "en", "p"),
               LineSample(np.zeros((32, 20), np.uint8), "a", "en", "p")]
    bias = prior_bias(cs, samples)  # 4 characters over 10 + 5 frames of 4 px
    p = np.exp(bias)
    assert bias.shape == (3,) and bias.dtype == np.float32
    assert p.sum() == pytest.approx(1.0, abs=1e-6)
    assert p[0] == pytest.approx(1 - 4 / 15, abs=1e-6)
    assert p[1] / p[2] == pytest.approx((3 + 1) / (1 + 1), rel=1e-5)  # add-one-smoothed label frequencies
