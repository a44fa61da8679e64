"""Font catalogue: scans font folders, reads names and cmaps with fontTools, caches the index on disk.

The index is a JSON file keyed by each font file's path, size and mtime; a changed or new file is read
again, a removed one dropped. TrueType collections (.ttc/.otc) give one entry per face: all faces of a
Noto CJK collection share one cmap, so a language picks its JP / KR / SC / TC face by family name
(fonts.yaml), not by coverage.
"""
from __future__ import annotations

import json
import logging
import os
import unicodedata
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from synthdoc.errors import SynthdocError
from synthdoc.fonts.cmap import Cmap, decode_cmap, encode_cmap  # noqa: F401  (re-exported)
from synthdoc.fonts.faceinfo import FaceInfo, FallbackFaceInfo  # noqa: F401  (re-exported)
from synthdoc.languages import Language

if TYPE_CHECKING:
    from synthdoc.fonts.shapecheck import ShapeCheckStore

SYSTEM_FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts")
FONT_EXTENSIONS = (".ttf", ".otf", ".ttc", ".otc")
ENV_FONT_DIRS = "SYNTHDOC_FONT_DIRS"
ENV_CACHE_DIR = "SYNTHDOC_CACHE_DIR"
INDEX_VERSION = 6  # 2: faces whose glyphs draw no ink are left out; 4: role, weight, italic, fvar axes and named
# instances per face; 5: both; 6: cmaps as base64 range arrays (:func:`encode_cmap`: an index of 3,000 files loads
# in a tenth of the time)


def pick_fallback(face: FaceInfo, pool: Sequence[FaceInfo]) -> FaceInfo | None:
    """The face of `pool` (fallback families in preference order, upright faces) that suits `face`: same weight
    (bold or not), Regular/Bold style preferred, serif when `face`'s family name says Serif; None if `pool` is empty."""
    if not pool:
        return None
    serif = "serif" in face.family.lower()
    def rank(i_f):
        i, f = i_f
        return (f.bold != face.bold, ("serif" in f.family.lower()) != serif,
                f.style not in ("Regular", "Bold", "Book"), i)
    return min(enumerate(pool), key=rank)[1]


def font_dirs_from_env() -> list[str]:
    """User font folders from ``$SYNTHDOC_FONT_DIRS`` (os.pathsep-separated)."""
    raw = os.environ.get(ENV_FONT_DIRS, "")
    return [p for p in raw.split(os.pathsep) if p]


def default_cache_dir() -> Path:
    """``$SYNTHDOC_CACHE_DIR``, else ``$XDG_CACHE_HOME/synthdoc``, else ``~/.cache/synthdoc``."""
    if os.environ.get(ENV_CACHE_DIR):
        return Path(os.environ[ENV_CACHE_DIR])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "synthdoc"


INK_PROBE_GLYPHS = 24  # mapped characters whose outlines are measured per face


