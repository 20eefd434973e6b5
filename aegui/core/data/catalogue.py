"""The datasets aegui can fetch when the user asks (`aegui data fetch NAME`, Data menu): where
each file comes from, the hash it must have, its license and how to cite it.

Hashes: SHA-256 of every file, as published by projects that verify these downloads
(torchvision's and others' registries); `unpacked` is the SHA-256 of the file gunzipped, where
one is published (MNIST's, as many course folders and torchvision's raw/ hold the files
unpacked): local_files accepts a folder whose unpacked files, or .gz files that unpack to them,
match it. For EMNIST, NIST publishes one zip of all its splits:
the zip is checked by the MD5 torchvision lists for it (no SHA-256 of it is published), and each
letters file taken out of it by its SHA-256.

`AEGUI_DATA_URL` replaces every base URL (a lab's local mirror holding the same file names,
each dataset in a folder of its name: $AEGUI_DATA_URL/mnist/train-images-idx3-ubyte.gz).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

from aegui.core.schema.experiment import shown

# The numerics revision of the catalogue's datasets (their shapes, orientation and class names):
# bump it with any change to the numbers computed here (docs/numerics.md; the report's rows that use
# it are then made again).
NUMERICS = 1

MIRROR_ENV = "AEGUI_DATA_URL"


@dataclass(frozen=True)
class DataFile:
    """One file of a catalogue dataset: its name, published hash, role and size, and the hash of its unpacked
    form where published."""
    name: str          # as stored in the cache (and, unless in an archive, as served)
    hash: str          # "sha256:..." or "md5:..." (pooch's notation)
    role: str          # train_images, train_labels, test_images, test_labels
    size: int = 0      # bytes, when known (shown before a download)
    unpacked: str = "" # "sha256:..." of the gunzipped file, where published ("" = unknown)

    @property
    def unpacked_name(self) -> str:
        """The file's name once gunzipped (train-images-idx3-ubyte)."""
        return self.name[:-3] if self.name.endswith(".gz") else self.name


@dataclass(frozen=True)
class Entry:
    """A dataset of the catalogue (MNIST, Fashion-MNIST, ...): where to download it, its files and hashes,
    licence, citation and class names."""
    name: str                          # catalogue key: aegui data fetch NAME
    title: str
    base_urls: tuple[str, ...]         # tried in order; the first is the official one
    files: tuple[DataFile, ...]
    license: str
    citation: str
    homepage: str
    class_names: tuple[str, ...] = ()
    label_offset: int = 0              # EMNIST letters number their classes from 1 (a = 1)
    transposed: bool = False           # EMNIST stores images transposed
    archive: DataFile | None = None    # the files come inside this zip (EMNIST)
    archive_folder: str = ""           # the files' folder inside the archive
    shape: tuple[int, int] = (28, 28)  # each image as shown (EMNIST after its transpose)
    extra: dict = field(default_factory=dict)

    def role(self, role: str) -> DataFile:
        """The dataset's file of one role (train_images, train_labels, test_images, test_labels)."""
        return next(f for f in self.files if f.role == role)

    def urls(self, name: str) -> list[str]:
        """Where `name` (a file, or the archive) is fetched from, in the order tried."""
        mirror = os.environ.get(MIRROR_ENV, "").strip()
        bases = [f"{mirror.rstrip('/')}/{self.name}/"] if mirror else list(self.base_urls)
        return [b + name for b in bases]


def _idx_files(prefix: str, hashes: tuple[str, str, str, str], sizes=(0, 0, 0, 0), test="t10k",
               unpacked=("", "", "", "")) -> tuple[DataFile, ...]:
    names = (f"{prefix}train-images-idx3-ubyte.gz", f"{prefix}train-labels-idx1-ubyte.gz",
             f"{prefix}{test}-images-idx3-ubyte.gz", f"{prefix}{test}-labels-idx1-ubyte.gz")
    roles = ("train_images", "train_labels", "test_images", "test_labels")
    return tuple(DataFile(n, h, r, s, u) for n, h, r, s, u in zip(names, hashes, roles, sizes, unpacked))


DIGITS = tuple(str(i) for i in range(10))

