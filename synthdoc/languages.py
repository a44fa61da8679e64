"""Language registry: canonical code, script, writing directions, word segmentation, aliases, fonts.

The registry is data: it is built from ``fonts.yaml`` (shipped) merged with the ``fonts:`` section of a
user config, so a language of an already supported script is added without code changes.
Canonical codes are mOSCAR / FLORES-200 ``language_Script`` codes (eng_Latn, jpn_Jpan, ...); aliases are
matched case-insensitively with ``_`` and ``-`` treated alike.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping


from synthdoc.config import read_yaml_mapping
from synthdoc.errors import SynthdocError
from synthdoc.names import is_safe_name
from synthdoc.resources import data_path

DIRECTIONS = ("ltr", "rtl", "ttb")
ROLES = ("serif", "sans", "mono", "bold", "handwriting", "display")
_SCRIPT_KEYS = {"hb_script", "directions", "space_delimited", "packages", "fonts", "fallback", "deny", "min_line_band_em"}
_LANG_KEYS = _SCRIPT_KEYS | {"name", "aliases", "script", "hb_language", "corpus"}


@dataclass(frozen=True)
class Language:
    """One language of the registry.

    Attributes:
        code: canonical ``language_Script`` code, e.g. "jpn_Jpan".
        name: English name.
        script: ISO 15924 script code of the code's suffix (Latn, Cyrl, Jpan, Hang, Hans, Hant, ...).
        hb_script: ISO 15924 tag given to HarfBuzz, or None to let HarfBuzz guess per run.
        hb_language: BCP 47 tag given to HarfBuzz (selects locl glyph variants).
        directions: writing directions supported, subset of ("ltr", "rtl", "ttb"); first is the default.
        space_delimited: words are separated by spaces (True) or not (CJK: False).
        aliases: accepted short names.
        fonts: role -> family names in preference order.
        packages: Debian packages providing the fonts.
        corpus: user corpus path from the config, or None for the bundled sample.
        fallback: families (preference order) that draw what the script's faces lack — Latin words, European
            digits and punctuation inside Arabic, Hebrew, Indic or Thai text (e.g. Noto Sans Hebrew has no
            digits and no full stop). Empty for scripts whose faces cover Latin.
        deny: family-name glob patterns never used for this language (fonts.yaml top-level ``deny`` plus the
            script's and language's own).
        min_line_band_em: least line band, em (fonts.yaml ``min_line_band_em``; 0: each face's own band; see
            :attr:`synthdoc.layout.typeset.TextStyle.band_px`).
    """

    code: str
    name: str
    script: str
    hb_script: str | None
    hb_language: str
    directions: tuple[str, ...]
    space_delimited: bool
    aliases: tuple[str, ...] = ()
    fonts: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    packages: tuple[str, ...] = ()
    corpus: str | None = None
    fallback: tuple[str, ...] = ()
    deny: tuple[str, ...] = ()
    min_line_band_em: float = 0.0

    @property
    def word_separator(self) -> str:
        """String joining words of a line: " " for space-delimited scripts, "" otherwise."""
        return " " if self.space_delimited else ""

    @property
    def base_direction(self) -> str:
        """Direction of horizontal paragraphs (the bidi paragraph level, UAX #9 HL1): "rtl" when the first
        listed direction is rtl, else "ltr"."""
        return "rtl" if self.directions[0] == "rtl" else "ltr"


_STR_LIST_KEYS = ("directions", "packages", "fallback", "aliases")
_STR_KEYS = ("name", "script", "hb_language")


def _check_definition(where: str, d: Any, valid: set[str]) -> None:
    """Types of one script or language definition of fonts.yaml (or a config's `fonts:` override).

    Raises:
        SynthdocError: not a mapping, an unknown key, or a value of the wrong type (one line naming the key).
    """
    if not isinstance(d, Mapping):
        raise SynthdocError(f"{where}: must be a mapping of keys ({', '.join(sorted(valid))}), got {type(d).__name__}")
    bad = set(d) - valid
    if bad:
        raise SynthdocError(f"{where}: unknown key {sorted(map(str, bad))[0]!r}; valid keys: {', '.join(sorted(valid))}")

    def str_list(v: Any) -> bool:
        return isinstance(v, (list, tuple)) and all(isinstance(x, str) and x for x in v)

    for key in _STR_LIST_KEYS:
        if d.get(key) is not None and not str_list(d[key]):
            raise SynthdocError(f"{where}: key {key!r} must be a list of names")
    for key in (*_STR_KEYS, "hb_script", "corpus"):
        if d.get(key) is not None and not (isinstance(d[key], str) and d[key]):
            raise SynthdocError(f"{where}: key {key!r} must be a non-empty string")
    if "space_delimited" in d and not isinstance(d["space_delimited"], bool):
        raise SynthdocError(f"{where}: key 'space_delimited' must be true or false")
    fonts = d.get("fonts")
    if fonts is not None and not (isinstance(fonts, Mapping) and all(str_list(v or []) for v in fonts.values())):
        raise SynthdocError(f"{where}: key 'fonts' must map roles ({', '.join(ROLES)}) to lists of family names")


def _norm(name: str) -> str:
    return name.strip().lower().replace("_", "-")


def deep_merge(base: dict, override: Mapping, extend: tuple[str, ...] = ()) -> dict:
    """Recursive dict merge (override wins); lists and scalars are replaced, not concatenated, except lists under
    the keys in `extend`, which are extended: the base's items first, then the override's not already there."""
    out = copy.deepcopy(base)
    for k, v in override.items():
        if k in extend and isinstance(v, list) and isinstance(out.get(k), list):
            out[k] = out[k] + [copy.deepcopy(p) for p in v if p not in out[k]]
        elif isinstance(v, Mapping) and isinstance(out.get(k), dict):
            out[k] = deep_merge(out[k], v, extend)
        else:
            out[k] = copy.deepcopy(v)
    return out


FONTS_EXTEND = ("deny",)
"""Keys whose lists a config's ``fonts:`` mapping (and a language over its script) extends instead of replacing:
a config can deny more families but never re-admits the symbol, dingbat, pixel or wrong-region faces fonts.yaml
denies (a dingbat face maps Latin letters to pictures: the page would show symbols where the label says
letters)."""


def load_fonts_yaml(path: Path | None = None, override: Mapping | None = None) -> dict:
    """Read the shipped ``fonts.yaml`` (or `path`) and merge `override` over it (:func:`deep_merge`; ``deny``
    lists are extended, :data:`FONTS_EXTEND`).

    Raises:
        SynthdocError: the file is unreadable or not a mapping with ``scripts`` and ``languages``.
    """
    p = Path(path) if path else data_path("fonts.yaml")
    data = read_yaml_mapping(p, "fonts", "check the path")
    if not isinstance(data.get("scripts"), dict) or not isinstance(data.get("languages"), dict):
        raise SynthdocError(f"{p}: fonts file needs mappings 'scripts' and 'languages'")
    if override:
        data = deep_merge(data, override, FONTS_EXTEND)
    return data


def _band_em(where: str, value: Any) -> float:
    """fonts.yaml ``min_line_band_em``: a number in [0, 4]."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 4:
        raise SynthdocError(f"{where}: min_line_band_em must be a number of em between 0 and 4, got {value!r}")
    return float(value)


class LanguageRegistry:
    """Languages by canonical code and alias, built from a fonts.yaml mapping."""

    def __init__(self, fonts_data: Mapping[str, Any]):
        self._langs: dict[str, Language] = {}
        self._lookup: dict[str, str] = {}
        self._deny = tuple(str(p) for p in fonts_data.get("deny") or ())  # family globs no language may use
        scripts = fonts_data.get("scripts", {})
        for key, sdef in scripts.items():
            _check_definition(f"fonts.yaml scripts.{key}", sdef or {}, _SCRIPT_KEYS)
        for code, ldef in fonts_data.get("languages", {}).items():
            self._add(code, ldef or {}, scripts)

    def _add(self, code: str, ldef: Mapping, scripts: Mapping) -> None:
        where = f"fonts.yaml languages.{code}"
        _check_definition(where, ldef, _LANG_KEYS)
        if not isinstance(code, str) or "_" not in code or not is_safe_name(code):
            raise SynthdocError(f"{where}: code must be language_Script of letters and digits, e.g. deu_Latn "
                                "(it names the dataset's config folder)")
        script = ldef.get("script", code.split("_", 1)[1])
        if script not in scripts:
            raise SynthdocError(f"{where}: script {script!r} is not defined under 'scripts'; add it or use one of {', '.join(scripts)}")
        merged = deep_merge(scripts[script] or {}, {k: v for k, v in ldef.items() if k != "fonts"}, FONTS_EXTEND)
        fonts = dict((scripts[script] or {}).get("fonts") or {})
        fonts.update(ldef.get("fonts") or {})
        for role in fonts:
            if role not in ROLES:
                raise SynthdocError(f"{where}: unknown font role {role!r}; valid roles: {', '.join(ROLES)}")
        directions = tuple(merged.get("directions") or ("ltr",))
        for d in directions:
            if d not in DIRECTIONS:
                raise SynthdocError(f"{where}: unknown direction {d!r}; use ltr, rtl or ttb")
        lang = Language(
            code=code,
            name=str(merged.get("name", code)),
            script=script,
            hb_script=merged.get("hb_script"),
            hb_language=str(merged.get("hb_language", code.split("_")[0])),
            directions=directions,
            space_delimited=bool(merged.get("space_delimited", True)),
            aliases=tuple(str(a) for a in merged.get("aliases") or ()),
            fonts={r: tuple(f) for r, f in fonts.items()},
            packages=tuple(merged.get("packages") or ()),
            corpus=merged.get("corpus"),
            fallback=tuple(str(f) for f in merged.get("fallback") or ()),
            deny=self._deny + tuple(str(p) for p in merged.get("deny") or ()),
            min_line_band_em=_band_em(where, merged.get("min_line_band_em", 0.0)),
        )
        self._langs[code] = lang
        for name in (code, *lang.aliases):
            taken = self._lookup.get(_norm(name))
            if taken is not None and taken != code:
                raise SynthdocError(f"{where}: alias {name!r} already names {taken}; remove it from one of the two "
                                    "languages")
            self._lookup[_norm(name)] = code

    def __iter__(self):
        return iter(self._langs.values())

    def __len__(self) -> int:
        return len(self._langs)

    def codes(self) -> list[str]:
        """Canonical codes, in fonts.yaml order."""
        return list(self._langs)

    def resolve(self, name: str) -> Language:
        """Language for a code or alias (case-insensitive, ``_`` or ``-``).

        Raises:
            SynthdocError: unknown language (the message lists the known codes).
        """
        code = self._lookup.get(_norm(name))
        if code is None:
            raise SynthdocError(
                f"unknown language {name!r}; use one of {', '.join(self._langs)} (or an alias), "
                "or add it to fonts.yaml under 'languages'"
            )
        return self._langs[code]
