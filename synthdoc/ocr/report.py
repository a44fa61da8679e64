"""Aggregate per-line scores into the validation report (``validation.json``) and its Markdown table.

Per group (language x layout x augmentation preset, and per language): number of lines, mean NED, p90 NED
(``numpy.percentile`` with linear interpolation, the 90th percentile of the per-line NEDs) and CER = total
edit distance / total label length (characters after normalisation, as in the ICDAR robust-reading tables).
"""
from __future__ import annotations

from array import array
from collections import Counter
from dataclasses import dataclass, field

import numpy as np


@dataclass
class GroupStats:
    """Running per-line scores of one group.

    Attributes:
        ned: per-line NED values.
        distance: summed edit distances.
        label_chars: summed normalised label lengths.
        engines: engine name -> lines it read.
    """

    ned: array = field(default_factory=lambda: array("d"))
    distance: int = 0
    label_chars: int = 0
    engines: Counter = field(default_factory=Counter)

    def add(self, ned: float, distance: int, label_chars: int, engine: str) -> None:
        self.ned.append(ned)
        self.distance += distance
        self.label_chars += label_chars
        self.engines[engine] += 1

    def summary(self) -> dict:
        """{"lines", "mean_ned", "p90_ned", "cer", "engines"} (None for the NED figures of an empty group)."""
        values = np.frombuffer(self.ned, dtype=np.float64) if len(self.ned) else np.zeros(0)
        return {
            "lines": int(len(values)),
            "mean_ned": float(values.mean()) if len(values) else None,
            "p90_ned": float(np.percentile(values, 90)) if len(values) else None,
            "cer": self.distance / self.label_chars if self.label_chars else None,
            "engines": dict(sorted(self.engines.items())),
        }


def _fmt(x: float | None, digits: int = 4) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def markdown(report: dict) -> str:
    """The report as Markdown: run summary, NED per language and per language x layout x preset, detection
    (when run), the worst lines with links to their crops, filtering (when run)."""
    t = report["throughput"]
    out = [f"# Validation of `{report['dataset']}`", "",
           f"Engine `{report['engine']}` on {report['device']}; {report['pages']} pages, {report['lines']} lines "
           f"scored in {t['wall_s']:.1f} s ({t['lines_per_s']:.1f} lines/s; recognition alone "
           f"{t['recognition_lines_per_s']:.1f} lines/s).", "",
           f"NED = edit distance / max(len(label), len(prediction)) after {report['normalisation']}; "
           "0 = exact. CER = total edit distance / total label characters.", ""]
    skipped = report.get("lines_unsupported") or {}
    if skipped:
        out += ["Lines no engine reads (not scored): "
                + ", ".join(f"{k} {v}" for k, v in sorted(skipped.items())), ""]
    out += ["## Per language", "", "| language | lines | mean NED | p90 NED | CER | engines |", "|---|---|---|---|---|---|"]
    for g in report["languages"]:
        out.append(f"| {g['lang']} | {g['lines']} | {_fmt(g['mean_ned'])} | {_fmt(g['p90_ned'])} | {_fmt(g['cer'])} | "
                   + ", ".join(f"{k} {v}" for k, v in g["engines"].items()) + " |")
    out += ["", "## Per language x layout x augmentation preset", "",
            "| language | layout | preset | lines | mean NED | p90 NED | CER |", "|---|---|---|---|---|---|---|"]
    for g in report["groups"]:
        out.append(f"| {g['lang']} | {g['layout']} | {g['preset']} | {g['lines']} | {_fmt(g['mean_ned'])} | "
                   f"{_fmt(g['p90_ned'])} | {_fmt(g['cer'])} |")
    det = report.get("detection")
    if det:
        out += ["", f"## Detection (PP-OCRv6 detector, IoU >= {det['iou_min']})", "",
                "| language | layout | pages | GT lines | detections | GT lines matched | detections matching no line "
                "| detections outside labels |", "|---|---|---|---|---|---|---|---|"]
        for g in det["groups"]:
            out.append(f"| {g['lang']} | {g['layout']} | {g['pages']} | {g['gt_lines']} | {g['detections']} | "
                       f"{_fmt(g['gt_matched_frac'], 3)} | {_fmt(g['det_unmatched_frac'], 3)} | "
                       f"{_fmt(g['det_unlabelled_frac'], 3)} |")
    out += ["", f"## Worst {len(report['worst'])} lines", "", "| NED | row | line | label | prediction | crop |",
            "|---|---|---|---|---|---|"]
    for w in report["worst"]:
        label, pred = (s.replace("|", "\\|") for s in (w["label"], w["prediction"]))
        out.append(f"| {w['ned']:.3f} | {w['id']} | {w['line']} | {label} | {pred} | ![]({w['crop']}) |")
    flt = report.get("filter")
    if flt:
        out += ["", "## Filter", "", f"Rows with mean line NED > {flt['max_ned']}: {flt['dropped']} dropped, "
                f"{flt['kept']} kept (keep-list `{flt['keep_list']}`)"
                + (f"; filtered copy in `{flt['out']}`." if flt.get("out") else ".")]
    return "\n".join(out) + "\n"
