"""What each Debian font package adds: families eligible per language (en, ru, ja, ko, zh-Hans, zh-Hant).

Font files are mapped to packages with ``dpkg-deb -c`` on downloaded .deb files (``apt-get download PKG``)
extracted under ``--root`` (``dpkg-deb -x PKG.deb ROOT``), or, without ``--debs``, with ``dpkg-query -L``
for installed packages. The catalogue is built over the system fonts plus ``--root``; a family is credited
to every package that ships one of its eligible faces, and "only here" counts the families no other
package (and no default font) provides. Used to choose scripts/fonts-extra.txt.

Writes ``benchmarks/results/fonts_packages.json``.

Usage::

    python benchmarks/fonts_packages.py --debs DIR --root DIR [--out PATH]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

LANGS = ("eng_Latn", "rus_Cyrl", "jpn_Jpan", "kor_Hang", "zho_Hans", "zho_Hant")


def files_of_debs(debs: Path, root: Path) -> dict[str, str]:
    """Real path of each extracted font file -> package name."""
    out = {}
    for deb in sorted(debs.glob("*.deb")):
        pkg = deb.name.split("_")[0]
        listing = subprocess.run(["dpkg-deb", "-c", str(deb)], capture_output=True, text=True, check=True).stdout
        for line in listing.splitlines():
            path = line.split()[5].lstrip(".")
            if path.lower().endswith((".ttf", ".otf", ".ttc", ".otc")):
                p = root / path.lstrip("/")
                if p.exists():
                    out[os.path.realpath(p)] = pkg
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--debs", required=True, type=Path)
    ap.add_argument("--root", required=True, type=Path)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "fonts_packages.json"))
    args = ap.parse_args()
    from synthdoc.fonts.catalogue import FontCatalogue
    from synthdoc.languages import LanguageRegistry, load_fonts_yaml

    pkg_of = files_of_debs(args.debs, args.root)
    cat = FontCatalogue([str(args.root / "usr/share/fonts")])
    reg = LanguageRegistry(load_fonts_yaml())
    report: dict[str, dict] = defaultdict(lambda: {c: {"families": 0, "only_here": 0} for c in LANGS})
    for code in LANGS:
        fams: dict[str, set] = defaultdict(set)  # family -> packages ("(default)" for others)
        for faces in cat.faces_for(reg.resolve(code)).values():
            for f in faces:
                fams[f.family].add(pkg_of.get(f.path, "(default or fontpkg)"))
        for pkgs in fams.values():
            for p in pkgs:
                report[p][code]["families"] += 1
                report[p][code]["only_here"] += len(pkgs) == 1
    rows = dict(sorted(report.items()))
    for p, r in rows.items():
        print(f"{p:32s} " + " ".join(f"{c[:3]}:{r[c]['families']:>3d}/{r[c]['only_here']:<3d}" for c in LANGS))
    Path(args.out).write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out} (families / only from this package)")


if __name__ == "__main__":
    main()
