"""The Dataset group of the builder: where the samples come from (font.h, emoji, image folder,
IDX files, digits), which of them to keep, and the checks only the files can fail. Its plain rows
come from the field descriptions; the rows here are the ones a description cannot say: the font
list and its font.h, one data.path shown as a font file, a folder or an IDX file by source, the
labels file found beside the images, the emoji sizes and subcategories."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox, QFileDialog, QFormLayout, QGroupBox, QLabel, QLineEdit, QMessageBox, QPushButton, QSizePolicy,
    QToolButton, QWidget,
)

from aegui.core.schema import experiment as C
from aegui.core.schema.experiment import ConfigError, DataConfig, Experiment
from aegui.core.data.glyphs import FontParseError, read_font_h
from aegui.core.data.image_data import emoji_subcategories, guess_labels_path
from aegui.core.data.sources import SOURCES, Count, DataSource, FormProblem, source_with
from aegui.core.files.paths import course_font_path
from aegui.qt.i18n import bind_text, on_language, plural, tr
from aegui.qt.builder.subcategory_picker import SubcategoryPicker
from aegui.qt.widgets.inputs.field_editors import ERROR_COLOR, hbox

_FALLBACK_FONTS = ("Font1", "Font2", "Font3")


def course_font_names() -> list[str]:
    try:
        names = [f.name for f in read_font_h(course_font_path())]
    except (FontParseError, OSError):
        names = []
    return names or list(_FALLBACK_FONTS)


def data_family(source: str) -> str:
    """"glyph" for a source of 5x7 glyphs (the fonts), "image" for every other: the two kinds keep
    their own settings."""
    return "glyph" if entry(source).glyphs else "image"


def entry(source: str) -> DataSource:
    """The registry's entry of a source; one with no rows for a name no source has."""
    return SOURCES.get(source) or DataSource()


def problem_text(p: FormProblem) -> str:
    """A source's form problem in the language shown (a Count with its noun)."""
    values = {k: plural(v.n, tr(v.one), tr(v.many, n=v.n)) if isinstance(v, Count) else v
              for k, v in p.values.items()}
    return tr(p.text, **values)


def shape_text(shape) -> str:
    """'32 × 32 px, RGB' for a sample shape (H, W) / (H, W, C); 7x5 reads as a glyph."""
    h, w = shape[:2]
    if tuple(shape) == (7, 5):
        return tr("{h} × {w} glyph", h=h, w=w)
    text = {3: "{h} × {w} px, RGB", 4: "{h} × {w} px, RGBA"}.get(shape[2] if len(shape) == 3 else 1,
                                                                 "{h} × {w} px, grey")
    return tr(text, h=h, w=w)


