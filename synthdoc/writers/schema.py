"""Row schema: the Arrow schema of a shard and the matching Hugging Face ``datasets`` features.

Features use the legacy ``Sequence`` encoding, which both datasets 3.6 and current releases read
(files written by datasets >= 4 use ``List``, which 3.6 cannot). Quads are
``list<fixed_size_list<fixed_size_list<float32, 2>, 4>>`` inside a struct of parallel lists, so
``.with_format("numpy")`` returns them as (N, 4, 2) float32 arrays.
"""
from __future__ import annotations

import json

import pyarrow as pa

QUAD = pa.list_(pa.list_(pa.list_(pa.float32(), 2), 4))
BOX = pa.list_(pa.list_(pa.float32(), 4))


def _level_fields(extra: list[tuple[str, pa.DataType]]) -> pa.StructType:
    return pa.struct([("text", pa.list_(pa.string())), ("quad", QUAD), ("bbox", BOX),
                      ("parent", pa.list_(pa.int32())), *extra])


SCHEMA = pa.schema([
    ("id", pa.string()),
    ("image", pa.struct([("bytes", pa.binary()), ("path", pa.string())])),
    ("width", pa.int32()),
    ("height", pa.int32()),
    ("lang", pa.string()),
    ("layout", pa.string()),
    ("text", pa.string()),
    ("words", _level_fields([("ignore", pa.list_(pa.bool_()))])),
    ("lines", _level_fields([("direction", pa.list_(pa.string()))])),
    ("paragraphs", _level_fields([("role", pa.list_(pa.string())), ("level", pa.list_(pa.int32())),
                                  ("cell", pa.list_(pa.list_(pa.int32(), 4)))])),
    ("relation_graph", pa.struct([("paragraph_lines", pa.list_(pa.list_(pa.int32()))),
                                  ("line_words", pa.list_(pa.list_(pa.int32())))])),
    ("seed", pa.int64()),
    ("index", pa.int64()),
    ("meta", pa.string()),
    ("mask", pa.binary()),  # PNG text mask (synthdoc.masks) or null
    ("chars", _level_fields([])),  # grapheme clusters (parent = word index) or null; labels: chars
])


def _v(dtype: str) -> dict:
    return {"dtype": dtype, "_type": "Value"}


def _seq(feature: dict, length: int = -1) -> dict:
    return {"feature": feature, "length": length, "_type": "Sequence"}


def _level_features(extra: dict) -> dict:
    return {"text": _seq(_v("string")), "quad": _seq(_seq(_seq(_v("float32"), 2), 4)),
            "bbox": _seq(_seq(_v("float32"), 4)), "parent": _seq(_v("int32")), **extra}


FEATURES = {
    "id": _v("string"),
    "image": {"_type": "Image"},
    "width": _v("int32"),
    "height": _v("int32"),
    "lang": _v("string"),
    "layout": _v("string"),
    "text": _v("string"),
    "words": _level_features({"ignore": _seq(_v("bool"))}),
    "lines": _level_features({"direction": _seq(_v("string"))}),
    "paragraphs": _level_features({"role": _seq(_v("string")), "level": _seq(_v("int32")),
                                   "cell": _seq(_seq(_v("int32"), 4))}),
    "relation_graph": {"paragraph_lines": _seq(_seq(_v("int32"))), "line_words": _seq(_seq(_v("int32")))},
    "seed": _v("int64"),
    "index": _v("int64"),
    "meta": _v("string"),
    "mask": _v("binary"),
    "chars": _level_features({}),
}


def schema_with_features() -> pa.Schema:
    """SCHEMA with the features stored under the ``huggingface`` metadata key (as datasets does)."""
    return SCHEMA.with_metadata({"huggingface": json.dumps({"info": {"features": FEATURES}})})


def _yaml_inner(feat: dict) -> dict:
    """One feature in the dataset card's YAML form, as datasets' ``Features._to_yaml_list`` writes the
    legacy encoding: ``{"sequence": <inner>, "length": L}`` with a Value simplified to its dtype."""
    t = feat.get("_type")
    if t == "Value":
        return {"dtype": feat["dtype"]}
    if t == "Image":
        return {"dtype": "image"}
    if t == "Sequence":
        inner = _yaml_inner(feat["feature"])
        if list(inner) == ["dtype"]:
            inner = inner["dtype"]
        elif list(inner) == ["struct"]:
            inner = inner["struct"]
        return {"sequence": inner, "length": feat["length"]}
    return {"struct": [{"name": k, **_yaml_inner(v)} for k, v in feat.items()]}


def features_yaml() -> list[dict]:
    """Features as the dataset card's ``dataset_info.features`` list."""
    return [{"name": k, **_yaml_inner(v)} for k, v in FEATURES.items()]
