"""Build the bundled handbook corpora: prose of The Debian Administrator's Handbook per language.

Source: the Debian package ``debian-handbook`` (The Debian Administrator's Handbook by Raphaël Hertzog and Roland
Mas, GPL-2.0+ or CC-BY-SA-3.0; we use it under CC-BY-SA-3.0), whose HTML holds the book and its translations under
``usr/share/doc/debian-handbook/html/<locale>/``. Output: ``synthdoc/text/samples/handbook/<code>.txt`` in the
bundled sample format (a title line, its paragraphs one per line, a blank line between documents) and a NOTICE
file with the attribution, the licence choice and the package version.

Extraction (lxml.html; pages in reading order, following each page's "next" link from ``index.html``):

- a document is one section: its heading (``h1``-``h5`` of class ``title``, numbering such as "6.2.1." or
  "Chapter 6." removed) and the prose paragraphs (``div.para``) up to the next heading; sidebar paragraphs
  (tips, notes) belong to the section around them, sidebar titles are dropped.
- prose only: the text of a ``div.para`` without its nested blocks (``pre`` screens and program listings, lists,
  tables, examples, figures) and footnote markers; paragraphs inside tables of contents, the index, footnotes,
  examples, figures, tables, navigation and the legal notice / copyright pages are dropped.
- text is NFC-normalised, whitespace collapsed (:func:`synthdoc.text.clean.clean_paragraph`); Arabic presentation
  forms become plain letters, and Persian gets its own yeh and keheh (:func:`normalise_letters`).

Filters (:class:`ParagraphFilter`, each paragraph on its own; the defaults are the shipped build):

- length: ``min_chars`` (``min_chars_cjk`` for ja/ko/zh) .. ``max_chars`` characters;
- letters: at least ``min_letter_frac`` of the non-space characters are letters (Unicode L*) or marks;
- own script: at least ``min_own_frac`` of the letters are of the language's script (ICU Script property;
  ja: Hiragana, Katakana, Han; ko: Hangul, Han); this drops the untranslated English paragraphs of the
  translated locales. Vietnamese shares Latin with English, so there the rule is the share of letters outside
  ASCII (tone and vowel marks): at least ``min_vie_marked_frac``;
- code-like characters (``/ \\ _ $ < > = { } [ ] | # ~ ^ ` * @ ;``, and a colon or full stop between two letters or
  digits as in ``host:port`` or ``sources.list``): at most ``max_code_frac`` of the characters (drops paragraphs
  full of paths, options and shell syntax), and none of ``$ @ { } < > = \\ | ~ ^ ` `` (:data:`HARD_CODE_CHARS`);
- exact duplicate paragraphs (per language) are dropped; a section left without a paragraph is dropped; a
  title that would not read as a title (longer than 80 characters, ending with sentence punctuation, see
  :func:`synthdoc.text.sampler.is_document_title`, a repeat of an earlier title, not mostly of the language's
  script by the rule above: an untranslated heading, or holding any code-like character: "X.509", "/etc") is dropped and its
  paragraphs join the section before it.

Usage::

    python scripts/build_handbook_corpus.py                      # apt-get download debian-handbook
    python scripts/build_handbook_corpus.py --source debian-handbook_11.20220922_all.deb
    python scripts/build_handbook_corpus.py --source /usr/share/doc/debian-handbook/html
"""
from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import icu
import lxml.html

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from synthdoc.text.clean import clean_paragraph  # noqa: E402
from synthdoc.text.sampler import is_document_title  # noqa: E402

PACKAGE = "debian-handbook"
OUT_DIR = ROOT / "synthdoc" / "text" / "samples" / "handbook"
HTML_SUBDIR = Path("usr/share/doc/debian-handbook/html")
LOCALES = {
    "eng_Latn": "en-US", "jpn_Jpan": "ja-JP", "kor_Hang": "ko-KR", "rus_Cyrl": "ru-RU", "zho_Hans": "zh-CN",
    "zho_Hant": "zh-TW", "arb_Arab": "ar-MA", "pes_Arab": "fa-IR", "ell_Grek": "el-GR", "vie_Latn": "vi-VN",
}
"""synthdoc language code -> handbook locale folder."""
OWN_SCRIPTS = {
    "eng_Latn": {"Latn"}, "vie_Latn": {"Latn"}, "jpn_Jpan": {"Hira", "Kana", "Hani"}, "kor_Hang": {"Hang", "Hani"},
    "rus_Cyrl": {"Cyrl"}, "zho_Hans": {"Hani"}, "zho_Hant": {"Hani"}, "arb_Arab": {"Arab"}, "pes_Arab": {"Arab"},
    "ell_Grek": {"Grek"}, "hin_Deva": {"Deva"},
}
"""ICU short script names that count as the language's own letters."""
CJK = frozenset({"jpn_Jpan", "kor_Hang", "zho_Hans", "zho_Hant"})
CODE_CHARS = frozenset("/\\_$<>={}[]|#~^`*@;")
HARD_CODE_CHARS = frozenset("$@{}<>=\\|~^`")
"""Code-like characters of which a paragraph may hold none (shell variables, e-mail addresses, markup, options)."""
_SKIP_ANCESTORS = frozenset({"toc", "index", "footnote", "footnotes", "legalnotice", "example", "figure", "table",
                             "informaltable", "navheader", "docnav", "navfooter", "author", "authorgroup",
                             "abstract", "calloutlist", "revhistory"})
