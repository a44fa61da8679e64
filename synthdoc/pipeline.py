"""One sample = text -> layout -> render -> augment -> encode. The only place the stages meet.

Sample i of a run is a pure function of (config, seed, i): every stage draws from
``synthdoc.rng.sample_rng(seed, i, stage, attempt)``; a failed attempt (text does not fit, tofu) is retried
with the next attempt number and counted. With an augmentation stack (``cfg.augment`` other than ``none``), the
render stage hands the background layer and the text masks to the stack (:mod:`synthdoc.augment`), which
composites them and returns the augmented image, the page with its quads moved by every geometric step, and the
record of applied steps stored in ``meta["augment"]``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Iterator

import cv2
import numpy as np

from synthdoc._version import __version__
from synthdoc.augment import load_stack
from synthdoc.background import BACKGROUND_KINDS, paper, render_background
from synthdoc.config import GenerateConfig
from synthdoc.coverage_run import build_schedules, page_sampler, replay_sampler
from synthdoc.doc import Page, check, check_chars, check_geometry
from synthdoc.errors import SampleError, SynthdocError
from synthdoc.fonts.catalogue import FontCatalogue
from synthdoc.languages import Language, LanguageRegistry, load_fonts_yaml
from synthdoc.layout import registry
from synthdoc.layout.base import LayoutInput
from synthdoc.layout.template import Template, load_template, sample_weighted
from synthdoc.render.compose import composite, text_masks
from synthdoc.render.face import FaceCache
from synthdoc.render.raster import GlyphCache
from synthdoc.rng import sample_rng
from synthdoc.stats import SampleStats
from synthdoc.text.sampler import TextSampler
from synthdoc.text.quality import QualityFilter
from synthdoc.text.sources import Corpus, HubOptions, load_bundled, resolve_corpus


@dataclass
class Sample:
    """One generated page.

    Attributes:
        index: sample index in the run.
        seed: run seed.
        page: the laid-out page (labels, page pixels).
        image: (H, W, 3) uint8 RGB.
        image_bytes: encoded image (JPEG or PNG).
        image_format: "jpeg" or "png".
        attempts: attempts needed (1 = first try).
        meta: provenance (fonts, parameters, corpus, version), JSON-serialisable.
        stats: counters of this sample (retries, text skipped for coverage), summed by the writer.
    """

    index: int
    seed: int
    page: Page
    image: np.ndarray
    image_bytes: bytes
    image_format: str
    attempts: int
    meta: dict = field(default_factory=dict)
    stats: SampleStats = field(default_factory=SampleStats)
    mask_bytes: bytes | None = None  # PNG text mask (synthdoc.masks), None when cfg.mask is "none"
    with_chars: bool = False  # write the character level (cfg.labels has "chars")

    @property
    def id(self) -> str:
        return f"{self.page.lang}-s{self.seed}-{self.index:09d}"


def resolve_languages(cfg: GenerateConfig, registry_: LanguageRegistry) -> list[Language]:
    """Languages of the run, canonical and de-duplicated (order kept).

    Raises:
        SynthdocError: unknown language.
    """
    out: list[Language] = []
    for name in cfg.languages:
        lang = registry_.resolve(name)
        if lang not in out:
            out.append(lang)
    return out


def hub_options(cfg: GenerateConfig) -> HubOptions:
    """Skip, shuffle (seeded with the run seed) and quality filters of the run's Hugging Face corpora."""
    return HubOptions(cfg.corpus_skip, cfg.corpus_shuffle, cfg.seed, QualityFilter.from_config(cfg.corpus_filter))


