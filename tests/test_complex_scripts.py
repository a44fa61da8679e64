"""Complex scripts with exact labels: Arabic and Persian joining and lam-alef, Hebrew niqqud, Devanagari conjuncts
and reph, Bengali and Tamil split vowel signs, Thai stacked marks and text without spaces, Vietnamese stacked
diacritics, mixed-direction lines; the new languages' registry entries, fonts and sample corpora; line breaking
(UAX #14 through ICU) keeping grapheme clusters, kinsoku and numbers such as "17:00" whole; a new language of a
supported script added by configuration only.

Every hard string is typeset with every installed face of its language (with the fallback face for what the face
lacks) and checked for: no glyph id 0, labels NFC and in logical order (the source text, word for word), no Arabic
presentation-form code points, and every word quad covering the ink of the glyphs of its own clusters.
"""
from __future__ import annotations

import re
import shutil
import unicodedata

import numpy as np
import pytest

from synthdoc.doc import Page, Paragraph, check
from synthdoc.errors import SynthdocError
from synthdoc.fonts.catalogue import FontCatalogue
from synthdoc.languages import LanguageRegistry, load_fonts_yaml
from synthdoc.layout.base import LayoutInput
from synthdoc.layout.breaking import break_candidates
from synthdoc.layout.typeset import normalise_spaces, place_horizontal, typeset_horizontal
from synthdoc.render.face import FaceCache
from synthdoc.render.itemize import grapheme_starts
from synthdoc.render.raster import GlyphCache
from synthdoc.render.shaping import shape
from synthdoc.text.sources import load_bundled
from synthdoc.types import union_quad

NEW_LANGS = ["arb_Arab", "pes_Arab", "heb_Hebr", "hin_Deva", "ben_Beng", "tam_Taml", "tha_Thai", "ell_Grek",
             "vie_Latn", "ukr_Cyrl"]
PRESENTATION_FORMS = re.compile("[\ufb50-\ufdff\ufe70-\ufeff]")
SIZE_PX = 30
# Ink is every pixel with coverage >= 25%; a box (from the outlines) may miss it by the rounding of the glyph
# origin to whole pixels (0.5 px), FreeType's light hinting snapping outline heights to the pixel grid (0.5 px)
# and the pixel that holds the outline's edge (up to 1 px).
INK_ALPHA = 64
INK_TOL_PX = 2.0

