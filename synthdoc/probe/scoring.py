"""Scores of the probe's predictions on an evaluation set: NED and CER overall and per language, characters
the charset lacks, and the worst lines (NED from :mod:`synthdoc.ocr.metrics`)."""
from __future__ import annotations

from typing import Sequence

from synthdoc.ocr.metrics import edit_counts
from synthdoc.probe.charset import Charset
from synthdoc.probe.lines import LineSample


def _group(neds: list[float], dists: list[int], lens: list[int]) -> dict:
    return {"lines": len(neds), "ned": sum(neds) / len(neds) if neds else None,
            "cer": sum(dists) / max(1, sum(lens))}


def score_lines(samples: Sequence[LineSample], predictions: Sequence[str], charset: Charset,
                worst: int = 20) -> dict:
    """Scores of one evaluation set.

    Args:
        samples: the set's lines (labels, languages, ids).
        predictions: one prediction per sample, same order.
        charset: the model's charset (for the unseen-character count).
        worst: how many of the worst lines (highest NED) to list.

    Returns:
        {"lines", "ned" (mean line NED), "cer" (total edits / total label characters), "per_lang": {lang:
        {lines, ned, cer}}, "unseen_chars": {"distinct", "occurrences", "top": [[char, count], ...]},
        "worst": [{"id", "lang", "ned", "label", "prediction"}]}.
    """
    per: dict[str, tuple[list, list, list]] = {}
    rows = []
    for s, p in zip(samples, predictions):
        dist, n_label, n_pred = edit_counts(s.label, p, s.lang)
        ned = dist / max(n_label, n_pred) if max(n_label, n_pred) else 0.0
        g = per.setdefault(s.lang, ([], [], []))
        g[0].append(ned)
        g[1].append(dist)
        g[2].append(n_label)
        rows.append({"id": s.page_id, "lang": s.lang, "ned": round(ned, 4), "label": s.label, "prediction": p})
    all_neds = [n for g in per.values() for n in g[0]]
    unseen = charset.unseen(s.label for s in samples)
    out = _group(all_neds, [d for g in per.values() for d in g[1]], [n for g in per.values() for n in g[2]])
    out["per_lang"] = {lang: _group(*g) for lang, g in sorted(per.items())}
    out["unseen_chars"] = {"distinct": len(unseen), "occurrences": sum(unseen.values()),
                           "top": [[c, n] for c, n in unseen.most_common(20)]}
    out["worst"] = sorted(rows, key=lambda r: -r["ned"])[:worst]
    return out
