"""source "digits": scikit-learn's 1797 handwritten digits, 8x8, labels "0" to "9"."""
from __future__ import annotations

from pathlib import Path

from aegui.core.data.sources.base import DataSource, FormProblem, form_problem
from aegui.core.schema.experiment import DataConfig

# The revision of the numbers this source gives: raised by a change that makes its samples differ
# (read by the report's key, so rows trained on them are made again).
NUMERICS = 1

DIGITS_SHAPE = (8, 8)
SAMPLES = 1797
CLASSES = range(10)


class Digits(DataSource):
    """scikit-learn's 1,797 8x8 handwritten digits, optionally some classes only."""
    name = "digits"
    label = "8x8 digits (scikit-learn)"
    fields = ("data.classes", "data.max_samples")

    def sample_shape(self, data: DataConfig) -> tuple[int, ...]:
        """8x8 grey."""
        return DIGITS_SHAPE

    def likely_samples(self, data: DataConfig) -> int | None:
        """All 1,797, before the classes are picked."""
        return SAMPLES

    def load(self, data: DataConfig, progress=None):
        """The digits of the chosen classes, at most data.max_samples."""
        from aegui.core.data.image_data import digits_dataset
        return digits_dataset(data.classes, data.max_samples)

    def report_files(self, strings) -> list[Path | None]:
        """scikit-learn's digits file."""
        return [digits_file()]

    def form_checks(self, data: DataConfig) -> list[FormProblem]:
        """A class outside 0-9 is refused."""
        bad = [c for c in data.classes if c not in CLASSES]
        return [form_problem("data.classes", "the digits have classes 0 to 9; {bad} is not one", bad=bad[0])] \
            if bad else []


def digits_file() -> Path | None:
    """scikit-learn's digits, found without importing scikit-learn."""
    import importlib.util
    spec = importlib.util.find_spec("sklearn")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0]) / "datasets" / "data" / "digits.csv.gz"
