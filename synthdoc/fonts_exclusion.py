"""``synthdoc generate --exclude-fonts-of DATASET``: hold out the font families a finished dataset used.

The families are read from the ``fonts`` record of every row's ``meta`` (``{use: "Family Style"}``, or a list
of "Family Style" names for scattered pages) through :func:`synthdoc.dataset.open_dataset`, mapped to the
installed faces' typographic families, and added to the config's ``fonts.deny`` family-name patterns (after
the shipped fonts.yaml ``deny`` list, which a config's ``deny`` replaces). The new run's config — and so its
manifest and card — records the exclusion, and replaying that config excludes the same families.
"""
from __future__ import annotations

import glob
import json
import os
from collections.abc import Iterable, Sequence

from synthdoc.config import GenerateConfig, config_from_mapping
from synthdoc.errors import SynthdocError
from synthdoc.fonts.catalogue import FontCatalogue


def face_names_used(dataset: str | os.PathLike) -> set[str]:
    """"Family Style" names of every face the rows of `dataset` record in ``meta["fonts"]``.

    Raises:
        SynthdocError: `dataset` is not a readable synthdoc dataset, or its rows record no fonts.
    """
    from synthdoc.dataset import open_dataset

    names: set[str] = set()
    for _, row in open_dataset(dataset, verify=False).iter_rows(columns=["meta"]):
        meta = json.loads(row["meta"]) if isinstance(row["meta"], str) else (row["meta"] or {})
        fonts = meta.get("fonts") or {}
        names.update(str(n) for n in (fonts.values() if isinstance(fonts, dict) else fonts))
    if not names:
        raise SynthdocError(f"--exclude-fonts-of {os.fspath(dataset)}: its rows record no fonts in meta; "
                            "pass a dataset written by synthdoc generate")
    return names


def families_of(names: Iterable[str], families: Iterable[str]) -> set[str]:
    """Family of each "Family Style" name: the longest of `families` that the name equals or starts with
    (followed by a space); names of no listed family (fonts not installed here) are left out."""
    by_len = sorted(set(families), key=len, reverse=True)
    out = set()
    for name in names:
        fam = next((f for f in by_len if name == f or name.startswith(f + " ")), None)
        if fam is not None:
            out.add(fam)
    return out


def _shipped_deny() -> list[str]:
    from synthdoc.languages import load_fonts_yaml

    return [str(p) for p in load_fonts_yaml().get("deny") or ()]


def exclude_fonts_of(cfg: GenerateConfig, datasets: Sequence[str | os.PathLike],
                     catalogue: FontCatalogue | None = None) -> GenerateConfig:
    """`cfg` with every installed font family used by `datasets` added to ``fonts.deny``.

    Args:
        cfg: the run's config (its ``font_dirs`` / ``system_fonts`` decide the installed faces).
        datasets: finished synthdoc dataset folders (e.g. the training set the new run must not share fonts with).
        catalogue: the installed faces (default: built from `cfg`).

    Returns:
        A new config whose ``fonts["deny"]`` is the previous deny list (the shipped one when the config has
        none) plus the escaped family names, sorted: the same inputs give the same config.

    Raises:
        SynthdocError: a dataset is unreadable or records no fonts, or the exclusion leaves a language of the
            run without a face that covers it.
    """
    catalogue = catalogue or FontCatalogue(cfg.font_dirs, cfg.system_fonts)
    installed = {f.family for f in catalogue.faces}
    used = {os.fspath(d): families_of(face_names_used(d), installed) for d in datasets}
    base = list(cfg.fonts["deny"]) if "deny" in cfg.fonts else _shipped_deny()
    added = sorted({glob.escape(f) for fams in used.values() for f in fams} - set(base))
    new = config_from_mapping({**cfg.to_dict(), "fonts": {**cfg.fonts, "deny": base + added}}, "--exclude-fonts-of")
    _check_coverage(cfg, new, catalogue, list(used))
    return new


def _check_coverage(old: GenerateConfig, new: GenerateConfig, catalogue: FontCatalogue, datasets: list[str]) -> None:
    """Raise the one-line error of :func:`exclude_fonts_of` when a language that has faces under `old` has none
    under `new` (a language without any face keeps the pipeline's own "no installed font" error)."""
    from synthdoc.languages import LanguageRegistry, load_fonts_yaml
    from synthdoc.pipeline import resolve_languages

    before = LanguageRegistry(load_fonts_yaml(override=old.fonts))
    after = LanguageRegistry(load_fonts_yaml(override=new.fonts))
    for lang in resolve_languages(new, after):
        try:
            catalogue.faces_for(lang)
        except SynthdocError:
            try:
                catalogue.faces_for(before.resolve(lang.code))
            except SynthdocError:
                continue  # no face at all: not the exclusion's doing
            raise SynthdocError(f"every font of {lang.code} was used by {', '.join(datasets)}; install more fonts "
                                "(--font-dir) or drop --exclude-fonts-of") from None
