"""PAGE-XML 2019 export (PRImA PAGE content schema 2019-07-15, https://github.com/PRImA-Research-Lab/PAGE-XML).

Per split, the images in ``OUT/<split>/`` and one ``OUT/<split>/page/<id>.xml`` per page (the Transkribus /
OCR-D folder layout; ``imageFilename`` is the image's name). A page holds a ``ReadingOrder`` (one
``OrderedGroup`` of all regions in reading order), then one ``TextRegion`` per paragraph with its
``TextLine``\\ s and their ``Word``\\ s, each with ``Coords`` (integer points, clockwise from the top-left of
the text's own frame) and ``TextEquiv/Unicode``. Region ``type`` follows the paragraph role (title and
heading -> heading, toc_entry -> TOC-entry, ...), the role itself is kept in ``custom`` as
``structure {type:<role>;}`` (Transkribus convention); vertical columns have ``readingDirection``
top-to-bottom and, within a region, ``textLineOrder`` right-to-left. The Words of a right-to-left line are
listed left to right on the page (the reverse of reading order), the convention OCR-D's validator checks text
consistency by (it reverses the children of a right-to-left element before joining them). A word flagged
``ignore`` (dot leaders, words the legibility check found unreadable) carries
``custom="legibility {legible:false;}"``.
"""
from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path

from synthdoc._version import __version__
from synthdoc.names import safe_join
from synthdoc.writers.exports import register_format
from synthdoc.writers.exports.common import hierarchy, image_name, int_points, new_file, write_image

NS = "http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15"
SCHEMA_LOCATION = f"{NS} {NS}/pagecontent.xsd"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
ROLE_TYPES = {"title": "heading", "slide_title": "heading", "heading": "heading", "body": "paragraph",
              "list_item": "paragraph", "table_cell": "paragraph", "caption": "caption", "toc_entry": "TOC-entry",
              "header": "header", "footer": "footer", "footnote": "footnote", "quote": "paragraph"}
DIRECTIONS = {"ltr": "left-to-right", "rtl": "right-to-left", "ttb": "top-to-bottom"}
# ISO 639-3 -> PAGE LanguageSimpleType, ISO 15924 -> PAGE ScriptSimpleType (values of the 2019 schema)
LANGUAGES = {"eng": "English", "jpn": "Japanese", "kor": "Korean", "rus": "Russian", "zho": "Chinese",
             "deu": "German", "fra": "French", "spa": "Spanish", "ita": "Italian", "por": "Portuguese",
             "ara": "Arabic", "heb": "Hebrew", "hin": "Hindi", "ukr": "Ukrainian", "vie": "Vietnamese",
             "tha": "Thai", "nld": "Dutch", "pol": "Polish", "tur": "Turkish", "ell": "Greek"}
SCRIPTS = {"Latn": "Latn - Latin", "Cyrl": "Cyrl - Cyrillic", "Grek": "Grek - Greek", "Arab": "Arab - Arabic",
           "Hebr": "Hebr - Hebrew", "Hang": "Hang - Hangul", "Hans": "Hans - Han (Simplified variant)",
           "Hant": "Hant - Han (Traditional variant)", "Jpan": "Jpan - Japanese", "Deva": "Deva - Devanagari",
           "Thai": "Thai - Thai"}

ET.register_namespace("", NS)


def _el(parent: ET.Element, tag: str, **attrs) -> ET.Element:
    return ET.SubElement(parent, f"{{{NS}}}{tag}", {k: str(v) for k, v in attrs.items() if v is not None})


def _coords(parent: ET.Element, quad, w: int, h: int) -> None:
    _el(parent, "Coords", points=" ".join(f"{x},{y}" for x, y in int_points(quad, w, h)))


def _text(parent: ET.Element, text: str) -> None:
    _el(_el(parent, "TextEquiv"), "Unicode").text = text


def page_xml(row: dict, created: dt.datetime) -> bytes:
    """The PAGE-XML document of a dataset row (UTF-8 bytes with an XML declaration).

    Args:
        row: dataset row (synthdoc.writers.schema).
        created: timestamp for Metadata/Created and LastChange (UTC).
    """
    w, h = row["width"], row["height"]
    lang, _, script = row["lang"].partition("_")
    words, lines, paras = row["words"], row["lines"], row["paragraphs"]
    root = ET.Element(f"{{{NS}}}PcGts", {f"{{{XSI}}}schemaLocation": SCHEMA_LOCATION, "pcGtsId": f"pc-{row['id']}"})
    meta = _el(root, "Metadata")
    _el(meta, "Creator").text = f"synthdoc {__version__}"
    stamp = created.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    _el(meta, "Created").text = stamp
    _el(meta, "LastChange").text = stamp
    tree = hierarchy(row)
    page_dir = lines["direction"][0] if lines["direction"] else "ltr"
    page = _el(root, "Page", imageFilename=image_name(row), imageWidth=w, imageHeight=h,
               readingDirection=DIRECTIONS.get(page_dir), primaryLanguage=LANGUAGES.get(lang),
               primaryScript=SCRIPTS.get(script))
    if tree:
        group = _el(_el(page, "ReadingOrder"), "OrderedGroup", id="ro0")
        for i, (p, _) in enumerate(tree):
            _el(group, "RegionRefIndexed", index=i, regionRef=f"r{p}")
    for i, (p, line_list) in enumerate(tree):
        role = paras["role"][p]
        vertical = bool(line_list) and lines["direction"][line_list[0][0]] == "ttb"
        first_dir = lines["direction"][line_list[0][0]] if line_list else "ltr"
        region = _el(page, "TextRegion", id=f"r{p}", custom=f"readingOrder {{index:{i};}} structure {{type:{role};}}",
                     type=ROLE_TYPES.get(role, "other"), readingDirection=DIRECTIONS.get(first_dir),
                     textLineOrder="right-to-left" if vertical else "top-to-bottom")
        _coords(region, paras["quad"][p], w, h)
        for li, word_ids in line_list:
            line = _el(region, "TextLine", id=f"r{p}l{li}", readingDirection=DIRECTIONS.get(lines["direction"][li]))
            _coords(line, lines["quad"][li], w, h)
            for k in (word_ids[::-1] if lines["direction"][li] == "rtl" else word_ids):
                ignore = {"custom": "legibility {legible:false;}"} if words["ignore"][k] else {}
                word = _el(line, "Word", id=f"r{p}l{li}w{k}", **ignore)
                _coords(word, words["quad"][k], w, h)
                _text(word, words["text"][k])
            _text(line, lines["text"][li])
        _text(region, paras["text"][p])
    ET.indent(root, space=" ")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


@register_format("pagexml")
class PageXmlWriter:
    """Writes the PAGE-XML export of rows added one by one.

    Args:
        out: export folder.
        created: timestamp written into every page's Metadata (default: now, UTC).
    """

    def __init__(self, out: Path, created: dt.datetime | None = None):
        self.out = out
        self.created = created or dt.datetime.now(dt.timezone.utc)
        self._written: list[Path] = []

    def add(self, split: str, row: dict) -> None:
        image = write_image(safe_join(self.out, split, what="split"), row)
        xml = new_file(self.out / split / "page", f"{image.stem}.xml")
        xml.write_bytes(page_xml(row, self.created))
        self._written.append(xml)

    def close(self) -> list[Path]:
        return self._written
