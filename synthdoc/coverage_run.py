"""Character coverage of a run: one :class:`~synthdoc.text.coverage.Schedule` per language and the per-page
sampler views the layout stage uses (the glue between :mod:`synthdoc.text.coverage`, the fonts and the pipeline).

Page `index` of a run with L languages is page ordinal ``index // L`` of language ``index % L``; the language has
``len(range(li, pages, L))`` pages, and ordinals past them (streaming beyond ``cfg.pages``) wrap around.
"""
from __future__ import annotations

from synthdoc.config import GenerateConfig
from synthdoc.fonts.catalogue import FaceInfo
from synthdoc.languages import Language
from synthdoc.text.coverage import Schedule, SteeredSampler, build_schedule, target_set
from synthdoc.text.sampler import TextSampler


def face_coverage(faces: dict[str, list[FaceInfo]]):
    """Whether at least one of a language's faces (any role) has a character in its cmap: ``covered(ch)``."""
    cmaps = [f.cmap for fs in faces.values() for f in fs]

    def covered(ch: str) -> bool:
        return any(ord(ch) in cmap for cmap in cmaps)
    return covered


def build_schedules(cfg: GenerateConfig, languages: list[Language], faces: dict[str, dict[str, list[FaceInfo]]],
                    samplers: dict[str, TextSampler]) -> dict[str, Schedule]:
    """Language code -> schedule of the run (empty when ``cfg.coverage`` is "none").

    Raises:
        SynthdocError: unknown set name or unreadable coverage file, a locale without exemplars.
    """
    if cfg.coverage == "none":
        return {}
    out = {}
    for li, lang in enumerate(languages):
        pages = max(1, len(range(li, cfg.pages, len(languages))))
        target = target_set(cfg.coverage, lang.hb_language)
        out[lang.code] = build_schedule(target, samplers[lang.code].flat_paragraphs, pages, cfg.coverage_min,
                                        cfg.seed, face_coverage(faces[lang.code]))
    return out


def list_separator(lang: Language) -> str:
    """Separator of a list of names in running text: the ideographic comma for Chinese and Japanese, else ", "."""
    return "、" if lang.script in ("Jpan", "Hans", "Hant") else ", "


def page_sampler(schedule: Schedule, base: TextSampler, ordinal: int, lang: Language) -> SteeredSampler:
    """The sampler view of page ordinal `ordinal` of the schedule's language (wrapping past its pages)."""
    j = ordinal % schedule.pages
    return SteeredSampler(base, schedule.words.get(j, []), schedule.starts.get(j), list_separator(lang))


def replay_sampler(base: TextSampler, record: dict) -> SteeredSampler:
    """The sampler view a page recorded in ``meta["coverage"]`` (:meth:`SteeredSampler.record`)."""
    return SteeredSampler(base, record.get("words") or [], record=record)
