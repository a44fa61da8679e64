"""Build the bundled LibreOffice Help corpora: prose of the LibreOffice Help pages per language.

Source: the Debian packages ``libreoffice-help-<locale>`` (the LibreOffice Help, by The Document Foundation and
the LibreOffice contributors, MPL-2.0), whose HTML pages lie under ``usr/share/libreoffice/help/<locale>/text/``.
They fill the languages The Debian Administrator's Handbook translates only in part or not at all
(scripts/build_handbook_corpus.py: Korean has 59 handbook paragraphs, Hindi and Greek next to none). Output:
``synthdoc/text/samples/lohelp/<code>.txt`` in the bundled sample format (a title line, its paragraphs one per
line, a blank line between documents) and a NOTICE file with the attribution, the licence and the package
versions.

Extraction (lxml.html; pages in path order, which keeps each module's pages together):

- a document is one section: a heading (``h1``-``h3``) and the prose paragraphs (``p.paragraph``, notes
  included) up to the next heading;
- left out: the "to use this command" boxes (``div.howtoget``: menu paths), tables, code listings (``pre``,
  Basic code), and pages of the Basic and math-syntax references (``text/sbasic``: mostly code; ``text/smath``);
- text is NFC-normalised and whitespace collapsed (:func:`synthdoc.text.clean.clean_paragraph`);
- at most :data:`MAX_PARAGRAPHS` paragraphs per language, in whole documents spread evenly (:func:`spread`).

Filters and documents: the handbook build's (:func:`build_handbook_corpus.documents` with this module's
:func:`page_blocks`: length, share of letters, share of the language's own script — the Help leaves many
paragraphs untranslated, in English —, code-like characters, exact duplicates across the language's pages, titles
that would not read as titles, whose paragraphs join the section before).

Usage::

    python scripts/build_lohelp_corpus.py                     # apt-get download libreoffice-help-<locale>
    python scripts/build_lohelp_corpus.py --source DIR         # a folder of those .deb files
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Iterator

import lxml.html

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_handbook_corpus import (  # noqa: E402  (scripts/build_handbook_corpus.py: the shared filters)
    ROOT,
    ParagraphFilter,
    documents,
    files_line,
    write_language,
)

from synthdoc.text.clean import clean_paragraph  # noqa: E402

OUT_DIR = ROOT / "synthdoc" / "text" / "samples" / "lohelp"
LOCALES = {
    "kor_Hang": "ko", "jpn_Jpan": "ja", "rus_Cyrl": "ru", "zho_Hans": "zh-CN", "zho_Hant": "zh-TW",
    "ell_Grek": "el", "hin_Deva": "hi", "vie_Latn": "vi",
}
"""synthdoc language code -> LibreOffice Help locale (its folder; the package is ``libreoffice-help-<lower case>``)."""
MAX_PARAGRAPHS = 4500
"""Paragraphs kept per language (whole documents spread evenly over the Help, :func:`spread`): with the handbook
and the hand-written samples, enough that a 10,000-page default run repeats a paragraph about 20 times at most
(benchmarks/corpus_repeats.py), without shipping the whole Help (Greek alone has ~14,000 paragraphs)."""
SKIP_MODULES = ("sbasic", "smath")  # Basic reference and formula syntax: code, not prose
_TITLES = frozenset({"h1", "h2", "h3"})
_SKIP_CLASSES = frozenset({"howtoget", "bascode", "code", "table", "example", "related", "relatedtopics"})


def _skipped(el: lxml.html.HtmlElement) -> bool:
    """Inside a table, a code block or a navigation box."""
    for a in (el, *el.iterancestors()):
        if a.tag in ("table", "pre", "code") or _SKIP_CLASSES & set((a.get("class") or "").split()):
            return True
    return False


def page_blocks(path: Path) -> Iterator[tuple[str, str]]:
    """("title", text) and ("para", text) of one Help page in document order (cleaned, unfiltered)."""
    root = lxml.html.fromstring(path.read_text(encoding="utf-8"))
    for el in root.iter("h1", "h2", "h3", "p"):
        if _skipped(el):
            continue
        text = clean_paragraph(" ".join("".join(el.itertext()).split()))
        if not text:
            continue
        if el.tag in _TITLES:
            yield "title", text
        elif "paragraph" in (el.get("class") or "").split() or el.getparent().get("class") == "notetext":
            yield "para", text


def help_pages(locale_dir: Path) -> list[Path]:
    """The prose pages of one locale, in path order."""
    text = locale_dir / "text"
    return [p for p in sorted(text.rglob("*.html")) if p.relative_to(text).parts[0] not in SKIP_MODULES]


def spread(docs: list[list[str]], max_paragraphs: int) -> list[list[str]]:
    """Whole documents, evenly spaced over `docs`, holding about `max_paragraphs` paragraphs (all when fewer):
    document i is kept when floor((i + 1) r) > floor(i r), r = max_paragraphs / paragraphs of `docs`."""
    total = sum(len(d) - 1 for d in docs)
    if total <= max_paragraphs:
        return docs
    r = max_paragraphs / total
    return [d for i, d in enumerate(docs) if int((i + 1) * r) > int(i * r)]


def unpack(source: str | None, code: str, workdir: Path) -> tuple[Path, str]:
    """Help folder of `code`'s locale and its package version, from ``apt-get download`` (source None) or the
    package's .deb in the folder `source`."""
    package = f"libreoffice-help-{LOCALES[code].lower()}"
    folder = Path(source) if source else workdir
    if source is None:
        subprocess.run(["apt-get", "download", package], cwd=workdir, check=True)
    deb = next(folder.glob(f"{package}_*.deb"))
    version = subprocess.run(["dpkg-deb", "--field", str(deb), "Version"], check=True, capture_output=True,
                             text=True).stdout.strip()
    root = workdir / f"root-{code}"
    subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
    return root / "usr/share/libreoffice/help" / LOCALES[code], version