_DROP_INSIDE = {"pre", "table", "ul", "ol", "dl", "sup"}
_DROP_INSIDE_CLASSES = frozenset({"itemizedlist", "orderedlist", "variablelist", "informalexample", "example",
                                  "figure", "table", "informaltable", "footnote", "programlisting", "screen",
                                  "mediaobject", "calloutlist"})
_SECTION_NUM = re.compile(r"^(?:[A-Z]|\d+)(?:\.\d+)*\.?\s+")
_CHAPTER_NUM = re.compile(r"^\D{0,12}?\s*(?:[A-Z]|\d+)\s*[.章]?\s+")
_IN_WORD_SEP = re.compile(r"(?<=\w)[:.](?=\w)")
_PRESENTATION = re.compile("[\ufb50-\ufdff\ufe70-\ufefe]")
_PERSIAN = str.maketrans({"\u064a": "\u06cc", "\u0649": "\u06cc", "\u0643": "\u06a9"})
_TITLE_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5"})


@dataclass(frozen=True)
class ParagraphFilter:
    """Thresholds of the paragraph filters (see the module docstring).

    Attributes:
        min_chars: shortest paragraph kept, in characters (space-delimited scripts).
        min_chars_cjk: shortest paragraph kept for ja/ko/zh.
        max_chars: longest paragraph kept.
        min_letter_frac: least share of letters and marks among non-space characters.
        min_own_frac: least share of the language's own script among letters.
        min_vie_marked_frac: Vietnamese: least share of non-ASCII letters among letters.
        max_code_frac: most share of code-like characters among all characters.
    """

    min_chars: int = 40
    min_chars_cjk: int = 16
    max_chars: int = 1500
    min_letter_frac: float = 0.75
    min_own_frac: float = 0.6
    min_vie_marked_frac: float = 0.08
    max_code_frac: float = 0.03


def _script(ch: str) -> str:
    """ICU short script name of one character, e.g. "Latn", "Hani", "Zyyy" (common)."""
    return icu.Script.getScript(ord(ch)).getShortName()


def normalise_letters(text: str, code: str) -> str:
    """`text` with Arabic presentation forms (U+FB50-FDFF, U+FE70-FEFE: ligatures such as ﻹ, which a font shapes
    from the plain letters) replaced by their NFKC letters, and for Persian the Arabic yeh, alef maksura and kaf
    (ي ى ك) by the Persian yeh and keheh (ی ک)."""
    text = _PRESENTATION.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)
    return text.translate(_PERSIAN) if code == "pes_Arab" else text


def own_script(text: str, code: str, flt: ParagraphFilter) -> bool:
    """Whether the letters of `text` are mostly of the script of language `code` (see the module docstring)."""
    alpha = [c for c in text if unicodedata.category(c)[0] == "L"]
    if code == "vie_Latn":
        return sum(not c.isascii() for c in alpha) >= flt.min_vie_marked_frac * len(alpha)
    return sum(_script(c) in OWN_SCRIPTS[code] for c in alpha) >= flt.min_own_frac * len(alpha)


def reject_reason(text: str, code: str, flt: ParagraphFilter) -> str | None:
    """Why a cleaned paragraph of language `code` is dropped, or None to keep it.

    Returns:
        "length", "letters", "script", "code" or None.
    """
    low = flt.min_chars_cjk if code in CJK else flt.min_chars
    if not low <= len(text) <= flt.max_chars:
        return "length"
    visible = [c for c in text if not c.isspace()]
    letters = [c for c in visible if unicodedata.category(c)[0] in "LM"]
    if len(letters) < flt.min_letter_frac * len(visible):
        return "letters"
    if not own_script(text, code, flt):
        return "script"
    if code_like(text) > flt.max_code_frac * len(text) or any(c in HARD_CODE_CHARS for c in text):
        return "code"
    return None


