"""synthdoc.writers.schema: the Arrow schema is derived from the Hugging Face features, so the two agree with what
``datasets`` itself builds, and a shard written with it reads back with the declared types."""
from __future__ import annotations

import json

import pyarrow as pa
import pytest

from synthdoc.writers.schema import FEATURES, SCHEMA, arrow_type, features_yaml, schema_with_features


def test_schema_is_what_datasets_builds_from_the_features():
    import datasets

    features = datasets.Features.from_dict(FEATURES)
    assert features.arrow_schema.equals(SCHEMA)
    assert list(SCHEMA.names) == list(FEATURES)
    stored = json.loads(schema_with_features().metadata[b"huggingface"])["info"]["features"]
    assert stored == FEATURES
    assert datasets.Features.from_arrow_schema(schema_with_features()) == features


def test_quads_and_boxes_are_fixed_size_float32():
    lines = SCHEMA.field("lines").type
    quad = lines.field("quad").type
    assert pa.types.is_list(quad) and quad.value_type.list_size == 4 and quad.value_type.value_type.list_size == 2
    assert quad.value_type.value_type.value_type == pa.float32()
    assert lines.field("bbox").type.value_type.list_size == 4
    assert SCHEMA.field("image").type == pa.struct([("bytes", pa.binary()), ("path", pa.string())])


def test_arrow_type_of_each_feature_kind_and_unknown_ones():
    assert arrow_type({"dtype": "int64", "_type": "Value"}) == pa.int64()
    seq = {"feature": {"dtype": "int32", "_type": "Value"}, "length": 3, "_type": "Sequence"}
    assert arrow_type(seq) == pa.list_(pa.int32(), 3)
    assert arrow_type({**seq, "length": -1}) == pa.list_(pa.int32())
    assert arrow_type({"a": {"dtype": "bool", "_type": "Value"}}) == pa.struct([("a", pa.bool_())])
    with pytest.raises(ValueError, match="dtype 'float16'"):
        arrow_type({"dtype": "float16", "_type": "Value"})
    with pytest.raises(ValueError, match="feature type 'Audio'"):
        arrow_type({"_type": "Audio"})


def test_card_features_name_every_column_in_order():
    assert [f["name"] for f in features_yaml()] == list(FEATURES)
    words = next(f for f in features_yaml() if f["name"] == "words")["struct"]
    assert {"name": "quad", "sequence": {"sequence": {"sequence": "float32", "length": 2}, "length": 4},
            "length": -1} in words


def test_a_written_shard_reads_back_with_the_schema_and_features(session_dataset):
    import pyarrow.parquet as pq

    out, _ = session_dataset
    shard = sorted(out.glob("data/*/*.parquet"))[0]
    schema = pq.read_schema(shard)
    assert schema.equals(SCHEMA)
    assert json.loads(schema.metadata[b"huggingface"])["info"]["features"] == FEATURES
