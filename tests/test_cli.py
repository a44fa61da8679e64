"""CLI tests through ``python -m synthdoc`` in a subprocess: user mistakes give one ``synthdoc: error:`` line
and exit status 2 (no traceback); the happy paths of generate, fonts and preview."""
from __future__ import annotations

import re

import cv2
import pyarrow.parquet as pq
import pytest
import yaml

from synthdoc.resources import data_path


def _assert_one_line_error(proc, *needles):
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("synthdoc: error:"), lines[0]
    for n in needles:
        assert n in lines[0], (n, lines[0])
    return lines[0]


def _no_dataset_written(out):
    return not list(out.glob("data/*/*.parquet")) if out.exists() else True


def test_unknown_language(tmp_path, synthdoc_cli):
    proc = synthdoc_cli(["generate", "--languages", "en,xx", "--pages", "1", "--out", "o", "--quiet"], tmp_path)
    _assert_one_line_error(proc, "unknown language 'xx'", "eng_Latn")
    assert not (tmp_path / "o").exists()  # raised before any work


def test_missing_font(tmp_path, synthdoc_cli):
    empty = tmp_path / "no-fonts"
    empty.mkdir()
    (tmp_path / "cfg.yaml").write_text(yaml.safe_dump({"system_fonts": False, "font_dirs": [str(empty)]}))
    # own font-index cache: a catalogue of an empty folder must not replace the session's index
    proc = synthdoc_cli(["generate", "--config", "cfg.yaml", "--languages", "en", "--pages", "1", "--out", "o",
                         "--quiet"], tmp_path, env={"SYNTHDOC_CACHE_DIR": str(tmp_path / "cache")})
    _assert_one_line_error(proc, "no installed font for eng_Latn", "fonts-noto-core")
    assert _no_dataset_written(tmp_path / "o")


def test_missing_font_folder(tmp_path, synthdoc_cli):
    proc = synthdoc_cli(["generate", "--languages", "en", "--font-dir", str(tmp_path / "nope"), "--pages", "1",
                         "--out", "o", "--quiet"], tmp_path)
    _assert_one_line_error(proc, "font folder", "nope")


def test_unreadable_corpus(tmp_path, synthdoc_cli):
    proc = synthdoc_cli(["generate", "--languages", "en", "--corpus", "en=/nonexistent/file.txt", "--pages", "1",
                         "--out", "o", "--quiet"], tmp_path)
    _assert_one_line_error(proc, "/nonexistent/file.txt")
    assert _no_dataset_written(tmp_path / "o")


def test_invalid_config_key(tmp_path, synthdoc_cli):
    (tmp_path / "bad.yaml").write_text("bogus_key: 1\n")
    proc = synthdoc_cli(["generate", "--config", "bad.yaml", "--pages", "1", "--out", "o", "--quiet"], tmp_path)
    _assert_one_line_error(proc, "bad.yaml", "bogus_key", "valid keys")


def test_invalid_config_value(tmp_path, synthdoc_cli):
    (tmp_path / "bad.yaml").write_text("pages: -3\n")
    proc = synthdoc_cli(["generate", "--config", "bad.yaml", "--out", "o", "--quiet"], tmp_path)
    _assert_one_line_error(proc, "pages")


def test_invalid_yaml(tmp_path, synthdoc_cli):
    (tmp_path / "bad.yaml").write_text("languages: [en\n")
    proc = synthdoc_cli(["generate", "--config", "bad.yaml", "--out", "o", "--quiet"], tmp_path)
    _assert_one_line_error(proc, "bad.yaml")


def test_unwritable_output_folder(tmp_path, synthdoc_cli):
    (tmp_path / "afile").write_text("a regular file\n")
    proc = synthdoc_cli(["generate", "--languages", "en", "--pages", "1", "--out", "afile/sub", "--quiet"], tmp_path)
    _assert_one_line_error(proc, "afile/sub")
    assert (tmp_path / "afile").read_text() == "a regular file\n"


def test_invalid_layout_range(tmp_path, synthdoc_cli):
    data = yaml.safe_load(data_path("layouts").joinpath("multi_column.yaml").read_text(encoding="utf-8"))
    data["body_size_px_range"] = [30, 10]
    (tmp_path / "my_layout.yaml").write_text(yaml.safe_dump(data))
    proc = synthdoc_cli(["generate", "--languages", "en", "--pages", "1", "--layouts", "my_layout.yaml=1",
                         "--out", "o", "--quiet"], tmp_path)
    _assert_one_line_error(proc, "my_layout.yaml", "body_size_px_range")
    assert _no_dataset_written(tmp_path / "o")


def test_unknown_layout(tmp_path, synthdoc_cli):
    proc = synthdoc_cli(["generate", "--languages", "en", "--pages", "1", "--layouts", "no_such_layout",
                         "--out", "o", "--quiet"], tmp_path)
    _assert_one_line_error(proc, "no_such_layout", "multi_column")