def load_corpora(cfg: GenerateConfig, langs: list[Language], registry_: LanguageRegistry) -> dict[str, Corpus]:
    """Corpus per language: --corpus LANG=PATH, else "*" entry, else the fonts.yaml corpus, else the bundled sample.

    Raises:
        SynthdocError: unknown language in the corpus mapping, unreadable or empty corpus.
    """
    specs: dict[str, str] = {}
    for key, spec in cfg.corpus.items():
        specs["*" if key == "*" else registry_.resolve(key).code] = spec
    out = {}
    for lang in langs:
        spec = specs.get(lang.code) or specs.get("*") or lang.corpus
        if spec:
            out[lang.code] = resolve_corpus(str(spec), lang.code, cfg.text_field, cfg.max_documents, hub_options(cfg))
        else:
            out[lang.code] = load_bundled(lang.code)
    return out


class SampleFactory:
    """Builds samples for a config: fonts, corpora and templates are loaded once per process.

    Raises (at construction, before any work):
        SynthdocError: unknown language or layout, missing font, unreadable corpus, invalid template.
    """

    def __init__(self, cfg: GenerateConfig, corpora: dict[str, Corpus] | None = None,
                 catalogue: FontCatalogue | None = None):
        cfg.validate()
        self.cfg = cfg
        self.registry = LanguageRegistry(load_fonts_yaml(override=cfg.fonts))
        self.languages = resolve_languages(cfg, self.registry)
        self.catalogue = catalogue or FontCatalogue(cfg.font_dirs, cfg.system_fonts)
        self.faces = {lang.code: self.catalogue.faces_for(lang) for lang in self.languages}
        self.corpora = corpora if corpora is not None else load_corpora(cfg, self.languages, self.registry)
        self.templates: dict[str, Template] = {name: load_template(name) for name in cfg.layouts}
        self.layout_weights = {  # per language: the templates whose mode supports it
            lang.code: {n: w for n, w in cfg.layouts.items() if w > 0 and registry.supports(self.templates[n].mode, lang)}
            for lang in self.languages
        }
        for code, weights in self.layout_weights.items():
            if not weights:
                raise SynthdocError(f"no layout of {', '.join(cfg.layouts)} supports {code}; "
                                    "add one that does, e.g. --layouts multi_column=1")
        self.augment = load_stack(cfg.augment)  # raises SynthdocError for an unknown preset or a bad stack file
        self.face_cache = FaceCache()
        self.glyph_cache = GlyphCache()
        self.inputs = {
            lang.code: LayoutInput(lang, self.faces[lang.code], self.face_cache, TextSampler(self.corpora[lang.code]))
            for lang in self.languages
        }
        # character coverage (cfg.coverage): per language, what each page must carry (a pure function of the config)
        self.schedules = build_schedules(cfg, self.languages, self.faces, {c: i.sampler for c, i in self.inputs.items()})

    def with_own_caches(self) -> "SampleFactory":
        """This factory with new, empty face and glyph caches (returns self). A forked pool worker calls it on the
        factory it inherited: loaded FreeType faces read their font files through the open file's shared offset,
        which two processes must not share; everything else (catalogue, corpora, templates, stacks) is read-only
        and stays shared copy-on-write."""
        self.face_cache = FaceCache()
        self.glyph_cache = GlyphCache()
        self.inputs = {code: replace(inp, face_cache=self.face_cache) for code, inp in self.inputs.items()}
        return self

    def language_of(self, index: int) -> Language:
        return self.languages[index % len(self.languages)]

    def layout_page(self, index: int, attempt: int, stats: SampleStats | None = None) -> tuple[Page, Template]:
        """Layout stage of sample `index` (attempt `attempt`); the page passes :func:`synthdoc.doc.check`.
        Text skipped for coverage is counted in `stats` (when given)."""
        lang = self.language_of(index)
        seed = self.cfg.seed
        name = sample_weighted(sample_rng(seed, index, "layout", attempt), self.layout_weights[lang.code])
        template = self.templates[name]
        inp = replace(self.inputs[lang.code], stats=stats if stats is not None else SampleStats())
        schedule = self.schedules.get(lang.code)
        if schedule is not None:  # the page's view of the corpus carries its scheduled characters
            inp = replace(inp, sampler=page_sampler(schedule, inp.sampler, index // len(self.languages), lang))
        page = registry.mode(template.mode).generate(inp, template, sample_rng(seed, index, "text", attempt))
        if schedule is not None:
            page.meta["coverage"] = inp.sampler.record()
        check(page)
        return page, template

    def replay_layout(self, lang: str, meta: dict) -> Page:
        """The laid-out page of a row of this run's config from its meta (``meta["plan"]``, the plan its layout
        mode recorded), without drawing anything: the same page as the layout stage made (before augmentation).

        Raises:
            SynthdocError: no recorded plan, or its template is not one of this run's layouts.
        """
        plan = meta.get("plan") if isinstance(meta, dict) else None
        if not isinstance(plan, dict):
            raise SynthdocError("replay: the row's meta has no recorded layout plan (rows made before plans were "
                                "recorded have none); regenerate the row from its config and seed")
        found = [t for t in self.templates.values() if t.name == plan.get("layout")]
        if not found:
            raise SynthdocError(f"replay: layout {plan.get('layout')!r} is not one of this config's layouts "
                                f"({', '.join(t.name for t in self.templates.values())}); add it to --layouts")
        code = self.registry.resolve(lang).code
        inp = self.inputs[code]
        if isinstance(meta.get("coverage"), dict):  # the page carried scheduled text: the same corpus view
            inp = replace(inp, sampler=replay_sampler(inp.sampler, meta["coverage"]))
        return registry.mode(found[0].mode).replay(inp, found[0], plan)

    def render(self, page: Page, index: int, attempt: int) -> tuple[np.ndarray, dict]:
        """Render stage: background + composited glyphs. Returns ((H, W, 3) uint8 RGB, background params)."""
        bg, bg_params = self.background(page, index, attempt)
        return composite(bg, text_masks(page, self.glyph_cache)), bg_params

    def background(self, page: Page, index: int, attempt: int) -> tuple[np.ndarray, dict]:
        """Background layer of the render stage (paper or the layout's background, with its rules drawn).
        Returns ((H, W, 3) uint8 RGB, background params)."""
        rng = sample_rng(self.cfg.seed, index, "background", attempt)
        spec = page.background
        if spec.pixels is not None and spec.kind in BACKGROUND_KINDS:  # the layout drew it already (slide, scattered)
            bg, bg_params, spec.pixels = spec.pixels, dict(spec.params), None
        elif spec.kind in BACKGROUND_KINDS:  # chosen by the layout, replayed from its parameters
            bg, bg_params = render_background(page.height, page.width, {**spec.params, "kind": spec.kind}, rng)
        else:
            bg, bg_params = paper(page.height, page.width, rng, tuple(spec.gray_range))
        # filled rectangles (table rules and shading, footnote rules), inclusive integer pixel corners, drawn under
        # the text in list order
        for rule in page.rules:
            cv2.rectangle(bg, (rule.x0, rule.y0), (rule.x1, rule.y1), tuple(int(c) for c in rule.rgb), thickness=-1)
        return bg, bg_params

    def render_augmented(self, page: Page, index: int, attempt: int,
                         mode: str | None = None) -> tuple[np.ndarray, Page, dict, dict, bytes | None]:
        """Render and augment stages: the stack composites the text layers over the background itself (text-level
        steps work on the layers). Returns ((H, W, 3) uint8 RGB, page with transformed quads, background params,
        augmentation record, JPEG bytes of the image when the stack's last step made them, else None:
        :attr:`synthdoc.augment.stack.Augmented.jpeg`); the page passes :func:`synthdoc.doc.check` (the layout
        stage checked all of it; augmentation moves quads only, so its quads are checked again,
        :func:`synthdoc.doc.check_geometry`)."""
        bg, bg_params = self.background(page, index, attempt)
        image, page, record, jpeg = self.augment.run(page, bg, text_masks(page, self.glyph_cache),
                                                     sample_rng(self.cfg.seed, index, "augment", attempt), mode)
        if record["steps"]:  # without steps the quads are the laid-out ones, already checked
            check_geometry(page)
        return image, page, bg_params, record, jpeg

    def encode(self, image: np.ndarray) -> bytes:
        """Encode (H, W, 3) uint8 RGB as JPEG (quality cfg.jpeg_quality) or PNG."""
        bgr = cv2.cvtColor(image, cv2.COLOR_RGB2BGR)
        if self.cfg.image_format == "png":
            ok, buf = cv2.imencode(".png", bgr, [cv2.IMWRITE_PNG_COMPRESSION, 3])
        else:
            ok, buf = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, self.cfg.jpeg_quality])
        if not ok:
            raise RuntimeError("image encoding failed")
        return buf.tobytes()

    def mask(self, clean: Page, record: dict | None) -> bytes | None:
        """PNG text mask of a sample (cfg.mask, :mod:`synthdoc.masks`) from its clean page and augmentation
        record; None when cfg.mask is "none"."""
        if self.cfg.mask == "none":
            return None
        from synthdoc.masks import encode_mask, page_mask

        return encode_mask(page_mask(self.cfg.mask, clean, text_masks(clean, self.glyph_cache), record))

    def layout_retrying(self, index: int, stats: SampleStats | None = None) -> tuple[Page, Template, int]:
        """Lay out sample `index`, retrying a failed attempt (SampleError) up to cfg.max_retries times.

        Returns:
            (page, template, attempt): the first attempt that laid out (its number decides the rest of the
            sample's random streams); each failed attempt adds 1 to ``stats.retries``.

        Raises:
            SynthdocError: every attempt failed (names the last reason).
        """
        last = None
        for attempt in range(self.cfg.max_retries):
            try:
                page, template = self.layout_page(index, attempt, stats)
                return page, template, attempt
            except SampleError as e:
                if stats is not None:
                    stats.retries += 1
                last = e
        raise SynthdocError(f"sample {index} failed {self.cfg.max_retries} times (last: {last}); "
                            "check the layout template sizes and the corpus")

    def make(self, index: int) -> Sample:
        """Sample `index` of the run.

        Raises:
            SynthdocError: every one of cfg.max_retries attempts failed (names the last reason).
        """
        stats = SampleStats()
        page, template, attempt = self.layout_retrying(index, stats)
        clean = page
        if "chars" in self.cfg.labels:
            check_chars(page)  # computes the deferred character spans (they follow every transformation)
        # every page goes through the stack (an empty one composites the clean render byte for byte), so the
        # legibility check marks words whose ink does not show as ignored on clean pages too
        image, page, bg, record, jpeg = self.render_augmented(page, index, attempt, template.mode)
        if self.augment.empty and not record["ignored_words"]:
            record = None
        meta = {
            "synthdoc_version": __version__, "template": template.path.rsplit("/", 1)[-1], "mode": template.mode,
            "attempt": attempt, "background": bg, "corpus": self.corpora[page.lang].name, **page.meta,
        }
        if record is not None:
            meta["augment"] = record
        # a page whose last step was a JPEG re-compression is stored as those bytes: compressed once, and the file
        # decodes to the pixels the legibility check judged
        data = jpeg if jpeg is not None and self.cfg.image_format == "jpeg" else self.encode(image)
        return Sample(index, self.cfg.seed, page, image, data, self.cfg.image_format, attempt + 1,
                      meta, stats, self.mask(clean, record), "chars" in self.cfg.labels)

    def samples(self, start: int = 0, stop: int | None = None) -> Iterator[Sample]:
        """Samples start, start+1, ... (forever when `stop` is None)."""
        i = start
        while stop is None or i < stop:
            yield self.make(i)
            i += 1


def sample_meta_json(sample: Sample) -> str:
    """Row ``meta`` column: provenance as compact, key-sorted JSON."""
    return json.dumps(sample.meta, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
