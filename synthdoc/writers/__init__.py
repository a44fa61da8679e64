"""Dataset writers: Parquet shards in the Hugging Face layout and the dataset card."""
