"""Google Fonts families: ``fontpkg-<slug>`` packages (PyPI) and a google/fonts checkout.

* fontpkg packages are found through the ``fontpkg.family`` entry point group (importlib.metadata; no scanning
  of site-packages by hand). Each entry point names a module with ``ROOT`` (its folder) next to a
  ``metadata.json``: family, category (SERIF, SANS_SERIF, DISPLAY, HANDWRITING, MONOSPACE), subsets, variable
  axes with ranges, files, licence and source commit.
* A google/fonts checkout (or any folder) passed with ``--font-dir`` holds ``<licence>/<family>/METADATA.pb``
  files in protobuf text format; they are parsed with protobuf's ``text_format`` against a minimal
  ``FamilyProto`` schema built here (field names as in google/fonts' fonts_public.proto; unknown fields
  are skipped).

Both give, per font file, the family's role (from its category) and licence, which override the
classification from the font's own data.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from synthdoc.fonts.roles import role_from_category

ENTRY_POINT_GROUP = "fontpkg.family"


@dataclass(frozen=True)
class GoogleFamily:
    """One Google Fonts family.

    Attributes:
        family: family name; role: role from the first category (None if unknown); category: categories.
        subsets: Google Fonts subsets ("latin", "cyrillic", ...); axes: ((tag, min, max), ...).
        files: absolute font file paths; license: licence ("OFL-1.1", "OFL", "APACHE2", ...);
        source: where the metadata came from (distribution name or METADATA.pb path).
    """

    family: str
    role: str | None
    category: tuple[str, ...]
    subsets: tuple[str, ...]
    axes: tuple[tuple[str, float, float], ...]
    files: tuple[str, ...]
    license: str
    source: str


def _as_list(v) -> list:
    return list(v) if isinstance(v, (list, tuple)) else ([v] if v else [])


def read_fontpkg_metadata(root: Path, source: str) -> GoogleFamily:
    """GoogleFamily from ``root/metadata.json`` of a fontpkg package.

    Raises:
        OSError, ValueError, KeyError: the file is missing or malformed.
    """
    meta = json.loads((root / "metadata.json").read_text(encoding="utf-8"))
    category = tuple(str(c) for c in _as_list(meta.get("category")))
    axes = tuple((str(a["tag"]), float(a["min"]), float(a["max"])) for a in meta.get("axes") or ())
    files = tuple(os.path.realpath(root / f["path"]) for f in meta.get("files") or ())
    return GoogleFamily(family=str(meta["family"]), role=role_from_category(category[0] if category else None),
                        category=category, subsets=tuple(meta.get("subsets") or ()), axes=axes, files=files,
                        license=str(meta.get("license", "")), source=source)


def fontpkg_families() -> list[GoogleFamily]:
    """Installed fontpkg families (entry point group ``fontpkg.family``), sorted by family; a package whose
    module or metadata cannot be read is skipped. Read once per process (the catalogue and the dataset card both
    ask; ~0.07 CPU s for ~200 packages)."""
    return list(_fontpkg_families())


@lru_cache(maxsize=1)
def _fontpkg_families() -> tuple[GoogleFamily, ...]:
    from importlib.metadata import entry_points

    out = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            module = ep.load()
            root = Path(getattr(module, "ROOT", None) or Path(module.__file__).parent)
            out.append(read_fontpkg_metadata(root, ep.dist.name if ep.dist else ep.value))
        except (ImportError, AttributeError, OSError, ValueError, KeyError, TypeError):
            continue
    return tuple(sorted(out, key=lambda g: g.family))


@lru_cache(maxsize=1)
def _family_proto_class():
    """A protobuf message class for the FamilyProto fields synthdoc reads (built at run time)."""
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

    F = descriptor_pb2.FieldDescriptorProto
    fdp = descriptor_pb2.FileDescriptorProto(name="synthdoc_gf_metadata.proto", package="synthdoc_gf")

    def message(name, fields):
        m = fdp.message_type.add(name=name)
        for i, (fname, ftype, label, tname) in enumerate(fields, start=1):
            m.field.add(name=fname, number=i, type=ftype, label=label, type_name=tname or None)

    S, OPT, REP = F.TYPE_STRING, F.LABEL_OPTIONAL, F.LABEL_REPEATED
    message("FontProto", [("name", S, OPT, ""), ("style", S, OPT, ""), ("weight", F.TYPE_INT32, OPT, ""),
                          ("filename", S, OPT, ""), ("post_script_name", S, OPT, ""), ("full_name", S, OPT, ""),
                          ("copyright", S, OPT, "")])
    message("AxisSegmentProto", [("tag", S, OPT, ""), ("min_value", F.TYPE_FLOAT, OPT, ""),
                                 ("max_value", F.TYPE_FLOAT, OPT, "")])
    message("FamilyProto", [("name", S, OPT, ""), ("designer", S, OPT, ""), ("license", S, OPT, ""),
                            ("category", S, REP, ""), ("date_added", S, OPT, ""),
                            ("fonts", F.TYPE_MESSAGE, REP, ".synthdoc_gf.FontProto"), ("subsets", S, REP, ""),
                            ("axes", F.TYPE_MESSAGE, REP, ".synthdoc_gf.AxisSegmentProto"),
                            ("languages", S, REP, "")])
    pool = descriptor_pool.DescriptorPool()
    pool.Add(fdp)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("synthdoc_gf.FamilyProto"))


def read_metadata_pb(path: str | Path) -> GoogleFamily:
    """GoogleFamily from a google/fonts ``METADATA.pb`` (protobuf text format); font files are resolved next to it.

    Raises:
        OSError: unreadable file; google.protobuf.text_format.ParseError: not valid text format.
    """
    from google.protobuf import text_format

    path = Path(path)
    msg = text_format.Parse(path.read_text(encoding="utf-8"), _family_proto_class()(), allow_unknown_field=True)
    category = tuple(msg.category)
    files = tuple(os.path.realpath(path.parent / f.filename) for f in msg.fonts if f.filename)
    axes = tuple((a.tag, float(a.min_value), float(a.max_value)) for a in msg.axes)
    return GoogleFamily(family=msg.name, role=role_from_category(category[0] if category else None),
                        category=category, subsets=tuple(msg.subsets), axes=axes, files=files,
                        license=msg.license, source=str(path))


def metadata_pb_families(dirs: list[str]) -> list[GoogleFamily]:
    """Families of every ``METADATA.pb`` under `dirs` (a google/fonts checkout has ofl/, apache/, ufl/); files
    that fail to parse are skipped."""
    from google.protobuf import text_format

    out = []
    for d in dirs:
        for root, _, names in os.walk(d, followlinks=True):
            if "METADATA.pb" in names:
                try:
                    out.append(read_metadata_pb(Path(root) / "METADATA.pb"))
                except (OSError, UnicodeDecodeError, text_format.ParseError):
                    continue
    return out


def metadata_by_file(families: list[GoogleFamily]) -> dict[str, GoogleFamily]:
    """Real font file path -> its GoogleFamily."""
    return {f: g for g in families for f in g.files}


def apply_google_metadata(faces: list, families: list[GoogleFamily]) -> list:
    """`faces` (FaceInfo) with role and licence taken from the Google Fonts family of their file, where known."""
    from dataclasses import replace

    by_file = metadata_by_file(families)
    return [replace(f, role=by_file[f.path].role or f.role, license=by_file[f.path].license) if f.path in by_file
            else f for f in faces]


@lru_cache(maxsize=1)
def _fontpkg_licenses() -> dict[str, str]:
    return {g.family: g.license for g in fontpkg_families()}


def license_of_family(family: str) -> str | None:
    """Licence of an installed fontpkg family (its metadata.json), or None."""
    return _fontpkg_licenses().get(family)