HARD = {
    "arb_Arab": ["لا إله إلا الله، السلام عليكم ورحمة الله. الأرض لاعب لأن كتب بيت مستشفى",
                 "قال المدير إن شركة Google Maps ستفتح 3 مكاتب في عام 2024 (قريبا) بتكلفة 12.5 مليون دولار.",
                 "العدد ١٢٣٤٥ والسعر ٧٫٥ دينار، وقت الاجتماع 17:00 بتوقيت GMT+3"],
    "pes_Arab": ["می‌خواهم به کتاب‌خانهٔ دانشگاه بروم؛ ساعت ۱۷:۳۰ با Ali در iran-book.com قرار دارم.",
                 "لاله‌های زرد و پژوهشگران گیاه‌شناس در سال ۱۴۰۲"],
    "heb_Hebr": ["בְּרֵאשִׁית בָּרָא אֱלֹהִים אֵת הַשָּׁמַיִם וְאֵת הָאָרֶץ",
                 "שָׁלוֹם, יֶלֶד קָטָן! הַחָתוּל יָשֵׁן עַל הַשָּׁטִיחַ.",
                 "החברה גייסה 45 מהנדסים ב-2023 ועובדת עם Machine Learning (ML) בתל אביב."],
    "hin_Deva": ["कार्यक्रम में प्रधानमंत्री ने क्षत्रिय, द्वार, श्रृंगार, हृदय और अर्द्ध शब्दों का उच्चारण किया।",
                 "पूर्व धर्म कर्म वर्ष सूर्य — किताब, ज़िंदगी, ड्रॉ, ट्रक, स्त्री, क्त्र",
                 "भारत ने 276 रन बनाए (WHO के अनुसार) और 17:00 बजे मैच ख़त्म हुआ।"],
    "ben_Beng": ["কোথায় গেলে বৌদ্ধ মন্দির আর পৌরসভা দেখা যায়? ক্ষমা, স্ত্রী, রাষ্ট্র, কর্ম।",
                 "বিজ্ঞানীরা ২০২৫ সালের মধ্যে ১ লাখ সেন্সর দেবেন (Water Research)।"],
    "tam_Taml": ["கொண்டு கோயில் கௌரவம் பெண்கள் தமிழ் க்ஷேத்திரம் ஸ்ரீ நீதி",
                 "சென்னையில் 2023ஆம் ஆண்டு 860 கோடி ரூபாய் (AI) வருவாய்."],
    "tha_Thai": ["ภาษาไทยเป็นภาษาที่ไม่มีการเว้นวรรคระหว่างคำ",
                 "น้ำปั้นกุ้งผู้ใหญ่ไม่ปั่นป่วน ฤๅษีเล่าเรื่องพุทธศาสนา ๒๕๖๖ ปี",
                 "ผลการตรวจ DNA ยืนยันว่าเป็นชนิดใหม่ ราคา 1,850 บาท"],
    "vie_Latn": ["Người Việt ăn phở ở Hà Nội; những ngọn núi hùng vĩ.",
                 "ẤN TƯỢNG ĐẦU TIÊN: Ẩ Ẫ Ậ Ắ Ằ Ẳ Ẵ Ặ Ế Ề Ể Ễ Ệ Ố Ồ Ổ Ỗ Ộ Ớ Ờ Ở Ỡ Ợ Ứ Ừ Ử Ữ Ự"],
    "ell_Grek": ["Ἀρχὴ ἥμισυ παντός — ΑΘΗΝΑ, ψυχή, ϊΐ ΰ; Ωραίο πρωινό στις 9:30."],
    "ukr_Cyrl": ["Ґанок, їжачок, є, її — з'їв ґудзик о 17:00."],
}


@pytest.fixture(scope="module")
def reg():
    return LanguageRegistry(load_fonts_yaml())


@pytest.fixture(scope="module")
def cat():
    return FontCatalogue()


@pytest.fixture(scope="module")
def face_cache():
    return FaceCache()


def _styles(reg, cat, face_cache, code):
    """(face name, TextStyle) for every installed upright face of `code`, bold included."""
    lang = reg.resolve(code)
    faces = cat.faces_for(lang)
    inp = LayoutInput(lang, faces, face_cache, sampler=None)
    seen, out = set(), []
    for role in ("serif", "sans", "bold"):
        for f in faces.get(role, []):
            if f.italic or f.key in seen:
                continue
            seen.add(f.key)
            out.append((f"{f.family} {f.style}", inp.style(f, SIZE_PX, (0, 0, 0))))
    assert out, code
    return lang, out


def _place(set_lines, style, sep, lang_code, mirror=False):
    width = int(max(sl.width for sl in set_lines)) + 100
    page = Page(width=width, height=60 + len(set_lines) * 80, lang=lang_code, layout="test")
    placed, y = [], 20.0
    for sl in set_lines:
        y += style.ascent_px
        line, runs = place_horizontal(sl, 40.0, y, sep, float(width) if mirror else None)
        placed.append(line)
        page.runs.extend(runs)
        y += style.descent_px + 10
    page.paragraphs = [Paragraph(placed, union_quad([ln.quad for ln in placed]))]
    return page


def _assert_logical_order(lines, text):
    """Each line is the next slice of `text` (spaces between lines skipped): labels in the order of the text."""
    pos = 0
    for line_text in lines:
        while text[pos] == " ":
            pos += 1
        assert text.startswith(line_text, pos), (text[pos:pos + 20], line_text)
        pos += len(line_text)
    assert pos == len(text)


def _word_ranges(line_text, words):
    """(start, end) of each word text inside the line text, in order."""
    out, pos = [], 0
    for w in words:
        k = line_text.index(w, pos)
        out.append((k, k + len(w)))
        pos = k + len(w)
    return out


