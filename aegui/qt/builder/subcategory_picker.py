"""Which emoji to train on: a combo of presets (all, faces, animals, fruit and vegetables) over
a checkable list of the raw subcategories with their counts."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from aegui.qt.i18n import on_language, tr

# Preset -> test on a subcategory name (emoji-datasource's names, e.g. "face-smiling").
PRESETS = {
    "All emoji": lambda name: True,
    "Faces": lambda name: name.startswith("face-"),
    "Animals": lambda name: name.startswith("animal-"),
    "Fruit and vegetables": lambda name: name in ("food-fruit", "food-vegetable"),
}
_CUSTOM = "Custom selection"
_ROWS_SHOWN = 6


class SubcategoryPicker(QWidget):
    """`value()` is what DataConfig.subcategories holds: () when every subcategory is checked,
    else the checked names (in the order a loaded config gave them, when it is the same set).
    Names the index does not know stay in the list, checked and marked, so nothing a config
    asked for is dropped silently; `unknown()` lists them."""

    changed = Signal()

    def __init__(self, subcategories: list[tuple[str, int]], parent=None):
        super().__init__(parent)
        self._known = [(str(name), int(n)) for name, n in subcategories]
        self._given: tuple[str, ...] = ()
        self._updating = False
        self.preset_combo = QComboBox()
        self.preset_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.preset_combo.setMinimumContentsLength(10)
        for key in (*PRESETS, _CUSTOM):
            self.preset_combo.addItem(key, key)
        self.preset_combo.currentIndexChanged.connect(self._preset_chosen)
        self.list = QListWidget()
        self.list.setUniformItemSizes(True)
        self.list.itemChanged.connect(self._item_changed)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(3)
        column.addWidget(self.preset_combo)
        column.addWidget(self.list)
        self._fill(())
        self._name_presets()
        on_language(self, self._name_presets)
        on_language(self, self._name_items)

    # ------------------------------------------------------------------ public

    def value(self) -> tuple[str, ...]:
        checked = self.checked()
        if not self.unknown() and len(checked) == len(self._known):
            return ()
        if set(checked) == set(self._given):
            return self._given
        return tuple(checked)

    def checked(self) -> list[str]:
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())
                if self.list.item(i).checkState() == Qt.CheckState.Checked]

    def unknown(self) -> list[str]:
        known = {name for name, _ in self._known}
        return [name for name in self.checked() if name not in known]

    def count(self) -> int:
        """How many emoji the checked subcategories hold."""
        counts = dict(self._known)
        return sum(counts.get(name, 0) for name in self.checked())

    def set_value(self, names) -> None:
        self._given = tuple(names)
        self._fill(self._given)
        self.changed.emit()

    def choose_preset(self, key: str) -> None:
        i = self.preset_combo.findData(key)
        if i >= 0:
            self.preset_combo.setCurrentIndex(i)

    def _name_presets(self) -> None:
        """Each preset's name with how many emoji it holds."""
        for i in range(self.preset_combo.count()):
            key = self.preset_combo.itemData(i)
            if key == _CUSTOM:
                self.preset_combo.setItemText(i, tr(_CUSTOM))
            else:
                n = sum(c for name, c in self._known if PRESETS[key](name))
                self.preset_combo.setItemText(i, tr("{name} ({n})", name=tr(key), n=n))

    def _name_items(self) -> None:
        """Each subcategory's name with its count (or marked unknown)."""
        counts = dict(self._known)
        self._updating = True
        for i in range(self.list.count()):
            item = self.list.item(i)
            name = item.data(Qt.ItemDataRole.UserRole)
            item.setText(tr("{name} ({n})", name=name, n=counts[name]) if name in counts
                         else tr("{name} (unknown)", name=name))
        self._updating = False

    # ------------------------------------------------------------------ internals

    def _fill(self, names: tuple[str, ...]) -> None:
        self._updating = True
        self.list.clear()
        known = [name for name, _ in self._known]
        for name in known + [n for n in names if n not in known]:
            item = QListWidgetItem(name)
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            on = not names or name in names
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        self._updating = False
        rows = min(self.list.count(), _ROWS_SHOWN)
        self.list.setFixedHeight(self.list.sizeHintForRow(0) * rows + 2 * self.list.frameWidth() + 2)
        self._name_items()
        self._sync_preset()

    def _sync_preset(self) -> None:
        checked = set(self.checked())
        match = _CUSTOM
        for key, test in PRESETS.items():
            if checked == {name for name, _ in self._known if test(name)}:
                match = key
                break
        self.preset_combo.blockSignals(True)
        self.preset_combo.setCurrentIndex(self.preset_combo.findData(match))
        self.preset_combo.blockSignals(False)

    def _preset_chosen(self, index: int) -> None:
        key = self.preset_combo.itemData(index)
        if key not in PRESETS:
            return   # "custom": the list below is where the choice is made
        test = PRESETS[key]
        self._updating = True
        for i in range(self.list.count()):
            item = self.list.item(i)
            on = test(item.data(Qt.ItemDataRole.UserRole)) and item.data(Qt.ItemDataRole.UserRole) in dict(self._known)
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
        self._updating = False
        self.changed.emit()

    def _item_changed(self, _item) -> None:
        if self._updating:
            return
        self._sync_preset()
        self.changed.emit()