class DataSection:
    """The Dataset group of `builder` (a ModelBuilder: its form, loading flag and loaded experiment)."""

    def __init__(self, builder):
        self.builder = builder
        self.form = builder.form
        self.font_path = ""
        self.font_names = course_font_names()
        self.path_error: str | None = None       # the font.h in use cannot be read
        self.last_font_error: str | None = None  # why the last font.h given was refused
        self._font_error_stale = False

    def build(self) -> QGroupBox:
        form = self.form
        layout = form.layout()
        form.lay_out("data", layout, {"data.fonts": self._fonts_row, "data.path": self._font_file_row,
                                      "data.emoji_size": self._emoji_size_row,
                                      "data.subcategories": self._subcategories_row})
        self.source_combo = form.widget("data.source")
        self.folder_edit = form.widget("data.folder")
        self.idx_edit = form.widget("data.images")
        self.labels_edit = form.widget("data.labels_path")
        box = form.group(layout)
        bind_text(self.builder, box.setTitle, "Dataset")
        return box

    def _fonts_row(self, layout: QFormLayout) -> None:
        self.font_combo = QComboBox()
        self.font_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.font_combo.setMinimumContentsLength(6)
        self.font_combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        on_language(self.builder, self._name_all_fonts)
        self.other_font_button = QPushButton()
        self.other_font_button.clicked.connect(self._choose_font_file)
        bind_text(self.builder, self.other_font_button.setText, "Other font.h…")
        self.fonts_row = hbox(self.font_combo, self.other_font_button, fill=True)
        self.form.add_row(layout, "data.fonts", self.fonts_row, owner=self.font_combo,
                          changed=self.font_combo.currentIndexChanged)

    def _font_file_row(self, layout: QFormLayout) -> None:
        self.path_edit = QLineEdit(readOnly=True)
        self.course_font_button = QToolButton(text="×")
        self.course_font_button.clicked.connect(lambda: self.set_font_path(""))
        self.form.tip(self.course_font_button, "Use the course font.h again")
        self.path_row = hbox(self.path_edit, self.course_font_button, fill=True)
        self.form.add_row(layout, "data.path", self.path_row, owner=self.path_edit)
        self.font_error_label = QLabel(wordWrap=True)
        self.font_error_label.setStyleSheet(f"color: {ERROR_COLOR};")
        self.font_error_label.hide()
        layout.addRow(self.font_error_label)

    def _emoji_size_row(self, layout: QFormLayout) -> None:
        self.emoji_size_combo = QComboBox()
        for size in C.EMOJI_SIZES:
            self.emoji_size_combo.addItem(f"{size} px", size)
        self.form.add_row(layout, "data.emoji_size", self.emoji_size_combo,
                          changed=self.emoji_size_combo.currentIndexChanged)

    def _subcategories_row(self, layout: QFormLayout) -> None:
        self.subcat_picker = SubcategoryPicker(emoji_subcategories())
        self.form.add_row(layout, "data.subcategories", self.subcat_picker, owner=self.subcat_picker.list,
                          changed=self.subcat_picker.changed)

    # ------------------------------------------------------------------ the source and the font file

    def source(self) -> str:
        return self.source_combo.currentData()

    def set_source(self, source: str, path=None) -> None:
        """Switch to a data source, e.g. after File > Open dataset; `path` is the image folder
        or the IDX images file (the labels file is then looked for beside it)."""
        b = self.builder
        shown_in = entry(source).path_field
        if shown_in == "data.path":     # a font.h: this section reads it and lists its fonts
            if path is not None:
                self.set_font_path(path)
            self.form.editor("data.source").set_value(source)
            return
        edit = self._path_edits().get(shown_in)
        if path is not None and edit is not None:
            b.loading = True     # one validation at the end, with the source chosen
            try:
                edit.set_path(str(path))
                if "data.labels_path" in entry(source).fields:
                    self.labels_edit.set_path("")
            finally:
                b.loading = False
        if self.source() == source:
            b.on_edit()
        else:
            self.form.editor("data.source").set_value(source)

    def set_font_path(self, path, keep_on_error: bool = False) -> bool:
        """Uses the arrays of another font.h ('' = the course file). On a parse error the message
        names the line; the previous file stays unless `keep_on_error` (used when loading a config,
        so the path survives and the error shows at the field)."""
        b = self.builder
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
        self.font_path, self.path_error = path, error
        if not error:
            self.font_names = names
        self.path_edit.setText(path)
        self.path_edit.setCursorPosition(len(path))   # the file name matters more than the folders
        current = tuple(self.font_combo.currentData() or b.baseline.data.fonts)
        self._fill_fonts(current, prefer_available=not b.loading)
        fonts = source_with("data.fonts")
        if path and not error and not b.loading and self.source() != fonts:
            self.form.editor("data.source").set_value(fonts)    # opening a font.h means training on it
        b.on_edit()
        return error is None

    def clear_stale_font_error(self) -> None:
        """After a refused font.h, the next edit (another font, a load, a run) shows what holds
        for the file in use again."""
        if self._font_error_stale:
            self._font_error_stale = False
            self.font_error_label.setText(self.path_error or "")
            self.font_error_label.setVisible(bool(self.path_error))

    def _choose_font_file(self) -> None:
        files = self.builder.files
        path, _ = QFileDialog.getOpenFileName(self.builder, tr("Other font.h…"), files.start_dir(),
                                              tr("Font headers (*.h);;All files (*)"))
        if not path:
            return
        files.last_dir = str(Path(path).parent)
        if not self.set_font_path(path):
            QMessageBox.warning(self.builder, tr("Cannot use this font file"), self.last_font_error)

    def font_index(self, fonts) -> int:
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
        for name in self.font_names:
            combo.addItem(name, (name,))
        combo.addItem(tr("All fonts"), ("all",))
        i = self.font_index(fonts)
        if i < 0 and prefer_available:
            by_lower = {n.lower(): n for n in self.font_names}
            if len(fonts) == 1 and fonts[0].lower() in by_lower:
                i = self.font_index((by_lower[fonts[0].lower()],))
            elif [f.lower() for f in fonts] == ["all"]:
                i = self.font_index(("all",))
            else:
                i = 0
        if i < 0:
            combo.addItem(" + ".join(fonts), fonts)
            i = combo.count() - 1
        combo.setCurrentIndex(i)
        combo.blockSignals(False)

    def _name_all_fonts(self) -> None:
        i = self.font_index(("all",))
        if i >= 0:
            self.font_combo.setItemText(i, tr("All fonts"))

    # ------------------------------------------------------------------ filling and reading

    def _path_edits(self) -> dict:
        """The rows that show data.path as a folder or an IDX file, by field (the font file's row is
        this section's own: its path is `font_path`)."""
        return {"data.folder": self.folder_edit, "data.images": self.idx_edit}

    def _row_path(self, shown_in: str | None) -> str | None:
        """The path the row `shown_in` holds; None for a source that reads no file."""
        if shown_in == "data.path":
            return self.font_path
        edit = self._path_edits().get(shown_in)
        return edit.path() if edit is not None else None

    def fill(self, d: DataConfig) -> None:
        """The rows the descriptions do not fill (the form has filled the others)."""
        source = entry(d.source)
        self.set_font_path(d.path if source.path_field == "data.path" else "", keep_on_error=True)
        self._fill_fonts(d.fonts, prefer_available=False)
        for key, edit in self._path_edits().items():
            edit.set_path(d.path if source.path_field == key else "")
        size = d.size if "data.emoji_size" in source.fields or d.size in C.EMOJI_SIZES else DataConfig.size
        self.emoji_size_combo.setCurrentIndex(self.emoji_size_combo.findData(size))
        self.subcat_picker.set_value(d.subcategories)

    def config(self, errors: list[ConfigError]) -> DataConfig:
        """The Dataset group's DataConfig; unreadable fields are appended to `errors`."""
        source = self.source()
        shown = entry(source)
        base = self.builder.baseline.data
        path = self._row_path(shown.path_field)
        if path is None:   # a source that reads no file (emoji, digits): keep a loaded path as it was
            path = base.path if base.source == source else ""
        given = {"size": self.emoji_size_combo.currentData()} if "data.emoji_size" in shown.fields else {}
        return self.form.config(
            base, "data", errors, fonts=tuple(self.font_combo.currentData() or ()), path=path,
            subcategories=self.subcat_picker.value(),
            catalogue=base.catalogue if shown.catalogue and not path else "", **given)   # a fetched dataset

    def name(self) -> str:
        """A default experiment name after the chosen data, e.g. 'emoji' or 'train-images'."""
        source = self.source()
        edit = self._path_edits().get(entry(source).path_field)
        path = edit.path() if edit is not None else ""
        return entry(source).default_name(path) if path else source

    def field_widget(self, base: str) -> QWidget | None:
        """The widget of data.path (and of a catalogue dataset standing in for the IDX file) and of
        data.size, which depend on the source; None for every other field."""
        source = entry(self.source())
        if base in ("data.path", "data.catalogue"):
            edit = self._path_edits().get(source.path_field)
            return edit.line if edit is not None else self.path_edit
        if base == "data.size" and "data.emoji_size" in source.fields:
            return self.emoji_size_combo
        return None

    def update(self, exp: Experiment) -> None:
        """What the descriptions cannot show or hide: the note about the font file, the labels hint."""
        source = entry(exp.data.source)
        self.font_error_label.setVisible(source.path_field == "data.path" and bool(self.font_error_label.text()))
        if "data.labels_path" in source.fields:
            images = self.idx_edit.path()
            guess = guess_labels_path(images) if images else None
            self.labels_edit.set_placeholder(tr("auto: {name}", name=guess.name) if guess
                                             else tr("none found (optional)"))

    # ------------------------------------------------------------------ checks only the files can fail

    def checks(self, exp: Experiment) -> list[ConfigError]:
        """Rules the form adds to config.validate that only a file can break: the font rows' and the
        subcategory picker's here, the source's own from its registry entry."""
        d = exp.data
        source = entry(d.source)
        out = []
        if "data.fonts" in source.fields:
            out += self._font_checks(exp)
        if "data.subcategories" in source.fields:
            out += self._subcategory_checks()
        return out + [ConfigError(p.field, problem_text(p)) for p in source.form_checks(d)]

    def _subcategory_checks(self) -> list[ConfigError]:
        unknown = self.subcat_picker.unknown()
        if unknown:
            return [ConfigError("data.subcategories", tr("{names}: not an emoji subcategory; uncheck it",
                                                         names=", ".join(unknown)))]
        if not self.subcat_picker.checked():
            return [ConfigError("data.subcategories", tr("check at least one subcategory"))]
        return []

    def _font_checks(self, exp: Experiment) -> list[ConfigError]:
        if self.path_error:
            return [ConfigError("data.path", self.path_error)]
        if [f.lower() for f in exp.data.fonts] == ["all"]:
            return []
        have = {n.lower() for n in self.font_names}
        missing = [f for f in exp.data.fonts if f.lower() not in have]
        if not missing:
            return []
        file = Path(self.font_path).name if self.font_path else "font.h"
        return [ConfigError("data.fonts", tr("{name!r} is not in {file}; it has {names} (or use 'all')",
                                             name=missing[0], file=file, names=", ".join(self.font_names)))]