def _ink_boxes(set_line, glyphs: GlyphCache):
    """Per word of `set_line`: the tight box (x0, y0, x1, y1) of the ink of the glyphs of its clusters, line frame."""
    ranges = _word_ranges(set_line.text, [w for w, _, _ in set_line.words])
    boxes = [[np.inf, np.inf, -np.inf, -np.inf] for _ in ranges]
    starts = np.array([a for a, _ in ranges])
    for (st, gids, pos, _), clusters in zip(set_line.runs, set_line.clusters):
        for gid, (x, y), c in zip(gids.tolist(), pos.tolist(), clusters.tolist()):
            bm = glyphs.get(st.face, st.size_px, gid)
            ys, xs = np.nonzero(bm.alpha >= INK_ALPHA)
            if not len(xs):
                continue
            k = int(np.searchsorted(starts, c, side="right")) - 1
            assert ranges[k][0] <= c < ranges[k][1], (set_line.text, c)  # every glyph belongs to a word
            b = boxes[k]
            ox, oy = int(round(x)) + bm.left, int(round(y)) + bm.top  # as raster.draw_glyph places it
            b[0], b[1] = min(b[0], ox + xs.min()), min(b[1], oy + ys.min())
            b[2], b[3] = max(b[2], ox + xs.max() + 1), max(b[3], oy + ys.max() + 1)
    return boxes


@pytest.mark.parametrize("code", sorted(HARD))
def test_hard_strings_every_face(reg, cat, face_cache, code):
    lang, styles = _styles(reg, cat, face_cache, code)
    glyphs = GlyphCache()
    for name, style in styles:
        for text in HARD[code]:
            assert unicodedata.is_normalized("NFC", text)
            for width in (1e5, 380):  # one line, then wrapped
                lines = typeset_horizontal(text, style, width)
                page = _place(lines, style, lang.word_separator, code, mirror=lang.base_direction == "rtl")
                check(page)  # no glyph id 0, quads inside lines, text = words joined ...
                assert all((r.gids != 0).all() for r in page.runs), name
                # labels: NFC, no presentation forms, logical order = the source text word for word
                _assert_logical_order([ln.text for ln in page.lines], normalise_spaces(text, True))
                for ln in page.lines:
                    assert ln.text == " ".join(w.text for w in ln.words)
                for w in page.words:
                    assert unicodedata.is_normalized("NFC", w.text) and not PRESENTATION_FORMS.search(w.text)
                assert all(ln.direction == lang.base_direction for ln in page.lines)
                # every word quad covers the ink of its own glyphs (line frame -> page: the placement offset)
                for sl, ln in zip(lines, page.lines):
                    dx = float(ln.words[0].quad[0, 0]) - sl.words[0][1]
                    baseline = float(ln.words[0].quad[0, 1]) - sl.word_bands[0][0]
                    for (wt, a, b), box, word in zip(sl.words, _ink_boxes(sl, glyphs), ln.words):
                        if not np.isfinite(box[0]):
                            continue  # a word without ink (cannot happen for these strings, kept for safety)
                        q = word.quad
                        ink = (box[0] + dx, box[1] + baseline, box[2] + dx, box[3] + baseline)
                        over = max(q[0, 0] - ink[0], q[0, 1] - ink[1], ink[2] - q[2, 0], ink[3] - q[2, 1])
                        assert over <= INK_TOL_PX, f"{name}: ink of {wt!r} leaves its quad by {over:.1f} px"


def test_word_boxes_and_line_breaks_never_split_a_grapheme_cluster(reg, cat, face_cache):
    for code in ("hin_Deva", "ben_Beng", "tam_Taml", "tha_Thai", "heb_Hebr", "vie_Latn"):
        lang, styles = _styles(reg, cat, face_cache, code)
        _, style = styles[0]
        for text in HARD[code]:
            starts = np.append(grapheme_starts(text), True)
            for width in (100, 160, 250):  # narrow: words are broken at cluster boundaries
                lines = typeset_horizontal(text, style, width)
                pos = 0
                for sl in lines:
                    k = text.index(sl.text, pos)
                    assert starts[k] and starts[k + len(sl.text)], (code, width, sl.text)
                    for a, b in _word_ranges(sl.text, [w for w, _, _ in sl.words]):
                        assert starts[k + a] and starts[k + b], (code, sl.text[a:b])
                    pos = k + len(sl.text)


