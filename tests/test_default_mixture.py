"""The default is the mixture (issue #13 item 1): with no options every page draws its layout from every mode its
language supports and a whole augmentation preset from the `mixed` preset; the weights are data (shipped YAML)
and the dataset card prints them; explicit `--layouts multi_column --augment none` still gives clean pages."""
import io

import numpy as np
import pyarrow.parquet as pq
import pytest
from PIL import Image

from synthdoc.augment.mixture import MixtureStack
from synthdoc.augment.stack import load_stack
import synthdoc.config
from synthdoc.config import GenerateConfig
from synthdoc.errors import SynthdocError
from synthdoc.layout import registry

pytestmark = pytest.mark.real_defaults


def test_defaults_come_from_the_shipped_yaml():
    cfg = GenerateConfig()
    mix = synthdoc.config.default_mixture()  # looked up now: conftest restores it for real_defaults tests
    assert cfg.layouts == mix["layouts"] and set(cfg.layouts) == set(registry.modes())  # all seven modes
    assert cfg.augment == "mixed" == mix["augment"]
    stack = load_stack("mixed")
    assert isinstance(stack, MixtureStack)
    assert [s.name for s in stack.stacks] == ["none", "light", "default", "scan", "photo", "heavy"]
    assert all(w > 0 for w in stack.weights)


def test_mixture_choice_follows_the_weights_and_the_stream():
    stack = load_stack("mixed")
    picks = [stack.choose(np.random.default_rng([7, i])).name for i in range(4000)]
    share = {s.name: picks.count(s.name) / len(picks) for s in stack.stacks}
    for s, w in zip(stack.stacks, stack.weights):
        assert abs(share[s.name] - w / sum(stack.weights)) < 0.03, share
    again = [stack.choose(np.random.default_rng([7, i])).name for i in range(200)]
    assert again == picks[:200]  # a pure function of the page's stream


def test_bad_mixture_files_are_one_line_errors(tmp_path):
    for body, word in [("mixture: {none: -1}\n", "weights"), ("mixture: {nosuch: 1}\n", "nosuch"),
                       ("mixture: {mixed: 1}\n", "another mixture"), ("mixture: {none: 1}\nsteps: []\n", "steps")]:
        path = tmp_path / "m.yaml"
        path.write_text(body)
        with pytest.raises(SynthdocError) as e:
            load_stack(str(path))
        assert word in str(e.value) and "\n" not in str(e.value)


def test_default_run_card_shows_every_mode_and_the_mixture(tmp_path, synthdoc_cli):
    """A real run with no --layouts / --augment: a Latin + CJK run's card lists all seven modes, the configured
    weights and the augmentation mixture; rows record the preset each page drew."""
    out = tmp_path / "ds"
    r = synthdoc_cli(["generate", "--out", out, "--pages", "24", "--languages", "en,ja", "--seed", "2"], tmp_path,
                     timeout=600, real_defaults=True)
    assert r.returncode == 0, r.stderr[-2000:]
    card = (out / "README.md").read_text(encoding="utf-8")
    layouts = card.split("## Layouts")[1].split("## Augmentation")[0]
    assert all(f"| {m} |" in layouts for m in registry.modes()), layouts
    assert "draws its layout by weight from: multi_column 25%" in layouts
    augment = card.split("## Augmentation")[1].split("## Fonts")[0]
    assert "Mixture `mixed`" in augment and "none 15%" in augment and "heavy 10%" in augment
    assert sum(f"| {p} |" in augment for p in ("none", "light", "default", "scan", "photo", "heavy")) >= 4, augment
    rows = [r for f in sorted(out.glob("data/*/*.parquet")) for r in pq.read_table(f).to_pylist()]
    import json
    metas = [json.loads(r["meta"]) if isinstance(r["meta"], str) else r["meta"] for r in rows]
    assert all(m["augment"]["mixture"] == "mixed" for m in metas)
    assert {m["mode"] for m in metas if m.get("mode")} == set(registry.modes())


def test_explicit_clean_options_give_clean_multi_column_pages(tmp_path, synthdoc_cli):
    out = tmp_path / "clean"
    r = synthdoc_cli(["generate", "--out", out, "--pages", "2", "--languages", "en", "--seed", "1",
                      "--layouts", "multi_column", "--augment", "none"], tmp_path, real_defaults=True)
    assert r.returncode == 0, r.stderr[-2000:]
    card = (out / "README.md").read_text(encoding="utf-8")
    assert "| multi_column | 2 | 100.0% |" in card and "None: every page is a clean rendering." in card
    row = pq.read_table(sorted(out.glob("data/*/*.parquet"))[0]).to_pylist()[0]
    Image.open(io.BytesIO(row["image"]["bytes"])).verify()