def code_like(text: str) -> int:
    """Number of code-like characters of `text`: :data:`CODE_CHARS`, and a colon or full stop between two letters or
    digits (``host:port``, ``8000:server``, ``sources.list``, ``X.509``)."""
    return sum(c in CODE_CHARS for c in text) + len(_IN_WORD_SEP.findall(text))


def _classes(el: lxml.html.HtmlElement) -> set[str]:
    """CSS classes of an element."""
    return set((el.get("class") or "").split())


def _skipped(el: lxml.html.HtmlElement) -> bool:
    """Whether `el` lies inside a block whose text is not prose (TOC, index, footnotes, examples, legal...)."""
    return any(_classes(a) & _SKIP_ANCESTORS for a in el.iterancestors())


def _prose(el: lxml.html.HtmlElement) -> str:
    """Text of a ``div.para`` without its nested blocks and footnote markers, cleaned (NFC, one line)."""
    el = lxml.html.fromstring(lxml.html.tostring(el, encoding="unicode"))
    for sub in list(el.iterdescendants()):
        if sub.getparent() is None:
            continue
        cls = _classes(sub)
        if sub.tag in _DROP_INSIDE or cls & _DROP_INSIDE_CLASSES or (sub.tag == "a" and "footnote" in cls):
            sub.drop_tree()
    return clean_paragraph(unicodedata.normalize("NFC", " ".join(el.text_content().split())))


def _title(el: lxml.html.HtmlElement) -> str:
    """Heading text without its numbering ("6.2.1. ", "Chapter 6. ", "第 6 章 ")."""
    text = clean_paragraph(unicodedata.normalize("NFC", " ".join(el.text_content().split())))
    pattern = _CHAPTER_NUM if el.tag == "h1" else _SECTION_NUM
    return pattern.sub("", text, count=1)


def _parse(path: Path) -> lxml.html.HtmlElement:
    """Root element of an HTML page read as UTF-8 (the book's pages are UTF-8)."""
    return lxml.html.parse(str(path), parser=lxml.html.HTMLParser(encoding="utf-8")).getroot()


def page_blocks(path: Path) -> Iterator[tuple[str, str]]:
    """("title", text) and ("para", text) of one HTML page, in document order (unfiltered)."""
    root = _parse(path)
    for el in root.iter():
        if not isinstance(el.tag, str) or _skipped(el):
            continue
        cls = _classes(el)
        if el.tag in _TITLE_TAGS and "title" in cls and not any("sidebar" in _classes(a) for a in el.iterancestors()):
            yield "title", _title(el)
        elif el.tag == "div" and "para" in cls and not any("para" in _classes(a) for a in el.iterancestors()):
            yield "para", _prose(el)


def reading_order(folder: Path) -> list[Path]:
    """Pages of one locale in reading order: ``index.html``, then each page's ``li.next`` link; pages the chain
    misses follow in name order. Pages of legal text (``legalnotice``, ``copyright``) are left out."""
    order, seen, page = [], set(), folder / "index.html"
    while page.is_file() and page.name not in seen:
        seen.add(page.name)
        order.append(page)
        links = _parse(page).xpath('//ul[@class="docnav"]/li[@class="next"]/a/@href')
        page = folder / links[0].split("#")[0] if links else folder / ""
    rest = sorted(p for p in folder.glob("*.html") if p.name not in seen)
    return [p for p in order + rest if not re.search(r"legalnotice|copyright", p.name)]


def documents(pages: list[Path], code: str, flt: ParagraphFilter, stats: dict[str, int],
              blocks: Callable[[Path], Iterator[tuple[str, str]]] | None = None) -> list[list[str]]:
    """Filtered, de-duplicated documents (title + paragraphs) of one locale's pages; `stats` counts drops.
    `blocks` reads a page's titles and paragraphs (default :func:`page_blocks`, the handbook's HTML)."""
    docs: list[list[str]] = []
    seen: set[str] = set()
    for page in pages:
        for kind, text in (blocks or page_blocks)(page):
            text = normalise_letters(text, code)
            if kind == "title":
                docs.append([text if own_script(text, code, flt) and not code_like(text) else ""])
                continue
            reason = reject_reason(text, code, flt) if docs else "no title"
            if reason is None and text in seen:
                reason = "duplicate"
            stats[reason or "kept"] = stats.get(reason or "kept", 0) + 1
            if reason is None:
                seen.add(text)
                docs[-1].append(text)
    return _merge_untitled(docs)