def test_arabic_joining_and_lam_alef_are_shaped_labels_stay_plain(reg, cat, face_cache):
    _, styles = _styles(reg, cat, face_cache, "arb_Arab")
    for name, style in styles:
        face = style.face
        lam_alef = shape(face, "لا", SIZE_PX, direction="rtl", script="Arab", language="ar").gids.tolist()
        plain = [int(shape(face, c, SIZE_PX, direction="rtl", script="Arab").gids[0]) for c in "ال"]  # visual
        assert lam_alef != plain, f"{name}: lam-alef is joined or a ligature (rlig)"
        if name == "Noto Sans Arabic Regular":
            assert len(lam_alef) == 1  # the ligature glyph of the font's rlig feature
        word = "بيت"
        joined = shape(face, word, SIZE_PX, direction="rtl", script="Arab", language="ar")
        isolated = [int(shape(face, c, SIZE_PX, direction="rtl", script="Arab").gids[0]) for c in word]
        assert sorted(joined.gids.tolist()) != sorted(isolated), f"{name}: letters take their joining forms"
        lines = typeset_horizontal("لا " + word, style, 1e5)
        assert [w for w, _, _ in lines[0].words] == ["لا", word]  # the label is the text, not the glyphs


@pytest.mark.parametrize("code, text, base", [
    ("hin_Deva", "कि", "क"),   # i-matra is drawn before its consonant
    ("ben_Beng", "কো", "ক"),   # o-kar: e-kar before, aa-kar after the consonant
    ("tam_Taml", "கொ", "க"),   # two-part vowel sign around the consonant
])
def test_reordered_vowel_signs(reg, cat, face_cache, code, text, base):
    _, styles = _styles(reg, cat, face_cache, code)
    for name, style in styles:
        nominal = style.face.hb_font.get_nominal_glyph(ord(base))
        run = shape(style.face, text, SIZE_PX, script=code[-4:], language=reg.resolve(code).hb_language)
        gids = run.gids.tolist()
        assert nominal in gids and gids.index(nominal) >= 1, f"{name}: {gids}"
        lines = typeset_horizontal(text, style, 1e5)
        assert lines[0].text == text and len(lines[0].words) == 1


def test_devanagari_reph_and_conjuncts(reg, cat, face_cache):
    _, styles = _styles(reg, cat, face_cache, "hin_Deva")
    for name, style in styles:
        ra = style.face.hb_font.get_nominal_glyph(ord("र"))
        ka = style.face.hb_font.get_nominal_glyph(ord("क"))
        reph = shape(style.face, "र्क", SIZE_PX, script="Deva", language="hi").gids.tolist()
        assert ra not in reph and reph[0] == ka, f"{name}: reph is a mark after the consonant, {reph}"
        ksha = shape(style.face, "क्ष", SIZE_PX, script="Deva", language="hi").gids.tolist()
        assert len(ksha) == 1, f"{name}: क्ष is one conjunct glyph, got {ksha}"


def test_thai_without_spaces_breaks_at_dictionary_words(reg, cat, face_cache):
    _, styles = _styles(reg, cat, face_cache, "tha_Thai")
    text = HARD["tha_Thai"][0]  # ภาษา|ไทย|เป็น|ภาษา|ที่|ไม่มี|การ|เว้น|วรรค|ระหว่าง|คำ
    for name, style in styles:
        head = typeset_horizontal("ภาษาไทยเป็น", style, 1e5)[0].width
        lines = typeset_horizontal(text, style, head + 0.3 * SIZE_PX)  # room for overhangs, not for "ภาษา"
        assert lines[0].text == "ภาษาไทยเป็น", name
        assert "".join(sl.text for sl in lines) == text
        assert len(lines) >= 3 and all(len(sl.text) >= 2 for sl in lines)
        # stacked marks: the tone mark over sara am / mai han-akat stays in its cluster's word box
        ink = typeset_horizontal("น้ำปั้น", style, 1e5)[0]
        assert ink.words[0][0] == "น้ำปั้น"


# ----------------------------------------------------------------------------- line breaking


