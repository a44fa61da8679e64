"""Row schema, written once: the Hugging Face ``datasets`` features (:data:`FEATURES`), and the Arrow schema of a
shard derived from them (:data:`SCHEMA`, as ``datasets.Features(FEATURES).arrow_schema`` gives it).

Features use the legacy ``Sequence`` encoding, which both datasets 3.6 and current releases read
(files written by datasets >= 4 use ``List``, which 3.6 cannot). Quads are
``list<fixed_size_list<fixed_size_list<float32, 2>, 4>>`` inside a struct of parallel lists, so
``.with_format("numpy")`` returns them as (N, 4, 2) float32 arrays.
"""
from __future__ import annotations

import json

import pyarrow as pa


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


_ARROW_VALUES = {"string": pa.string(), "binary": pa.binary(), "bool": pa.bool_(), "int32": pa.int32(),
                 "int64": pa.int64(), "float32": pa.float32()}


def arrow_type(feature: dict) -> pa.DataType:
    """The Arrow type ``datasets`` stores a feature (in :data:`FEATURES`' dict form) as.

    Value -> its dtype; Image -> ``struct<bytes: binary, path: string>``; Sequence -> ``list`` (length -1) or
    ``fixed_size_list`` (length n) of the inner type; a plain dict -> ``struct`` of its fields in order.

    Raises:
        ValueError: a feature type or dtype the schema does not use.
    """
    kind = feature.get("_type")
    if kind == "Value":
        if feature["dtype"] not in _ARROW_VALUES:
            raise ValueError(f"no Arrow type for dtype {feature['dtype']!r}")
        return _ARROW_VALUES[feature["dtype"]]
    if kind == "Image":
        return pa.struct([("bytes", pa.binary()), ("path", pa.string())])
    if kind == "Sequence":
        inner = arrow_type(feature["feature"])
        return pa.list_(inner, feature["length"]) if feature["length"] >= 0 else pa.list_(inner)
    if kind is not None:
        raise ValueError(f"no Arrow type for feature type {kind!r}")
    return pa.struct([(name, arrow_type(f)) for name, f in feature.items()])


SCHEMA = pa.schema([(name, arrow_type(f)) for name, f in FEATURES.items()])


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