def _merge_untitled(docs: list[list[str]]) -> list[list[str]]:
    """Documents whose title is usable and new; a section whose title is not (see the module docstring) gives its
    paragraphs to the document before it; sections without paragraphs are dropped."""
    out: list[list[str]] = []
    titles: set[str] = set()
    for doc in docs:
        if len(doc) < 2:
            continue
        if doc[0] and is_document_title(doc) and doc[0] not in titles:
            titles.add(doc[0])
            out.append(doc)
        elif out:
            out[-1].extend(doc[1:])
    return out


def html_root(source: str | None, workdir: Path) -> tuple[Path, str]:
    """Folder holding the ``<locale>/`` folders, and the package version.

    Args:
        source: None (``apt-get download debian-handbook`` into `workdir`), a ``.deb`` file, or an unpacked
            ``html`` folder (version read from a sibling ``.deb`` name if any, else "unknown").
        workdir: scratch folder.
    """
    if source is not None and Path(source).is_dir():
        return Path(source), "unknown (unpacked html folder)"
    if source is None:
        subprocess.run(["apt-get", "download", PACKAGE], cwd=workdir, check=True)
        deb = next(workdir.glob(f"{PACKAGE}_*.deb"))
    else:
        deb = Path(source)
    version = subprocess.run(["dpkg-deb", "--field", str(deb), "Version"], check=True, capture_output=True,
                             text=True).stdout.strip()
    subprocess.run(["dpkg-deb", "-x", str(deb), str(workdir / "root")], check=True)
    return workdir / "root" / HTML_SUBDIR, version


def write_corpus(path: Path, docs: list[list[str]]) -> None:
    """Write documents in the bundled sample format (title line, paragraphs one per line, blank line between)."""
    path.write_text("\n\n".join("\n".join(doc) for doc in docs) + "\n", encoding="utf-8")


def write_language(out: Path, code: str, locale: str, docs: list[list[str]], stats: dict[str, int]) -> None:
    """Write `code`'s corpus to ``out/<code>.txt`` (:func:`write_corpus`) and print what it holds and what was
    dropped (`stats`: paragraphs seen by reason, see :func:`documents`)."""
    write_corpus(out / f"{code}.txt", docs)
    print(f"{code} ({locale}): {len(docs)} documents, {sum(len(d) - 1 for d in docs)} paragraphs; "
          f"paragraphs seen: {dict(sorted(stats.items()))}")


def files_line(codes: list[str], locales: dict[str, str]) -> str:
    """The NOTICE's list of files: "<code>.txt <- <locale>", comma-separated."""
    return ", ".join(f"{c}.txt <- {locales[c]}" for c in codes)


NOTICE = """The files in this folder are prose extracted from The Debian Administrator's Handbook
by Raphaël Hertzog and Roland Mas, and its translators (https://debian-handbook.info/),
taken from the Debian package {package} version {version}.

The book is dual-licensed under the GNU General Public License, version 2 or later, and the
Creative Commons Attribution-ShareAlike 3.0 Unported licence; synthdoc uses and redistributes
these extracts under CC-BY-SA-3.0 (https://creativecommons.org/licenses/by-sa/3.0/).
Changes: section titles and prose paragraphs only (code, screens, tables, lists, footnotes and
legal text removed), filtered per language and de-duplicated by scripts/build_handbook_corpus.py.

Files (language code <- book locale): {files}
"""


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", help="a debian-handbook .deb or an unpacked html folder (default: apt-get download)")
    ap.add_argument("--out", type=Path, default=OUT_DIR, help="output folder (default: %(default)s)")
    ap.add_argument("--languages", nargs="*", default=list(LOCALES), help="language codes (default: all covered)")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        root, version = html_root(args.source, Path(tmp))
        for code in args.languages:
            stats: dict[str, int] = {}
            docs = documents(reading_order(root / LOCALES[code]), code, ParagraphFilter(), stats)
            write_language(args.out, code, LOCALES[code], docs, stats)
    (args.out / "NOTICE").write_text(NOTICE.format(package=PACKAGE, version=version,
                                                   files=files_line(args.languages, LOCALES)), encoding="utf-8")


if __name__ == "__main__":
    main()
