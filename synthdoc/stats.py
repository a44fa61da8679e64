"""Per-sample counters, returned with each sample and summed by the writer (no shared mutable dict)."""
from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass
class SampleStats:
    """What making one sample cost besides the page itself.

    Attributes:
        retries: failed attempts before the sample succeeded (text did not fit, tofu, ...).
        skipped_for_coverage: pieces of text skipped because the chosen face lacks one of their characters.
    """

    retries: int = 0
    skipped_for_coverage: int = 0

    def __add__(self, other: SampleStats) -> SampleStats:
        return SampleStats(self.retries + other.retries, self.skipped_for_coverage + other.skipped_for_coverage)

    def as_dict(self) -> dict[str, int]:
        """{"retries": n, "skipped_for_coverage": n} (the keys the shard manifest sums)."""
        return asdict(self)