ENTRIES: dict[str, Entry] = {e.name: e for e in (
    Entry(
        "mnist", "MNIST handwritten digits (60,000 training + 10,000 test, 28x28 grey)",
        ("http://yann.lecun.com/exdb/mnist/", "https://ossci-datasets.s3.amazonaws.com/mnist/"),
        _idx_files("", ("sha256:440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
                        "sha256:3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
                        "sha256:8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
                        "sha256:f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"),
                   (9912422, 28881, 1648877, 4542),
                   unpacked=("sha256:ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
                             "sha256:65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
                             "sha256:0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
                             "sha256:ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2")),
        "CC BY-SA 3.0 (Yann LeCun and Corinna Cortes)",
        "Y. LeCun, L. Bottou, Y. Bengio, P. Haffner. Gradient-based learning applied to document "
        "recognition. Proceedings of the IEEE 86(11):2278-2324, 1998.",
        "http://yann.lecun.com/exdb/mnist/", DIGITS),
    Entry(
        "fashion-mnist", "Fashion-MNIST, Zalando article images (60,000 + 10,000, 28x28 grey)",
        ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",),
        # The files Zalando serves (the ones whose MD5 its README lists); a repacked mirror's
        # .gz has other bytes and is refused, as its contents have no published hash.
        _idx_files("", ("sha256:3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
                        "sha256:a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
                        "sha256:346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
                        "sha256:67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5"),
                   (26421880, 29515, 4422102, 5148)),
        "MIT (Zalando SE)",
        "H. Xiao, K. Rasul, R. Vollgraf. Fashion-MNIST: a novel image dataset for benchmarking "
        "machine learning algorithms. arXiv:1708.07747, 2017.",
        "https://github.com/zalandoresearch/fashion-mnist",
        ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
         "Ankle boot")),
    Entry(
        "kmnist", "Kuzushiji-MNIST, cursive Japanese (60,000 + 10,000, 28x28 grey)",
        ("http://codh.rois.ac.jp/kmnist/dataset/kmnist/",),
        _idx_files("", ("sha256:51467d22d8cc72929e2a028a0428f2086b092bb31cfb79c69cc0a90ce135fde4",
                        "sha256:e38f9ebcd0f3ebcdec7fc8eabdcdaef93bb0df8ea12bee65224341c8183d8e17",
                        "sha256:edd7a857845ad6bb1d0ba43fe7e794d164fe2dce499a1694695a792adfac43c5",
                        "sha256:20bb9a0ef54c7db3efc55a92eef5582c109615df22683c380526788f98e42a1c")),
        "CC BY-SA 4.0 (ROIS-DS Center for Open Data in the Humanities)",
        "T. Clanuwat, M. Bober-Irizar, A. Kitamoto, A. Lamb, K. Yamamoto, D. Ha. Deep learning for "
        "classical Japanese literature. arXiv:1812.01718, 2018.",
        "https://github.com/rois-codh/kmnist",
        ("o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo")),
    Entry(
        "emnist-letters", "EMNIST letters, handwritten a-z (124,800 + 20,800, 28x28 grey)",
        ("https://biometrics.nist.gov/cs_links/EMNIST/",),
        _idx_files("emnist-letters-", ("sha256:6288f418a917e007bf5fddb823a2dc7a5c6a35031401b93292a539cb12bd881f",
                                       "sha256:9759af91ea6bccdf07a6040fd085861f2ec88e37f7c3f5760f6feb57106fbe5c",
                                       "sha256:50f0e93d75b99b463e9760b8345866f22587fa2c2fba472730a5ba09c693412d",
                                       "sha256:924955c31fe7fd809b7303b5c0141282955f4b8390c74cdfd5d80435e0f4b4cb"),
                   test="test"),
        "NIST public data (Special Database 19 derivative); see the homepage",
        "G. Cohen, S. Afshar, J. Tapson, A. van Schaik. EMNIST: an extension of MNIST to "
        "handwritten letters. arXiv:1702.05373, 2017.",
        "https://www.nist.gov/itl/products-and-services/emnist-dataset",
        tuple("abcdefghijklmnopqrstuvwxyz"), label_offset=1, transposed=True,
        archive=DataFile("gzip.zip", "md5:58c8d27c78d21e728a6bc7b3cc06412e", "archive"),
        archive_folder="gzip"),
)}


def names() -> list[str]:
    """The catalogue's dataset names, in its order."""
    return list(ENTRIES)


def entry(name: str) -> Entry:
    """The entry called `name` (case-insensitive); KeyError with the known names."""
    key = name.strip().lower()
    if key not in ENTRIES:
        raise KeyError(f"{shown(name)} is not in the catalogue; choose one of {', '.join(ENTRIES)}")
    return ENTRIES[key]
