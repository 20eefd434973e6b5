"""The Dataset group of the builder: where the samples come from (font.h, emoji, image folder,
IDX files, digits), which of them to keep, and the checks only the files can fail."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox, QDoubleSpinBox, QFileDialog, QGroupBox, QLabel, QLineEdit, QMessageBox, QPushButton, QSizePolicy,
    QToolButton,
)

from aegui.core.config import experiment as C
from aegui.core.config.experiment import ConfigError, DataConfig, Experiment
from aegui.core.config.fields import TIPS
from aegui.core.data.data_shape import IDX_LABELS_MAGIC, idx_header
from aegui.core.data.glyphs import FontParseError, read_font_h
from aegui.core.data.image_data import emoji_subcategories, guess_labels_path
from aegui.core.files.paths import course_font_path
from aegui.qt.i18n import tr
from aegui.qt.builder.form import ERROR_COLOR
from aegui.qt.builder.subcategory_picker import SubcategoryPicker
from aegui.qt.widgets.path_edit import PathEdit

IDX_FILTER = "IDX files (*idx*ubyte *idx*ubyte.gz *.idx *.gz);;All files (*)"
DIGITS_CLASSES = range(10)
_FALLBACK_FONTS = ("Font1", "Font2", "Font3")


def course_font_names() -> list[str]:
    try:
        names = [f.name for f in read_font_h(course_font_path())]
    except (FontParseError, OSError):
        names = []
    return names or list(_FALLBACK_FONTS)


def data_family(source: str) -> str:
    """"glyph" for the 5x7 fonts, "image" for every other source: the two kinds keep their own settings."""
    return "glyph" if source == "font" else "image"


def parse_classes(text: str) -> tuple[int, ...]:
    """'0, 1 7' -> (0, 1, 7); ValueError for anything but whole numbers >= 0."""
    tokens = [t for t in text.replace(",", " ").replace(";", " ").split() if t]
    if not all(t.isdigit() for t in tokens):
        raise ValueError("write class numbers separated by commas, e.g. 0,1,7")
    return tuple(int(t) for t in tokens)


def shape_text(shape) -> str:
    """'32 × 32 px, RGB' for a sample shape (H, W) / (H, W, C); 7x5 reads as a glyph."""
    h, w = shape[:2]
    if tuple(shape) == (7, 5):
        return tr("{h} × {w} glyph", h=h, w=w)
    text = {3: "{h} × {w} px, RGB", 4: "{h} × {w} px, RGBA"}.get(shape[2] if len(shape) == 3 else 1,
                                                                 "{h} × {w} px, grey")
    return tr(text, h=h, w=w)


class DataSection:
    """Mixin of the ModelBuilder: the Dataset group."""

    def _build_dataset(self) -> QGroupBox:
        form = self._form()
        self.source_combo = self._choice("data.source")
        # Connected before _row's _on_edit, so the model settings follow before validation.
        self.source_combo.currentIndexChanged.connect(self._source_changed)
        self._row(form, "data.source", self.source_combo)

        self.font_combo = QComboBox()
        self.font_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.font_combo.setMinimumContentsLength(6)
        self.font_combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.other_font_button = QPushButton()
        self.other_font_button.clicked.connect(self._choose_font_file)
        self._text(self.other_font_button.setText, "Other font.h…")
        self.fonts_row = self._hbox(self.font_combo, self.other_font_button, fill=True)
        self._row(form, "data.fonts", self.fonts_row, owner=self.font_combo)

        self.path_edit = QLineEdit(readOnly=True)
        self.course_font_button = QToolButton(text="×")
        self.course_font_button.clicked.connect(lambda: self.set_font_path(""))
        self._tips[self.course_font_button] = "Use the course font.h again"
        self.path_row = self._hbox(self.path_edit, self.course_font_button, fill=True)
        self._row(form, "data.path", self.path_row, owner=self.path_edit)

        self.font_error_label = QLabel(wordWrap=True)
        self.font_error_label.setStyleSheet(f"color: {ERROR_COLOR};")
        self.font_error_label.hide()
        form.addRow(self.font_error_label)

        self.chars_edit = QLineEdit()
        self._text(self.chars_edit.setPlaceholderText, "only these characters, e.g. abcdefghij")
        self._row(form, "data.chars", self.chars_edit)

        self.folder_edit = PathEdit(folder=True, title="Choose the image folder", start_dir=self._start_dir)
        self._row(form, "data.folder", self.folder_edit, owner=self.folder_edit.line, is_field=False)
        self.idx_edit = PathEdit(title="Choose the IDX images file", file_filter=IDX_FILTER,
                                 start_dir=self._start_dir)
        self._row(form, "data.images", self.idx_edit, owner=self.idx_edit.line, is_field=False)
        self.labels_edit = PathEdit(title="Choose the IDX labels file", file_filter=IDX_FILTER,
                                    start_dir=self._start_dir)
        self._row(form, "data.labels_path", self.labels_edit, owner=self.labels_edit.line)

        self.emoji_size_combo = QComboBox()
        for size in C.EMOJI_SIZES:
            self.emoji_size_combo.addItem(f"{size} px", size)
        self._row(form, "data.emoji_size", self.emoji_size_combo, is_field=False)
        self._tips[self.emoji_size_combo] = TIPS["data.size"]
        self.size_spin = self._field_spin("data.size")
        self.size_spin.setSuffix(" px")
        self._row(form, "data.size", self.size_spin)
        self.color_combo = self._choice("data.color")
        self._row(form, "data.color", self.color_combo)
        self.subcat_picker = SubcategoryPicker(emoji_subcategories())
        self.subcat_picker.changed.connect(self._on_edit)
        self._row(form, "data.subcategories", self.subcat_picker, owner=self.subcat_picker.list)

        self.classes_edit = QLineEdit()
        self._text(self.classes_edit.setPlaceholderText, "all, or e.g. 0,1,7")
        self._row(form, "data.classes", self.classes_edit)
        self.max_samples_spin = self._field_spin("data.max_samples")
        self._text(self.max_samples_spin.setSpecialValueText, "all")
        self._row(form, "data.max_samples", self.max_samples_spin)

        self.val_spin = QDoubleSpinBox()
        self.val_spin.setRange(0.0, C.MAX_VAL_SPLIT * 100)
        self.val_spin.setDecimals(1)
        self.val_spin.setSingleStep(5.0)
        self.val_spin.setSuffix(" %")
        self.val_spin.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.val_spin.setFixedWidth(80)
        self.split_seed_spin = self._field_spin("data.split_seed")
        self.split_seed_spin.setMinimumWidth(60)
        self.split_seed_label = QLabel()
        self._text(self.split_seed_label.setText, "seed")
        self._row(form, "data.val_split", self._hbox(self.val_spin, self.split_seed_label, self.split_seed_spin),
                  owner=self.val_spin)
        self._fields["data.split_seed"] = self.split_seed_spin
        self._tips[self.split_seed_spin] = TIPS["data.split_seed"]
        self._watch(self.split_seed_spin)
        return self._group("Dataset", form)

    def set_source(self, source: str, path=None) -> None:
        """Switch to a data source, e.g. after File > Open dataset; `path` is the image folder
        or the IDX images file (the labels file is then looked for beside it)."""
        if source == "font":
            if path is not None:
                self.set_font_path(path)
            self._select(self.source_combo, "font")
            return
        edit = {"folder": self.folder_edit, "idx": self.idx_edit}.get(source)
        if path is not None and edit is not None:
            self._loading = True     # one validation at the end, with the source chosen
            try:
                edit.set_path(str(path))
                if source == "idx":
                    self.labels_edit.set_path("")
            finally:
                self._loading = False
        if self.source_combo.currentData() == source:
            self._on_edit()
        else:
            self._select(self.source_combo, source)

    def set_font_path(self, path, keep_on_error: bool = False) -> bool:
        """Uses the arrays of another font.h ('' = the course file). On a parse error the message
        names the line; the previous file stays unless `keep_on_error` (used when loading a config,
        so the path survives and the error shows at the field)."""
        path = str(path or "")
        error = None
        names = course_font_names()
        if path:
            try:
                names = [f.name for f in read_font_h(path)]
                if not names:
                    raise FontParseError("no font arrays found, e.g. int const Font1[32][7] = {...}", path)
            except FontParseError as e:
                where = Path(e.source).name
                error = (tr("{file}, line {line}: {error}", file=where, line=e.line, error=e.message)
                         if e.line is not None else f"{where}: {e.message}")
        self.last_font_error = error
        self.font_error_label.setText(error or "")
        self.font_error_label.setVisible(bool(error))
        # A refused file: the one in use stays, and the note about the refused one lasts only
        # until the next edit (see clear_stale_font_error).
        self._font_error_stale = bool(error) and not keep_on_error
        if error and not keep_on_error:
            return False
        self._font_path, self._path_error = path, error
        if not error:
            self._font_names = names
        self.path_edit.setText(path)
        self.path_edit.setCursorPosition(len(path))   # the file name matters more than the folders
        current = tuple(self.font_combo.currentData() or self._baseline.data.fonts)
        self._fill_fonts(current, prefer_available=not self._loading)
        if path and not error and not self._loading and self.source_combo.currentData() != "font":
            self._select(self.source_combo, "font")    # opening a font.h means training on it
        self._on_edit()
        return error is None

    def _font_index(self, fonts) -> int:
        # Qt hands tuples back as lists, so findData cannot match them.
        fonts = tuple(fonts)
        for i in range(self.font_combo.count()):
            if tuple(self.font_combo.itemData(i) or ()) == fonts:
                return i
        return -1

    def _fill_fonts(self, fonts, prefer_available: bool) -> None:
        fonts = tuple(fonts)
        combo = self.font_combo
        combo.blockSignals(True)
        combo.clear()
        for name in self._font_names:
            combo.addItem(name, (name,))
        combo.addItem(tr("All fonts"), ("all",))
        i = self._font_index(fonts)
        if i < 0 and prefer_available:
            by_lower = {n.lower(): n for n in self._font_names}
            if len(fonts) == 1 and fonts[0].lower() in by_lower:
                i = self._font_index((by_lower[fonts[0].lower()],))
            elif [f.lower() for f in fonts] == ["all"]:
                i = self._font_index(("all",))
            else:
                i = 0
        if i < 0:
            combo.addItem(" + ".join(fonts), fonts)
            i = combo.count() - 1
        combo.setCurrentIndex(i)
        combo.blockSignals(False)

    def _data_config(self, errors: list[ConfigError]) -> DataConfig:
        """The Dataset group's DataConfig; unreadable fields are appended to `errors`."""
        source = self.source_combo.currentData()
        base = self._baseline.data
        path = {"font": self._font_path, "folder": self.folder_edit.path(), "idx": self.idx_edit.path()}.get(source)
        if path is None:   # emoji and digits have no path: keep a loaded one as it was
            path = base.path if base.source == source else ""
        try:
            classes = parse_classes(self.classes_edit.text())
        except ValueError as e:
            errors.append(ConfigError("data.classes", str(e)))
            classes = base.classes
        val = round(self.val_spin.value() / 100, 8)
        if self._val_exact and self._val_exact[0] == self.val_spin.value():
            val = self._val_exact[1]
        return DataConfig(
            fonts=tuple(self.font_combo.currentData() or ()), chars=self.chars_edit.text(), path=path,
            source=source,
            size=self.emoji_size_combo.currentData() if source == "emoji" else self.size_spin.value(),
            color=self.color_combo.currentData(), subcategories=self.subcat_picker.value(),
            labels_path=self.labels_edit.path(), classes=classes,
            max_samples=self.max_samples_spin.value(), val_split=val, split_seed=self.split_seed_spin.value(),
            catalogue=base.catalogue if source == "idx" and not path else "")   # a fetched dataset

    def _font_checks(self, exp: Experiment) -> list[ConfigError]:
        if self._path_error:
            return [ConfigError("data.path", self._path_error)]
        if [f.lower() for f in exp.data.fonts] == ["all"]:
            return []
        have = {n.lower() for n in self._font_names}
        missing = [f for f in exp.data.fonts if f.lower() not in have]
        if not missing:
            return []
        file = Path(self._font_path).name if self._font_path else "font.h"
        return [ConfigError("data.fonts", tr("{name!r} is not in {file}; it has {names} (or use 'all')",
                                             name=missing[0], file=file, names=", ".join(self._font_names)))]

    def _labels_file(self, d: DataConfig) -> Path | None:
        """The labels file an idx config will use: the one given, else the one beside the images."""
        if d.labels_path:
            return Path(d.labels_path).expanduser()
        return guess_labels_path(d.path) if d.path else None

    def _idx_checks(self, d: DataConfig) -> list[ConfigError]:
        """Header-only checks (a few bytes read): the labels file and the class filter."""
        out = []
        try:
            count = idx_header(d.path)[0] if d.path else None
        except ConfigError:
            count = None          # reported by sample_shape at data.path
        labels = self._labels_file(d)
        if labels is not None:
            try:
                n = idx_header(labels, IDX_LABELS_MAGIC, "data.labels_path")[0]
            except ConfigError as e:
                if d.labels_path:
                    out.append(e)
            else:
                if count is not None and n != count:
                    out.append(ConfigError("data.labels_path", tr(
                        "{path}: has {labels} labels but the images file has {images} images; use the labels "
                        "of the same set", path=labels.name, labels=n, images=count)))
        elif d.classes:
            out.append(ConfigError("data.classes", tr(
                "keeping classes needs labels, and no labels file was found beside the images; choose one in "
                "Labels file")))
        return out

    def _data_name(self) -> str:
        """A default experiment name after the chosen data, e.g. 'emoji' or 'train-images'."""
        source = self.source_combo.currentData()
        path = {"folder": self.folder_edit.path(), "idx": self.idx_edit.path()}.get(source)
        if path:
            name = Path(path).name
            return name.split("-idx")[0] if source == "idx" else name
        return source

    def _update_labels_hint(self) -> None:
        images = self.idx_edit.path()
        guess = guess_labels_path(images) if images else None
        self.labels_edit.set_placeholder(tr("auto: {name}", name=guess.name) if guess
                                         else tr("none found (optional)"))

    def clear_stale_font_error(self) -> None:
        """After a refused font.h, the next edit (another font, a load, a run) shows what holds
        for the file in use again."""
        if getattr(self, "_font_error_stale", False):
            self._font_error_stale = False
            self.font_error_label.setText(self._path_error or "")
            self.font_error_label.setVisible(bool(self._path_error))

    def _choose_font_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("Other font.h…"), self._start_dir(),
                                              tr("Font headers (*.h);;All files (*)"))
        if not path:
            return
        self._last_dir = str(Path(path).parent)
        if not self.set_font_path(path):
            QMessageBox.warning(self, tr("Cannot use this font file"), self.last_font_error)

    def _fill_data(self, d: DataConfig) -> None:
        self._select(self.source_combo, d.source)
        self.set_font_path(d.path if d.source == "font" else "", keep_on_error=True)
        self._fill_fonts(d.fonts, prefer_available=False)
        self.chars_edit.setText(d.chars)
        self.folder_edit.set_path(d.path if d.source == "folder" else "")
        self.idx_edit.set_path(d.path if d.source == "idx" else "")
        self.labels_edit.set_path(d.labels_path)
        self._select(self.emoji_size_combo, d.size if d.source == "emoji" or d.size in C.EMOJI_SIZES
                     else DataConfig.size)
        self.size_spin.setValue(d.size)
        self._select(self.color_combo, d.color)
        self.subcat_picker.set_value(d.subcategories)
        self.classes_edit.setText(",".join(map(str, d.classes)))
        self.max_samples_spin.setValue(d.max_samples)
        self.val_spin.setValue(d.val_split * 100)
        self._val_exact = (self.val_spin.value(), d.val_split)
        self.split_seed_spin.setValue(d.split_seed)

    def _data_checks(self, exp: Experiment) -> list[ConfigError]:
        """Rules the form adds to config.validate that only a file can break."""
        out = []
        d = exp.data
        if d.source == "font":
            out += self._font_checks(exp)
        elif d.source == "folder" and d.path:
            p = Path(d.path).expanduser()
            if not p.exists():
                out.append(ConfigError("data.path", tr("{path}: folder not found; check the path or choose "
                                                       "another", path=d.path)))
            elif not p.is_dir():
                out.append(ConfigError("data.path", tr("{path}: is a file, not a folder; choose the folder that "
                                                       "holds the pictures", path=d.path)))
        elif d.source == "idx":
            out += self._idx_checks(d)
        elif d.source == "digits":
            bad = [c for c in d.classes if c not in DIGITS_CLASSES]
            if bad:
                out.append(ConfigError("data.classes", tr("the digits have classes 0 to 9; {bad} is not one",
                                                          bad=bad[0])))
        elif d.source == "emoji":
            unknown = self.subcat_picker.unknown()
            if unknown:
                out.append(ConfigError("data.subcategories", tr("{names}: not an emoji subcategory; uncheck it",
                                                                names=", ".join(unknown))))
            elif not self.subcat_picker.checked():
                out.append(ConfigError("data.subcategories", tr("check at least one subcategory")))
        return out

    def _update_data_visibility(self) -> None:
        source = self.source_combo.currentData()
        font = source == "font"
        self._show_row(self.fonts_row, font)
        self._show_row(self.path_row, font and bool(self._font_path))
        self.font_error_label.setVisible(font and bool(self.font_error_label.text()))
        self._show_row(self.chars_edit, font)
        self._show_row(self.folder_edit, source == "folder")
        self._show_row(self.idx_edit, source == "idx")
        self._show_row(self.labels_edit, source == "idx")
        self._show_row(self.emoji_size_combo, source == "emoji")
        self._show_row(self.size_spin, source == "folder")
        self._show_row(self.color_combo, source in ("emoji", "folder"))
        self._show_row(self.subcat_picker, source == "emoji")
        self._show_row(self.classes_edit, source in ("idx", "digits"))
        self._show_row(self.max_samples_spin, not font)
        self.split_seed_spin.setEnabled(self.val_spin.value() > 0)
        self.split_seed_label.setEnabled(self.val_spin.value() > 0)
        if source == "idx":
            self._update_labels_hint()
