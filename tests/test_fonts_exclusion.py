"""`synthdoc generate --exclude-fonts-of DATASET`: the new pages share no font family with DATASET, the run
replays byte for byte, and an exclusion that leaves a language no face is a one-line error."""
from __future__ import annotations

import json

import pytest
import yaml

from synthdoc.fonts.catalogue import FontCatalogue
from synthdoc.fonts_exclusion import face_names_used
from synthdoc.languages import LanguageRegistry, load_fonts_yaml


def _meta_families(ds, catalogue: FontCatalogue) -> set[str]:
    """Families of the faces the rows' meta records: exact "Family Style" match against the installed faces, else
    (an instance of a variable font, "Caveat Bold @wght=650", or a synthetic style) the variable or synthetic-
    capable family the name starts with."""
    by_name = {f"{f.family} {f.style}": f.family for f in catalogue.faces}
    variable = sorted({f.family for f in catalogue.faces if f.axes}, key=len, reverse=True)
    out = set()
    for name in face_names_used(ds):
        base = name.split(" @")[0]
        fam = by_name.get(base) or next((f for f in variable if base.startswith(f + " ")), None)
        assert fam is not None, name
        out.add(fam)
    return out


def _manifest(ds) -> dict:
    return json.loads((ds / "synthdoc-manifest.json").read_text())


def _generate(run_synthdoc, tmp_path, out: str, *extra) -> None:
    r = run_synthdoc(["generate", "--languages", "en", "--pages", "3", "--quiet", "--out", out, *extra], tmp_path)
    assert r.returncode == 0, r.stderr


@pytest.fixture(scope="module")
def datasets(tmp_path_factory, synthdoc_cli):
    tmp = tmp_path_factory.mktemp("exclude")
    _generate(synthdoc_cli, tmp, "train", "--seed", "1")
    _generate(synthdoc_cli, tmp, "heldout", "--seed", "2", "--exclude-fonts-of", "train")
    _generate(synthdoc_cli, tmp, "heldout2", "--seed", "2", "--exclude-fonts-of", "train")
    return tmp


def test_heldout_shares_no_family_with_training(datasets):
    catalogue = FontCatalogue()
    train, held = _meta_families(datasets / "train", catalogue), _meta_families(datasets / "heldout", catalogue)
    assert train and held and not train & held, (train, held)
    deny = _manifest(datasets / "heldout")["config"]["fonts"]["deny"]
    assert train <= set(deny)  # the exclusion is recorded in the config: the run replays
    assert set(load_fonts_yaml()["deny"]) <= set(deny)  # the shipped deny list is kept
    shards = _manifest(datasets / "heldout")["completed"].values()
    assert not train & {f for s in shards for f in s["fonts"]}  # the manifest's own family count agrees


def test_exclusion_rerun_is_byte_identical(datasets):
    a, b = _manifest(datasets / "heldout"), _manifest(datasets / "heldout2")
    assert [s["sha256"] for s in a["completed"].values()] == [s["sha256"] for s in b["completed"].values()]
    assert a["config"] == b["config"]


def test_exclusion_that_leaves_no_face_is_one_line_error(datasets, synthdoc_cli):
    """A held-out config whose pool is only the training families: excluding them leaves English no face."""
    catalogue = FontCatalogue()
    train = _meta_families(datasets / "train", catalogue)
    lang = LanguageRegistry(load_fonts_yaml()).resolve("en")
    others = {f.family for faces in catalogue.faces_for(lang).values() for f in faces} - train
    cfg = {"fonts": {"deny": [*load_fonts_yaml()["deny"], *sorted(others)]}, "layouts": {"multi_column": 1},
           "augment": "none"}
    (datasets / "only_train_fonts.yaml").write_text(yaml.safe_dump(cfg))
    r = synthdoc_cli(["generate", "--config", "only_train_fonts.yaml", "--languages", "en", "--pages", "1",
                      "--exclude-fonts-of", "train", "--out", "none"], datasets)
    assert r.returncode == 2
    assert r.stderr.strip() == ("synthdoc: error: every font of eng_Latn was used by train; install more fonts "
                                "(--font-dir) or drop --exclude-fonts-of"), r.stderr
    assert not (datasets / "none" / "data").exists()


def test_exclude_fonts_of_a_folder_that_is_no_dataset(tmp_path, synthdoc_cli):
    r = synthdoc_cli(["generate", "--languages", "en", "--pages", "1", "--exclude-fonts-of", "nothing",
                      "--out", "x"], tmp_path)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "nothing" in r.stderr, r.stderr
