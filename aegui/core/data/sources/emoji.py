"""source "emoji": the Noto emoji shipped in resources/emoji/, at 16, 32 or 64 px, grey or colour,
all of them or some subcategories."""
from __future__ import annotations

from pathlib import Path

from aegui.core.data.data_shape import image_shape
from aegui.core.data.sources.base import DataSource, at_most
from aegui.core.schema.experiment import EMOJI_SIZES, DataConfig, check, shown

# The revision of the numbers this source gives: raised by a change that makes its samples differ
# (read by the report's key, so rows trained on them are made again).
NUMERICS = 1


class Emoji(DataSource):
    """The 287 shipped emoji pictures at 16, 32 or 64 px, in grey, RGB or RGBA, optionally some subcategories
    only."""
    name = "emoji"
    label = "Emoji"
    fields = ("data.emoji_size", "data.color", "data.subcategories", "data.max_samples")

    def validate(self, data: DataConfig) -> None:
        """The size must be one the emoji come at."""
        check(data.size in EMOJI_SIZES, "data.size",
              f"emoji come at {', '.join(map(str, EMOJI_SIZES[:-1]))} or {EMOJI_SIZES[-1]} px, "
              f"got {shown(data.size)}; pick one of those")
        super().validate(data)

    def sample_shape(self, data: DataConfig) -> tuple[int, ...]:
        """The chosen size and colour mode."""
        return image_shape(data.size, data.color)

    def likely_samples(self, data: DataConfig) -> int | None:
        """The emoji of the chosen subcategories, counted in the index."""
        from aegui.core.data.image_data import emoji_index
        subs = set(data.subcategories)
        return sum(1 for row in emoji_index() if not subs or row["subcategory"] in subs)

    def load(self, data: DataConfig, progress=None):
        """The chosen emoji, at most data.max_samples."""
        from aegui.core.data.image_data import emoji_dataset
        return at_most(emoji_dataset(data.size, data.color, data.subcategories), data.max_samples)

    def report_files(self, strings) -> list[Path | None]:
        """The emoji folder."""
        from aegui.core.files.paths import resources_dir
        return [resources_dir() / "emoji"]