NOTICE = """The files in this folder are prose extracted from the LibreOffice Help
by The Document Foundation and the LibreOffice contributors (https://help.libreoffice.org/),
taken from the Debian packages libreoffice-help-<locale>: {versions}.

This Source Code Form is subject to the terms of the Mozilla Public License, v. 2.0. If a copy
of the MPL was not distributed with this file, You can obtain one at https://mozilla.org/MPL/2.0/.
These files are the Source Code Form of the extracts; they remain under MPL-2.0.
Changes: section headings and prose paragraphs only (menu paths, tables, code and the Basic and
formula references removed), filtered per language and de-duplicated by scripts/build_lohelp_corpus.py.

Files (language code <- Help locale): {files}
"""


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", help="folder of libreoffice-help-<locale> .deb files (default: apt-get download)")
    ap.add_argument("--out", type=Path, default=OUT_DIR, help="output folder (default: %(default)s)")
    ap.add_argument("--languages", nargs="*", default=list(LOCALES), help="language codes (default: all covered)")
    ap.add_argument("--max-paragraphs", type=int, default=MAX_PARAGRAPHS, help="per language (default: %(default)s)")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    versions = {}
    with tempfile.TemporaryDirectory() as tmp:
        for code in args.languages:
            folder, versions[code] = unpack(args.source, code, Path(tmp))
            stats: dict[str, int] = {}
            docs = spread(documents(help_pages(folder), code, ParagraphFilter(), stats, blocks=page_blocks),
                          args.max_paragraphs)
            write_language(args.out, code, LOCALES[code], docs, stats)
    (args.out / "NOTICE").write_text(NOTICE.format(versions=", ".join(sorted(set(versions.values()))),
                                                   files=files_line(args.languages, LOCALES)), encoding="utf-8")


if __name__ == "__main__":
    main()