def test_error_without_quiet_is_one_line(tmp_path, synthdoc_cli):
    proc = synthdoc_cli(["generate", "--languages", "xx", "--pages", "1", "--out", "o"], tmp_path)
    _assert_one_line_error(proc, "unknown language 'xx'")


# ----------------------------------------------------------------------------- happy paths

@pytest.fixture(scope="module")
def generated(tmp_path_factory, synthdoc_cli):
    cwd = tmp_path_factory.mktemp("cli")
    proc = synthdoc_cli(["generate", "--languages", "en,ja", "--pages", "2", "--seed", "4", "--out", "X"], cwd)
    return cwd, proc


def test_generate(generated):
    cwd, proc = generated
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    summary = [ln for ln in proc.stdout.splitlines() if ln.strip()]
    assert len(summary) == 1
    assert re.match(r"wrote 2 pages in 2 shards to X \(", summary[0]), summary[0]
    assert "pages" in summary[0]
    for code in ("eng_Latn", "jpn_Jpan"):
        (shard,) = (cwd / "X" / "data" / code).glob("*.parquet")
        t = pq.read_table(shard)
        assert t.num_rows == 1 and t.column("lang").to_pylist() == [code]
        assert t.column("seed").to_pylist() == [4]
    assert (cwd / "X" / "README.md").exists()


def test_generate_refuses_existing_dataset(generated, synthdoc_cli):
    cwd, _ = generated
    proc = synthdoc_cli(["generate", "--languages", "en", "--pages", "1", "--out", "X", "--quiet"], cwd)
    _assert_one_line_error(proc, "--overwrite")


def test_fonts(tmp_path, synthdoc_cli):
    proc = synthdoc_cli(["fonts", "--languages", "ja"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("jpn_Jpan (Japanese, script Jpan):")
    assert "Noto Sans CJK JP" in proc.stdout
    assert "Noto Serif CJK JP" in proc.stdout
    assert "Noto Sans CJK KR" not in proc.stdout


def test_fonts_missing_reports_none(tmp_path, synthdoc_cli):
    empty = tmp_path / "no-fonts"
    empty.mkdir()
    (tmp_path / "cfg.yaml").write_text(yaml.safe_dump({"system_fonts": False, "font_dirs": [str(empty)]}))
    proc = synthdoc_cli(["fonts", "--config", "cfg.yaml", "--languages", "en"], tmp_path,
                        env={"SYNTHDOC_CACHE_DIR": str(tmp_path / "cache")})
    assert proc.returncode == 1
    assert "none: no installed font for eng_Latn" in proc.stdout
    assert "Traceback" not in proc.stderr


def test_preview_of_dataset(generated, synthdoc_cli):
    cwd, proc = generated
    assert proc.returncode == 0, proc.stderr
    p = synthdoc_cli(["preview", "--dataset", "X", "--out", "P"], cwd)
    assert p.returncode == 0, p.stderr
    pngs = sorted((cwd / "P").glob("*.png"))
    assert len(pngs) == 2
    assert {png.name.split("-")[0] for png in pngs} == {"eng_Latn", "jpn_Jpan"}
    for png in pngs:
        img = cv2.imread(str(png))
        assert img is not None and img.shape[0] > 500 and img.shape[1] > 500
    assert "wrote 2 previews" in p.stdout


def test_preview_of_missing_dataset(tmp_path, synthdoc_cli):
    proc = synthdoc_cli(["preview", "--dataset", "nothing-here", "--out", "P"], tmp_path)
    _assert_one_line_error(proc, "does not exist")


def test_version(tmp_path, synthdoc_cli):
    from synthdoc import __version__

    proc = synthdoc_cli(["--version"], tmp_path)
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"synthdoc {__version__}"


def test_generate_does_not_import_the_ocr_engines(tmp_path):
    """Start-up: `generate` never discovers the OCR engines (importing every module of synthdoc.ocr, ~50 ms);
    `validate --help` still lists them."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from synthdoc.cli import main\n"
        f"code = main(['generate', '--out', {str(tmp_path / 'ds')!r}, '--pages', '1', '--languages', 'en', '--quiet',"
        " '--layouts', 'multi_column=1', '--augment', 'none'])\n"
        "assert code == 0, code\n"
        "print('engines imported:', sorted(m for m in sys.modules if m.startswith('synthdoc.ocr.')"
        " and m.split('.')[-1] in ('ppocr', 'tesseract', 'nemotron', 'probe')))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "engines imported: []" in out.stdout, out.stdout
    usage = subprocess.run([sys.executable, "-m", "synthdoc", "validate", "--help"], capture_output=True, text=True,
                           timeout=120)
    assert re.search(r"--engine \{auto,[a-z,]*ppocr[a-z,]*,probe:CHECKPOINT\}", usage.stdout), usage.stdout