def draws_ink(font, cmap: dict[int, str]) -> bool:
    """Whether a face's glyphs have outlines: True when any of up to :data:`INK_PROBE_GLYPHS` mapped visible
    characters (evenly spread over the cmap; spaces, controls and format characters excluded) has a non-empty
    outline bounding box (fontTools ``BoundsPen``). A face whose ``glyf`` / ``CFF`` outlines are all empty but
    whose cmap is intact would render blank pages with full labels, so it is left out of the catalogue. A face
    fontTools cannot draw is kept (FreeType decides later, as before)."""
    from fontTools.pens.boundsPen import BoundsPen

    visible = [c for c in sorted(cmap) if unicodedata.category(chr(c))[0] not in "ZC"]
    if not visible:
        return False
    step = max(1, len(visible) // INK_PROBE_GLYPHS)
    try:
        glyphs = font.getGlyphSet()
        for c in visible[::step][:INK_PROBE_GLYPHS]:
            pen = BoundsPen(glyphs)
            glyphs[cmap[c]].draw(pen)
            if pen.bounds is not None:
                return True
    except Exception:  # noqa: BLE001 - outlines fontTools cannot draw: not evidence of an empty face
        return True
    return False


def _read_font_file(path: str) -> list[dict]:
    """Names and cmap of every face in a font file; [] when fontTools cannot read it."""
    from fontTools.ttLib import TTCollection, TTFont, TTLibError

    from synthdoc.fonts.roles import font_traits
    from synthdoc.fonts.variable import read_fvar

    logging.getLogger("fontTools").setLevel(logging.ERROR)  # odd-but-readable tables are not the user's concern

    try:
        if path.lower().endswith((".ttc", ".otc")):
            fonts = list(TTCollection(path, lazy=True).fonts)
        else:
            fonts = [TTFont(path, lazy=True)]
    except (TTLibError, OSError, AssertionError, ValueError, KeyError):
        return []
    faces = []
    for index, font in enumerate(fonts):
        try:
            name = font["name"]
            fam1 = name.getDebugName(1) or ""
            fam16 = name.getDebugName(16) or ""
            style = name.getDebugName(17) or name.getDebugName(2) or "Regular"
            cmap = font.getBestCmap() or {}
            traits = font_traits(font)
            axes, instances = read_fvar(font)
        except Exception:  # noqa: BLE001 - a broken font is skipped, never fatal
            continue
        names = tuple(dict.fromkeys(n for n in (fam16, fam1) if n))
        if not names or not cmap or not draws_ink(font, cmap):
            continue
        faces.append({"index": index, "family": names[0], "style": style, "names": list(names),
                      "cmap": encode_cmap(cmap), **traits, "axes": axes, "instances": instances})
    return faces


SCAN_IN_CHILDREN_MIN_FILES = 16  # from this many font files to read, read them in child processes


def read_font_files(paths: Sequence[str]) -> list[list[dict]]:
    """:func:`_read_font_file` of each path, in order. From :data:`SCAN_IN_CHILDREN_MIN_FILES` files on, the files
    are read by a pool of child processes (``spawn``: safe in a threaded parent), one per CPU up to 8: fontTools
    decompiles whole outline tables (a CJK collection's CFF: hundreds of MB), and memory a Python process frees
    stays mostly resident, so a scan in the run's own process left it at ~550 MB (1.6 GB peak) for the rest of
    the run; in children the parent keeps none of it, and the scan uses every core.

    Returns:
        one list of face dicts (the index entry's ``faces``) per path, ``[]`` for a file fontTools cannot read.

    Raises:
        concurrent.futures.process.BrokenProcessPool: a child process died while reading (killed, out of memory).
    """
    if len(paths) < SCAN_IN_CHILDREN_MIN_FILES:
        return [_read_font_file(p) for p in paths]
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    workers = max(1, min(8, os.cpu_count() or 1, len(paths)))
    # (no max_tasks_per_child: with it, Python 3.11's executor can hang once every worker has retired)
    with ProcessPoolExecutor(workers, mp_context=mp.get_context("spawn")) as pool:
        return list(pool.map(_read_font_file, paths, chunksize=4))


def _valid_entry(entry: object) -> bool:
    """Whether an index entry has the shape :meth:`FontCatalogue._scan` writes."""
    if not (isinstance(entry, dict) and isinstance(entry.get("size"), int) and isinstance(entry.get("mtime"), (int, float))
            and isinstance(entry.get("faces"), list)):
        return False
    return all(isinstance(f, dict) and isinstance(f.get("index"), int) and isinstance(f.get("family"), str)
               and isinstance(f.get("style"), str) and isinstance(f.get("names"), list)
               and isinstance(f.get("cmap"), str) for f in entry["faces"])


def faces_of_entry(path: str, f: dict) -> list[FaceInfo]:
    """FaceInfos of one index entry: the face itself, or for a variable font one per named instance (named
    instances count as faces; the default instance when the font names none)."""
    base = FaceInfo(path=path, index=f["index"], family=f["family"], style=f["style"], names=tuple(f["names"]),
                    cmap=decode_cmap(f["cmap"]), role=f.get("role", ""), weight=int(f.get("weight", 400)),
                    axes=tuple(tuple(a) for a in f.get("axes", ())))
    if not base.axes:
        return [base]
    instances = f.get("instances") or [[f["style"], {}]]
    out = []
    for label, values in instances:
        coords = tuple((t, float(values.get(t, d))) for t, _, d, _ in base.axes)
        weight = int(dict(coords).get("wght", base.weight))
        out.append(replace(base, style=label, coords=coords, weight=weight))
    return out


class FontCatalogue:
    """All faces found in the system font folders and installed fontpkg Google Fonts packages (optional) and
    user folders, with a disk cache. Google Fonts metadata (fontpkg ``metadata.json``, ``METADATA.pb`` under a
    user folder) sets the role and licence of its files' faces.

    Args:
        font_dirs: extra font folders (config key ``font_dirs``); ``$SYNTHDOC_FONT_DIRS`` is added.
        system_fonts: also scan :data:`SYSTEM_FONT_DIRS`.
        cache_dir: where ``fonts-index.json`` lives (default :func:`default_cache_dir`); None disables writing.

    Raises:
        SynthdocError: a user font folder does not exist.
    """

    def __init__(self, font_dirs: Sequence[str] = (), system_fonts: bool = True, cache_dir: Path | None | str = "default"):
        from synthdoc.fonts.googlefonts import apply_google_metadata, fontpkg_families, metadata_pb_families

        dirs = [os.path.expanduser(d) for d in (*font_dirs, *font_dirs_from_env())]
        for d in dirs:
            if not os.path.isdir(d):
                raise SynthdocError(f"font folder {d!r} does not exist; fix font_dirs / ${ENV_FONT_DIRS}")
        google = metadata_pb_families(dirs)  # google/fonts checkouts among the user folders
        if system_fonts:
            dirs += [os.path.expanduser(d) for d in SYSTEM_FONT_DIRS]
            packaged = fontpkg_families()  # pip-installed fontpkg-* Google Fonts families
            google += packaged
            dirs += sorted({os.path.dirname(f) for g in packaged for f in g.files})
        self.dirs = dirs
        self.cache_path = (default_cache_dir() if cache_dir == "default" else (Path(cache_dir) if cache_dir else None))
        self.faces: list[FaceInfo] = apply_google_metadata(self._scan(), google)
        self._pools: dict[str, dict[str, list[FaceInfo]]] = {}
        self._shape_store = None  # ShapeCheckStore, made by the first faces_for
        self._by_name: dict[str, list[FaceInfo]] = {}
        for f in self.faces:
            for n in f.names:
                self._by_name.setdefault(n.lower(), []).append(f)

    def _font_files(self) -> list[str]:
        """Real paths of the font files under :attr:`dirs` (links followed, dangling ones skipped), sorted. Each
        folder is resolved once and only linked files one by one (a realpath per file: 0.06 CPU s of every
        start-up with the ~3,400 extra files, now 0.02)."""
        files = set()
        for d in self.dirs:
            if not os.path.isdir(d):
                continue
            for root, _, names in os.walk(d, followlinks=True):
                real_root = os.path.realpath(root)
                for n in names:
                    if not n.lower().endswith(FONT_EXTENSIONS):
                        continue
                    path = os.path.join(real_root, n)
                    if os.path.islink(path):
                        path = os.path.realpath(path)
                    if os.path.isfile(path):  # skips dangling links
                        files.add(path)
        return sorted(files)

    def _load_index(self) -> dict:
        if self.cache_path is None:
            return {}
        p = self.cache_path / "fonts-index.json"
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        files = data.get("files") if isinstance(data, dict) and data.get("version") == INDEX_VERSION else None
        if not isinstance(files, dict) or not all(_valid_entry(e) for e in files.values()):
            return {}  # another version or a damaged index: every file is read again and the index rewritten
        return files

    def _save_index(self, files: dict) -> None:
        if self.cache_path is None:
            return
        try:
            self.cache_path.mkdir(parents=True, exist_ok=True)
            tmp = self.cache_path / f"fonts-index.json.{os.getpid()}.tmp"
            tmp.write_text(json.dumps({"version": INDEX_VERSION, "files": files}), encoding="utf-8")
            os.replace(tmp, self.cache_path / "fonts-index.json")
        except OSError:
            pass  # a read-only cache folder only costs speed

    def _scan(self) -> list[FaceInfo]:
        cached = self._load_index()
        files: dict = {}
        changed = False
        for path in self._font_files():
            try:
                st = os.stat(path)
            except OSError:  # removed or unreadable since the folder was listed
                continue
            entry = cached.get(path)
            if entry is None or entry["size"] != st.st_size or entry["mtime"] != st.st_mtime:
                entry = {"size": st.st_size, "mtime": st.st_mtime, "faces": None}  # read below
                changed = True
            files[path] = entry
        todo = [p for p, e in files.items() if e["faces"] is None]
        for path, faces in zip(todo, read_font_files(todo)):
            files[path]["faces"] = faces
        # The index is shared by catalogues of different folders: merge, keeping other folders' entries
        # whose files still exist.
        stale = [p for p in cached if p not in files and not os.path.exists(p)]
        if changed or stale:
            merged = {p: e for p, e in cached.items() if p not in stale}
            merged.update(files)
            self._save_index(merged)
        self._stamps = {path: (entry["size"], entry["mtime"]) for path, entry in files.items()}
        return [face for path, entry in files.items() for face in self._entry_faces(path, entry)]

    def _entry_faces(self, path: str, entry: dict) -> list[FaceInfo]:
        """FaceInfos of an index entry; a damaged cached cmap (not :func:`encode_cmap` output) means the file is
        read again (the index is rewritten by the next scan that changes anything)."""
        try:
            return [face for f in entry["faces"] for face in faces_of_entry(path, f)]
        except (ValueError, TypeError):
            entry["faces"] = _read_font_file(path)
            return [face for f in entry["faces"] for face in faces_of_entry(path, f)]

    def _shape_checks(self) -> ShapeCheckStore:
        """The :class:`synthdoc.fonts.shapecheck.ShapeCheckStore` of this catalogue (``shapecheck.json`` in the
        cache folder, stamped with the index's file sizes and mtimes)."""
        from synthdoc.fonts.shapecheck import ShapeCheckStore

        if self._shape_store is None:
            path = self.cache_path / "shapecheck.json" if self.cache_path is not None else None
            self._shape_store = ShapeCheckStore(path, self._stamps)
        return self._shape_store

    def family(self, name: str) -> list[FaceInfo]:
        """Installed faces of a family (all styles), sorted by style then path."""
        return sorted(self._by_name.get(name.lower(), []), key=lambda f: (f.style, f.path, f.index))

    def faces_for(self, lang: Language) -> dict[str, list[FaceInfo]]:
        """Role -> installed faces eligible for `lang` (:func:`synthdoc.fonts.pool.build_pool`): every face
        whose cmap covers the language and that shapes well, whether or not fonts.yaml lists its family;
        fonts.yaml gives roles, the fallback families and the ``deny`` list.

        Upright faces are grouped under their role (serif, sans, mono, display, handwriting), bold ones under
        "bold", italic ones under "italic". Faces of a script with fonts.yaml ``fallback`` families are paired
        with the fallback face that draws what they lack (:class:`FallbackFaceInfo`).

        Raises:
            SynthdocError: no installed face covers the language (the message names the Debian package).
        """
        from synthdoc.fonts.pool import build_pool

        key = repr(lang)  # the whole definition: two registries may define a code differently
        if key not in self._pools:
            store = self._shape_checks()
            self._pools[key] = build_pool(self.faces, lang, store.shapes_well)
            store.save()
        out = dict(self._pools[key])
        if lang.fallback:  # pair every face with the fallback face that draws what it lacks
            pool = [f for fam in lang.fallback for f in self.family(fam) if not f.italic]
            if pool:
                out = {r: [FallbackFaceInfo(**{k: getattr(f, k) for k in f.__dataclass_fields__ if k != "fallback"},
                                            fallback=pick_fallback(f, pool)) for f in faces]
                       for r, faces in out.items()}
        if not any(v for r, v in out.items() if r not in ("bold", "italic")):
            listed = ", ".join(f for fams in lang.fonts.values() for f in fams) or "none listed"
            pkgs = " ".join(lang.packages) or "a font package covering the script"
            raise SynthdocError(
                f"no installed font for {lang.code} (families: {listed}); install it with "
                f"`apt-get install {pkgs}` or add a font folder with --font-dir / ${ENV_FONT_DIRS}"
            )
        return out
