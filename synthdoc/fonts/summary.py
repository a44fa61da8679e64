"""Per-language font pool summary for ``synthdoc fonts --summary`` / ``--json``: families and faces by role,
static vs variable."""
from __future__ import annotations

from synthdoc.errors import SynthdocError
from synthdoc.fonts.catalogue import FontCatalogue
from synthdoc.languages import Language

SUMMARY_ROLES = ("serif", "sans", "mono", "display", "handwriting", "bold", "italic")


def language_summary(catalogue: FontCatalogue, lang: Language) -> dict:
    """Counts of `lang`'s pool.

    Returns:
        {"code", "name", "families": int, "faces": int, "variable_families": int, "static_families": int,
        "roles": {role: {"families": int, "faces": int}}, "error": str | None (no covering face)}.
        A family counts under every role it has faces in; "families" counts each family once.
    """
    out = {"code": lang.code, "name": lang.name, "families": 0, "faces": 0, "variable_families": 0,
           "static_families": 0, "roles": {}, "error": None}
    try:
        pool = catalogue.faces_for(lang)
    except SynthdocError as e:
        out["error"] = str(e)
        return out
    faces = [f for v in pool.values() for f in v]
    variable = {f.family for f in faces if f.axes}
    families = {f.family for f in faces}
    out.update(families=len(families), faces=len({f.key for f in faces}), variable_families=len(variable),
               static_families=len(families - variable))
    out["roles"] = {r: {"families": len({f.family for f in pool[r]}), "faces": len(pool[r])}
                    for r in SUMMARY_ROLES if pool.get(r)}
    return out


def format_summary(rows: list[dict]) -> str:
    """A plain-text table of :func:`language_summary` rows, one line per language."""
    head = f"{'language':10s} {'families':>8s} {'faces':>6s} {'static':>6s} {'variable':>8s}  " + " ".join(
        f"{r:>11s}" for r in SUMMARY_ROLES)
    lines = [head, "(role columns: families/faces)"]
    for r in rows:
        if r["error"]:
            lines.append(f"{r['code']:10s} none: {r['error']}")
            continue
        roles = " ".join(f"{str(r['roles'].get(k, {}).get('families', 0)) + '/' + str(r['roles'].get(k, {}).get('faces', 0)):>11s}"
                         for k in SUMMARY_ROLES)
        lines.append(f"{r['code']:10s} {r['families']:8d} {r['faces']:6d} {r['static_families']:6d} "
                     f"{r['variable_families']:8d}  {roles}")
    return "\n".join(lines)