def test_time_of_day_is_not_split_uax14():
    """UAX #14 LB25: no break inside NU (IS NU)* — the old breaker split "17:00" as "17:|00" in CJK text."""
    text = "会議は17:00から始まります。次は9:30です。"
    ok = break_candidates(text, np.ones(len(text), bool), False, "ja")
    for i in range(1, len(text)):
        if text[i - 1] in "0123456789:" and text[i] in "0123456789:":
            assert not ok[i], text[:i] + "|" + text[i:]


def test_time_of_day_stays_on_one_line(reg, cat, face_cache):
    lang, styles = _styles(reg, cat, face_cache, "ja")
    _, style = styles[0]
    text = "会議は17:00から始まります"
    upto = typeset_horizontal("会議は17:", style, 1e5)[0].width
    lines = typeset_horizontal(text, style, upto + 0.5)  # room for "会議は17:" but not "会議は17:00"
    assert "".join(sl.text for sl in lines) == text
    assert not any(sl.text.endswith(":") for sl in lines) and not any(sl.text.startswith("00") for sl in lines)
    assert any("17:00" in sl.text for sl in lines)


def test_kinsoku_and_latin_words_kept_with_icu():
    text = "コーヒー「NHK World」を見た。ラーメン、うどん。"
    ok = break_candidates(text, np.ones(len(text), bool), False, "ja")
    for i in range(1, len(text)):
        if text[i] in "ー」。、" or text[i - 1] in "「":
            assert not ok[i], text[:i] + "|" + text[i:]
    inside = [i for i in range(text.index("NHK") + 1, text.index("World")) if text[i] != " "]
    assert not ok[inside].any()  # no break inside a Latin word
    assert ok[text.index("World")]  # after a space


def test_space_delimited_scripts_break_only_after_spaces_except_complex_context():
    en = "state-of-the-art design, 17:00 sharp!"
    ok = break_candidates(en, np.ones(len(en), bool), True, "en")
    assert all(en[i - 1] == " " for i in np.flatnonzero(ok[1:len(en)]) + 1)
    assert not ok[en.index("!")]
    th = "ภาษาไทยเป็นภาษา ที่ไม่มี"
    ok = break_candidates(th, np.ones(len(th), bool), True, "th")
    assert ok[th.index("ไทย")] and ok[th.index("เป็น")] and ok[th.index("ที่")]
    assert not ok[th.index("ไทย") + 1]  # never inside a dictionary word


# ----------------------------------------------------------------------------- registry, fonts, corpora


ALIASES = {"ar": "arb_Arab", "fa": "pes_Arab", "he": "heb_Hebr", "hi": "hin_Deva", "bn": "ben_Beng",
           "ta": "tam_Taml", "th": "tha_Thai", "el": "ell_Grek", "vi": "vie_Latn", "uk": "ukr_Cyrl"}


@pytest.mark.parametrize("alias, code", sorted(ALIASES.items()))
def test_new_languages_resolve_with_fonts(reg, cat, alias, code):
    lang = reg.resolve(alias)
    assert lang.code == code
    assert lang.base_direction == ("rtl" if code[-4:] in ("Arab", "Hebr") else "ltr")
    faces = cat.faces_for(lang)
    text = " ".join(HARD[code])
    body = [f for r in ("serif", "sans") for f in faces.get(r, [])]
    assert body and all(f.covers(text) for f in body)  # with the fallback face for Latin, digits, punctuation


def test_missing_font_error_names_the_debian_package(tmp_path):
    # every covering face is eligible, listed or not: the error needs a catalogue without a Hebrew face
    latin = tmp_path / "latin"
    latin.mkdir()
    shutil.copy("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf", latin)
    cat = FontCatalogue([str(latin)], system_fonts=False, cache_dir=None)
    lang = LanguageRegistry(load_fonts_yaml()).resolve("he")
    with pytest.raises(SynthdocError) as e:
        cat.faces_for(lang)
    assert "fonts-noto-core" in str(e.value) and "\n" not in str(e.value)


SENTENCE_END = re.compile(r"[.!?؟।](?=[\s\"”’»)]|$)")


