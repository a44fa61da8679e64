"""Catching faces that shape badly before they set text: a per-script test string is shaped with HarfBuzz and
the face is rejected when any glyph is .notdef (glyph id 0: a cmap entry or a GSUB substitution that leads
nowhere) or a cluster that starts with a base character has a zero total advance while that character's own
(cmap) glyph does not advance either (a broken hmtx, e.g. a "Latin" face whose letters are empty placeholders).
A zero-advance contextual form is a designed ligature component (Noto Naskh Arabic draws lam-alef as a wide lam
plus a zero-advance alef) and passes. Marks (Unicode Mn/Me) and format characters may have zero advance.

Results are memoised per (face key, script, language) in the process and, through :class:`ShapeCheckStore`, on
disk next to the font index.
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path

# per-script test strings: letters, marks and ligating pairs a document in the script uses
TEST_STRINGS: dict[str, str] = {
    "Latn": "Hamburgefonstiv THE QUICK 0123456789 fi ffl",
    "Cyrl": "Съешь же ещё этих мягких булок 0123",
    "Grek": "Ελληνικά γράμματα άέήίόύώ ϊΐΰ Ἀρχὴ ἥμισυ",  # polytonic too: the corpora carry it
    "Arab": "العربية لغة جميلة لا إله",
    "Hebr": "עברית שָׁלוֹם",
    "Deva": "हिन्दी क्षत्रिय द्वारा",
    "Beng": "বাংলা ভাষা ক্ষ",
    "Taml": "தமிழ் மொழி க்ஷ",
    "Thai": "ภาษาไทย ที่นี่ น้ำ",
    "Jpan": "日本語のテキスト、カタカナ。",
    "Hang": "한국어 텍스트 가나다",
    "Hans": "简体中文文本，测试。",
    "Hant": "繁體中文文本，測試。",
}


def bad_glyphs(path: str, index: int, coords: tuple, text: str, script: str | None, language: str) -> list[str]:
    """Characters of `text` that shape to .notdef or to a zero-advance base glyph in the face.

    Args:
        path, index: font file and face index.
        coords: variable-font coordinates ((tag, value), ...), or ().
        text: test string; script: ISO 15924 tag or None (guess); language: BCP 47 tag.

    Returns:
        the offending characters (empty when the face shapes `text` well).
    """
    import uharfbuzz as hb

    font = hb.Font(hb.Face(hb.Blob.from_file_path(path), index))
    if coords:
        font.set_variations(dict(coords))
    buf = hb.Buffer()
    buf.add_str(text)
    buf.guess_segment_properties()
    if script:
        buf.script = script
    buf.language = language
    hb.shape(font, buf, {})
    bad, advance = [], {}
    for info, pos in zip(buf.glyph_infos, buf.glyph_positions):
        ch = text[info.cluster]
        if info.codepoint == 0 and not ch.isspace():
            bad.append(ch)
        advance[info.cluster] = advance.get(info.cluster, 0) + abs(pos.x_advance) + abs(pos.y_advance)
    for cluster, adv in advance.items():  # a cluster (base + its marks) must advance unless it is all marks
        ch = text[cluster]
        if adv == 0 and not ch.isspace() and unicodedata.category(ch) not in ("Mn", "Me", "Cf") \
                and not _advances_alone(font, ch):
            bad.append(ch)
    return bad


def _advances_alone(font, ch: str) -> bool:
    """True when the character's own (cmap) glyph advances: a zero advance in context then comes from a
    designed contextual form (Noto Naskh Arabic draws lam-alef as a wide lam plus a zero-advance alef)."""
    gid = font.get_nominal_glyph(ord(ch))
    return bool(gid) and font.get_glyph_h_advance(gid) != 0


@lru_cache(maxsize=4096)
def shapes_well(path: str, index: int, coords: tuple, script: str, hb_script: str | None, language: str) -> bool:
    """True when the face shapes :data:`TEST_STRINGS` [script] (or the Latin string for an unknown script)
    without .notdef or zero-advance base glyphs; False also when HarfBuzz cannot open the face."""
    text = TEST_STRINGS.get(script, TEST_STRINGS["Latn"])
    try:
        return not bad_glyphs(path, index, coords, text, hb_script, language)
    except Exception:  # noqa: BLE001 - a face HarfBuzz cannot read is excluded, never fatal
        return False


SHAPECHECK_VERSION = 1  # bump when bad_glyphs decides differently: every stored result is then recomputed


class ShapeCheckStore:
    """:func:`shapes_well` results kept on disk (``shapecheck.json`` next to the font index), so that start-up
    does not shape the test string with every covering face again: with the extra fonts ~2,800 faces cover
    English, ~1 CPU s of HarfBuzz per process. Results are stored per font file with the file's size and mtime
    (a changed file is checked again) and keyed by face index, variable-font coordinates, script, HarfBuzz
    script, language and the test string's CRC-32; another :data:`SHAPECHECK_VERSION`, a missing or unreadable
    file only costs the checks.

    Args:
        path: the JSON file (``pathlib.Path``); None keeps results in this process only.
        stamps: font file path -> (size, mtime) as the catalogue's index recorded them.
    """

    def __init__(self, path: Path | None, stamps: dict[str, tuple[int, float]]):
        self.path = path
        self.stamps = stamps
        self.files: dict[str, dict] = self._load()
        self.added = 0

    def _load(self) -> dict[str, dict]:
        import json

        if self.path is None:
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        files = data.get("files") if isinstance(data, dict) and data.get("version") == SHAPECHECK_VERSION else None
        if not isinstance(files, dict) or not all(
                isinstance(e, dict) and isinstance(e.get("stamp"), list) and isinstance(e.get("checks"), dict)
                for e in files.values()):
            return {}
        return files

    def shapes_well(self, path: str, index: int, coords: tuple, script: str, hb_script: str | None,
                    language: str) -> bool:
        """:func:`shapes_well`, from the store when it holds the result for the file as it is now."""
        import zlib

        stamp = list(self.stamps.get(path, (-1, -1.0)))
        entry = self.files.get(path)
        if entry is None or entry["stamp"] != stamp:
            entry = self.files[path] = {"stamp": stamp, "checks": {}}
        text = TEST_STRINGS.get(script, TEST_STRINGS["Latn"])
        key = f"{index}@{coords!r}|{script}|{hb_script}|{language}|{zlib.crc32(text.encode('utf-8')):08x}"
        ok = entry["checks"].get(key)
        if not isinstance(ok, bool):
            ok = entry["checks"][key] = shapes_well(path, index, coords, script, hb_script, language)
            self.added += 1
        return ok

    def save(self) -> None:
        """Write the store if checks were added (atomically; files that no longer exist are dropped). A
        read-only cache folder only costs speed."""
        import json
        import os

        if self.path is None or not self.added:
            return
        keep = {p: e for p, e in self.files.items() if p in self.stamps or os.path.exists(p)}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps({"version": SHAPECHECK_VERSION, "files": keep}), encoding="utf-8")
            os.replace(tmp, self.path)
            self.added = 0
        except OSError:
            pass