@pytest.mark.parametrize("code", NEW_LANGS)
def test_sample_corpus(code):
    docs = load_bundled(code).documents
    paragraphs = [p for doc in docs for p in doc]
    body = "\n".join(paragraphs)
    if code == "tha_Thai":  # Thai ends sentences with a space, not a mark
        n_sentences = sum(len(p.split(" ")) for doc in docs for p in doc[1:]) // 2
    else:
        n_sentences = sum(len(SENTENCE_END.findall(p)) for p in paragraphs)
    assert n_sentences >= 100 and len(docs) >= 12
    assert unicodedata.is_normalized("NFC", body) and not PRESENTATION_FORMS.search(body)
    assert re.search(r"\d{4}", body) and re.search(r"[(«“\"]", body)
    if code in ("arb_Arab", "pes_Arab", "heb_Hebr"):
        assert len(re.findall(r"[A-Za-z]{2,}", body)) >= 5  # embedded Latin words
        assert len(re.findall(r"[0-9]+", body)) >= 5  # European numbers inside right-to-left text
        assert len(re.findall(r"\d", body)) >= 40
    if code == "pes_Arab":
        assert "\u200c" in body and "ي" not in body and "ك" not in body  # ZWNJ; Persian yeh and kaf


# ----------------------------------------------------------------------------- configuration only


URDU = """نیا اسکول
شہر کے مغربی حصے میں ایک نیا اسکول کھولا گیا ہے۔ اس میں 450 بچے پڑھتے ہیں اور ہر کلاس میں کمپیوٹر موجود ہے۔
اسکول کی پرنسپل نے بتایا کہ لائبریری میں تقریباً 3000 کتابیں ہیں۔ والدین اس منصوبے سے بہت خوش ہیں۔

بارش کا موسم
محکمہ موسمیات کے مطابق اگلے ہفتے لاہور اور اسلام آباد میں تیز بارش ہوگی۔ کسانوں کے لیے یہ اچھی خبر ہے۔
"""
MARATHI = """पावसाळा
पुण्यात सोमवारी सकाळपासून जोरदार पाऊस पडत आहे. शहरातील अनेक रस्त्यांवर पाणी साचले आहे.
हवामान विभागाने पुढील 48 तासांसाठी इशारा दिला आहे. शाळांना सुट्टी जाहीर करण्यात आली आहे.
"""


def test_urdu_and_marathi_are_configuration_only(tmp_path, synthdoc_cli):
    """Two languages of supported scripts through a user config's ``fonts:`` section and a corpus: no code."""
    (tmp_path / "ur.txt").write_text(URDU, encoding="utf-8")
    (tmp_path / "mr.txt").write_text(MARATHI, encoding="utf-8")
    (tmp_path / "my.yaml").write_text(
        "fonts:\n  languages:\n"
        "    urd_Arab: {name: Urdu, aliases: [ur], script: Arab, hb_language: ur,\n"
        "               fonts: {serif: [Noto Nastaliq Urdu], sans: [Noto Naskh Arabic]}}\n"
        "    mar_Deva: {name: Marathi, aliases: [mr], script: Deva, hb_language: mr}\n"
        "corpus:\n  ur: ur.txt\n  mr: mr.txt\n", encoding="utf-8")
    res = synthdoc_cli(["generate", "--config", "my.yaml", "--languages", "ur,mr", "--pages", "2", "--seed", "1",
                        "--out", "out"], cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    import pyarrow.parquet as pq
    rows = {r["lang"]: r for s in sorted((tmp_path / "out" / "data").glob("*/*.parquet"))
            for r in pq.read_table(s).to_pylist()}
    assert set(rows) == {"urd_Arab", "mar_Deva"}
    assert set(rows["urd_Arab"]["lines"]["direction"]) == {"rtl"}
    assert set(rows["mar_Deva"]["lines"]["direction"]) == {"ltr"}
    for code, src in (("urd_Arab", URDU), ("mar_Deva", MARATHI)):
        def bare(w):
            return w.strip(".,;:!?۔।\"'()«»")
        words = {bare(w) for w in src.split()}
        lettered = {bare(w) for w in rows[code]["words"]["text"] if re.search(r"[^\W\d_]", w)}  # not heading numbers
        assert lettered and lettered <= words  # labels are the corpus's own words
