"""The model builder: every field of an Experiment in one compact form, validated as you type.

No torch here: the main window shows this form before torch is imported, and hands over the
real device list later through `set_devices`.
"""
from __future__ import annotations

import math
import os
import tempfile
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSlider,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from aegui.core.models import arch as A
from aegui.core.config import experiment as C
from aegui.core.config.load import load_experiment
from aegui.core.config.experiment import (ConfigError, DataConfig, Experiment, ModelSpec, NoiseConfig, TrainConfig)
from aegui.core.data.data_shape import IDX_LABELS_MAGIC, idx_header, sample_shape
from aegui.core.data.glyphs import FontParseError, read_font_h
from aegui.core.data.image_data import emoji_subcategories, guess_labels_path
from aegui.core.data.noise import LABELS as NOISE_LABELS
from aegui.core.files.paths import course_font_path
from aegui.qt import i18n
from aegui.qt.builder.memory_label import MemoryLabel
from aegui.qt.i18n import tr
from aegui.qt.builder.layer_editor import LayerListEditor, NumberEdit, format_number, wheel_guard
from aegui.qt.widgets.path_edit import PathEdit
from aegui.qt.builder.subcategory_picker import SubcategoryPicker

ACTIVATION_LABELS = {"relu": "ReLU", "leaky_relu": "leaky ReLU", "elu": "ELU", "tanh": "tanh",
                     "sigmoid": "sigmoid", "softplus": "softplus", "identity": "identity (linear)"}
INIT_LABELS = {"uniform": "uniform", "xavier": "Xavier (Glorot)", "he": "He (Kaiming)"}
LOSS_LABELS = {"mse": "MSE (squared error)", "bce": "BCE (cross-entropy)"}
OPTIMIZER_LABELS = {"sgd": "SGD", "momentum": "SGD + momentum", "adam": "Adam", "adamw": "AdamW",
                    "rmsprop": "RMSprop", "powell": "Powell (scipy)", "bfgs": "BFGS (scipy)",
                    "cg": "CG (scipy)"}
SCHEDULE_LABELS = {"constant": "constant", "exponential": "exponential", "step": "steps",
                   "cosine": "cosine to 0"}
MODE_LABELS = {"fresh": "fresh every epoch", "fixed": "fixed copies"}
SPARSITY_LABELS = {"l1": "L1 on the code", "kl": "KL to a target rate ρ"}
DEVICE_LABELS = {"auto": "Auto", "cpu": "CPU", "cuda": "CUDA (GPU)"}
SOURCE_LABELS = {"font": "5x7 fonts (font.h)", "emoji": "Emoji", "folder": "Image folder",
                 "idx": "MNIST-style IDX files", "digits": "8x8 digits (scikit-learn)"}
COLOR_LABELS = {"gray": "grey (1 = ink)", "rgb": "RGB on white", "rgba": "RGBA (transparency)"}
IDX_FILTER = "IDX files (*idx*ubyte *idx*ubyte.gz *.idx *.gz);;All files (*)"
DIGITS_CLASSES = range(10)

# Settings that suit 35-pixel glyphs or images of hundreds of values, not both: when the source
# switches between the two, each kind keeps its own (nothing typed is lost going back).
IMAGE_EPOCHS = 300
IMAGE_BATCH = 64
IMAGE_LEARNING_RATE = 1e-3    # Adam at the glyphs' 0.01-0.03 blows up a VAE on colour emoji

# Row labels, also used to name a field in error messages.
FIELD_LABELS = {
    "name": "Name",
    "data.source": "Source", "data.fonts": "Fonts", "data.path": "Font file", "data.chars": "Characters",
    "data.folder": "Folder", "data.images": "Images file", "data.labels_path": "Labels file",
    "data.size": "Size", "data.emoji_size": "Size", "data.color": "Colour",
    "data.subcategories": "Emoji", "data.classes": "Classes", "data.max_samples": "Max samples",
    "data.val_split": "Validation", "data.split_seed": "Split seed",
    "model.arch": "Architecture", "model.input_shape": "Input", "model.channels": "Conv channels",
    "model.kind": "Kind", "model.beta": "β (KL weight)", "model.kl_warmup": "KL warm-up",
    "model.sparsity": "Sparsity", "model.sparsity_weight": "Sparsity weight",
    "model.sparsity_rho": "Target rate ρ", "model.contractive_weight": "Contractive weight",
    "noise.kind": "Noise", "noise.level": "Noise level", "noise.mode": "Noisy inputs",
    "noise.copies": "Copies",
    "model.encoder": "Encoder", "model.latent": "Latent size", "model.mirror": "Mirror decoder",
    "model.decoder": "Decoder", "model.layers": "Layers",
    "model.hidden_activation": "Hidden act.", "model.latent_activation": "Latent act.",
    "model.output_activation": "Output act.", "model.init": "Init",
    "train.loss": "Loss", "train.optimizer": "Optimizer", "train.learning_rate": "Learning rate",
    "train.momentum": "Momentum", "train.schedule": "LR schedule", "train.decay_rate": "Decay rate",
    "train.step_size": "Step every", "train.step_gamma": "Step factor", "train.epochs": "Epochs",
    "train.batch_size": "Batch size", "train.weight_decay": "Weight decay", "train.seed": "Seed",
    "train.seeds": "Best of K", "train.target_max_wrong": "Target", "train.check_every": "Check every",
    "train.device": "Device",
}

TIPS = {
    "data.source": "Where the training samples come from",
    "data.folder": "A folder of PNG, JPEG, BMP or GIF pictures; subfolder names become labels",
    "data.images": "An MNIST-style images file, e.g. train-images-idx3-ubyte (or .gz)",
    "data.labels_path": "Empty: the labels file beside the images is used when there is one",
    "data.size": "Every picture is padded to a square and resized to this many pixels a side",
    "data.color": "grey: 1 = ink on a white background; RGB: colours on white; RGBA: keeps transparency",
    "data.classes": "Keep only these classes, e.g. 0,1,7; empty = all",
    "data.max_samples": "Keep at most this many samples, spread evenly over the set; 0 = all",
    "data.val_split": "Share of the samples held out to measure the validation loss; 0 = none",
    "data.split_seed": "Seed of the random train / validation split",
    "model.arch": "Fully connected layers, or convolutions for images (each one halves height and width)",
    "model.channels": "Output channels of each convolution; each convolution halves the image's sides",
    "model.input_shape": "Set by the dataset: the size of each sample",
    "data.chars": "Train on these characters only; empty = every glyph of the chosen fonts",
    "data.path": "A font.h other than the course file",
    "model.beta": "Weight of the KL term of the VAE loss",
    "model.kl_warmup": "Epochs over which β grows from 0 to its value; 0 = no warm-up",
    "model.sparsity_weight": "Weight of the sparsity penalty on the latent code",
    "model.sparsity_rho": "Average activation the KL penalty pulls each code unit towards",
    "model.contractive_weight": "Weight of the penalty on the encoder's Jacobian",
    "noise.level": "Probability that a pixel is corrupted (gaussian: the noise's standard deviation)",
    "noise.mode": "New noise every epoch, or a fixed set of noisy copies of each glyph",
    "model.mirror": "The decoder uses the encoder's sizes in reverse order",
    "model.latent": "Size of the code; 2 lets you see the latent space as a plane",
    "train.learning_rate": "Type values such as 0.01 or 1e-3",
    "train.batch_size": "Glyphs per update; 0 = the whole dataset at once",
    "train.weight_decay": "Pulls the weights towards 0 at every step; 0 = off",
    "train.seeds": "Train K models with seeds seed, seed+1, … side by side and keep the best",
    "train.target_max_wrong": "Stop as soon as a model's worst glyph has at most this many wrong pixels",
    "train.check_every": "Epochs between metric checks and progress points",
}
# scipy.optimize chooses its own steps over the whole data set (aegui.core.train.scipy_opt).
SCIPY_BATCH_TIP = "scipy optimizers use the whole dataset at every iteration, so the batch is always full"

i18n.register({
    "Dataset": "Conjunto de datos", "Model": "Modelo", "Training": "Entrenamiento",
    "Name": "Nombre", "Fonts": "Fuentes", "Font file": "Archivo de fuentes", "Characters": "Caracteres",
    "All fonts": "Todas las fuentes", "Other font.h…": "Otro font.h…",
    "Use the course font.h again": "Volver al font.h del curso",
    "only these characters, e.g. abcdefghij": "solo estos caracteres, p. ej. abcdefghij",
    "Kind": "Tipo", "β (KL weight)": "β (peso KL)", "KL warm-up": "Calentamiento KL",
    "Sparsity": "Dispersión", "Sparsity weight": "Peso de dispersión", "Target rate ρ": "Tasa objetivo ρ",
    "Contractive weight": "Peso contractivo", "Noise": "Ruido", "Noise level": "Nivel de ruido",
    "Noisy inputs": "Entradas ruidosas", "Copies": "Copias", "copies": "copias",
    "Encoder": "Codificador", "Latent size": "Tamaño latente", "Mirror decoder": "Decodificador espejo",
    "Decoder": "Decodificador", "Layers": "Capas", "Hidden act.": "Act. oculta", "Latent act.": "Act. latente",
    "Output act.": "Act. salida", "Init": "Inicialización",
    "Loss": "Pérdida", "Optimizer": "Optimizador", "Learning rate": "Tasa de aprendizaje",
    "Momentum": "Momento", "LR schedule": "Programa de TA", "Decay rate": "Tasa de decaimiento",
    "Step every": "Escalón cada", "Step factor": "Factor de escalón", "Epochs": "Épocas",
    "Batch size": "Tamaño de lote", "Weight decay": "Decaimiento de pesos", "Seed": "Semilla",
    "Best of K": "Mejor de K", "Target": "Objetivo", "Check every": "Comprobar cada", "Device": "Dispositivo",
    " epochs": " épocas", "full batch": "lote completo", "Stop at ≤": "Parar con ≤", "wrong pixels": "píxeles mal",
    "seeds": "semillas",
    "autoencoder": "autoencoder", "denoising": "eliminación de ruido", "variational (VAE)": "variacional (VAE)",
    "sparse": "disperso", "contractive": "contractivo",
    "identity (linear)": "identidad (lineal)", "sigmoid": "sigmoide", "leaky ReLU": "ReLU con fuga",
    "uniform": "uniforme",
    "MSE (squared error)": "MSE (error cuadrático)",
    "BCE (cross-entropy)": "BCE (entropía cruzada)",
    "SGD + momentum": "SGD + momento", "Powell (scipy)": "Powell (scipy)", "BFGS (scipy)": "BFGS (scipy)",
    "CG (scipy)": "CG (scipy)",
    "constant": "constante", "exponential": "exponencial", "steps": "escalones",
    "cosine to 0": "coseno hasta 0",
    "salt-and-pepper": "sal y pimienta", "bit flip": "inversión de bits", "gaussian": "gaussiano",
    "fresh every epoch": "nuevo en cada época", "fixed copies": "copias fijas",
    "L1 on the code": "L1 sobre el código", "KL to a target rate ρ": "KL hacia una tasa ρ",
    "Auto": "Auto", "CUDA (GPU)": "CUDA (GPU)", "{key} (not available)": "{key} (no disponible)",
    "Train": "Entrenar", "Pause": "Pausar", "Resume": "Reanudar", "Stop": "Detener",
    "Reset": "Restablecer", "Load config…": "Cargar configuración…", "Save config…": "Guardar configuración…",
    "Back to the loaded configuration (or the defaults)":
        "Volver a la configuración cargada (o a los valores por defecto)",
    "Fix the marked fields to train": "Corrige los campos marcados para entrenar",
    "{n} parameters": "{n} parámetros",
    "the latent size must be smaller than every encoder layer and at most every decoder layer":
        "el tamaño latente debe ser menor que cada capa del codificador y no mayor que las del decodificador",
    "{name!r} is not in {file}; it has {names} (or use 'all')":
        "{name!r} no está en {file}; tiene {names} (o usa 'all')",
    "{file}, line {line}: {error}": "{file}, línea {line}: {error}",
    "Cannot use this font file": "No se puede usar este archivo de fuentes",
    "Loaded {file}.": "Cargado {file}.", "Saved {file}.": "Guardado {file}.",
    "Could not load the configuration": "No se pudo cargar la configuración",
    "Could not save the configuration": "No se pudo guardar la configuración",
    "Font headers (*.h);;All files (*)": "Cabeceras de fuentes (*.h);;Todos los archivos (*)",
    "Configurations (*.json);;All files (*)": "Configuraciones (*.json);;Todos los archivos (*)",
    # Tooltips.
    "Source": "Origen", "Folder": "Carpeta", "Images file": "Imágenes",
    "Labels file": "Etiquetas", "Size": "Tamaño", "Colour": "Color", "Emoji": "Emoji",
    "Classes": "Clases", "Max samples": "Máx. muestras", "Validation": "Validación",
    "Split seed": "Semilla de división", "Architecture": "Arquitectura", "Input": "Entrada",
    "Conv channels": "Canales conv.", "seed": "semilla", "all": "todas",
    "5x7 fonts (font.h)": "fuentes 5x7 (font.h)", "Image folder": "Carpeta de imágenes",
    "MNIST-style IDX files": "IDX (estilo MNIST)",
    "8x8 digits (scikit-learn)": "dígitos 8x8 (scikit-learn)",
    "grey (1 = ink)": "gris (1 = tinta)", "RGB on white": "RGB sobre blanco",
    "RGBA (transparency)": "RGBA (transparencia)",
    "fully connected (MLP)": "totalmente conectada (MLP)", "convolutional": "convolucional",
    "Choose the image folder": "Elegir la carpeta de imágenes",
    "Choose the IDX images file": "Elegir el archivo IDX de imágenes",
    "Choose the IDX labels file": "Elegir el archivo IDX de etiquetas",
    "IDX files (*idx*ubyte *idx*ubyte.gz *.idx *.gz);;All files (*)":
        "Archivos IDX (*idx*ubyte *idx*ubyte.gz *.idx *.gz);;Todos los archivos (*)",
    "all, or e.g. 0,1,7": "todas, o p. ej. 0,1,7",
    "auto: {name}": "auto: {name}", "none found (optional)": "ninguno (opcional)",
    "{h} × {w} glyph": "glifo de {h} × {w}", "{h} × {w} px, grey": "{h} × {w} px, gris",
    "{h} × {w} px, RGB": "{h} × {w} px, RGB", "{h} × {w} px, RGBA": "{h} × {w} px, RGBA",
    "{n} values": "{n} valores", "unknown until the data is found": "desconocida hasta encontrar los datos",
    "write class numbers separated by commas, e.g. 0,1,7":
        "escribe números de clase separados por comas, p. ej. 0,1,7",
    "the digits have classes 0 to 9; {bad} is not one": "los dígitos tienen las clases 0 a 9; {bad} no es una",
    "keeping classes needs labels, and no labels file was found beside the images; choose one in Labels file":
        "quedarse con algunas clases necesita etiquetas y no hay archivo de etiquetas junto a las imágenes; "
        "elige uno en Etiquetas",
    "{path}: has {labels} labels but the images file has {images} images; use the labels of the same set":
        "{path}: tiene {labels} etiquetas pero el archivo de imágenes tiene {images} imágenes; "
        "usa las etiquetas del mismo conjunto",
    "{path}: folder not found; check the path or choose another":
        "{path}: carpeta no encontrada; revisa la ruta o elige otra",
    "{path}: is a file, not a folder; choose the folder that holds the pictures":
        "{path}: es un archivo, no una carpeta; elige la carpeta que contiene las imágenes",
    "check at least one subcategory": "marca al menos una subcategoría",
    "{names}: not an emoji subcategory; uncheck it": "{names}: no es una subcategoría de emoji; desmárcala",
    "5x7 glyphs cannot be halved by a stride-2 convolution; use the MLP architecture for fonts":
        "los glifos de 5x7 no se pueden reducir a la mitad con una convolución de paso 2; "
        "usa la arquitectura MLP para las fuentes",
    TIPS["data.source"]: "De dónde salen las muestras de entrenamiento",
    TIPS["data.folder"]: "Una carpeta de imágenes PNG, JPEG, BMP o GIF; los nombres de las subcarpetas son las etiquetas",
    TIPS["data.images"]: "Un archivo de imágenes estilo MNIST, p. ej. train-images-idx3-ubyte (o .gz)",
    TIPS["data.labels_path"]: "Vacío: se usa el archivo de etiquetas que haya junto a las imágenes",
    TIPS["data.size"]: "Cada imagen se completa hasta un cuadrado y se redimensiona a estos píxeles de lado",
    TIPS["data.color"]: "gris: 1 = tinta sobre fondo blanco; RGB: colores sobre blanco; RGBA: conserva la transparencia",
    TIPS["data.classes"]: "Quedarse solo con estas clases, p. ej. 0,1,7; vacío = todas",
    TIPS["data.max_samples"]: "Quedarse con como mucho estas muestras, repartidas por el conjunto; 0 = todas",
    TIPS["data.val_split"]: "Parte de las muestras reservada para medir la pérdida de validación; 0 = ninguna",
    TIPS["data.split_seed"]: "Semilla de la división aleatoria entre entrenamiento y validación",
    TIPS["model.arch"]: "Capas totalmente conectadas, o convoluciones para imágenes (cada una reduce a la mitad alto y ancho)",
    TIPS["model.channels"]: "Canales de salida de cada convolución; cada convolución reduce a la mitad los lados de la imagen",
    TIPS["model.input_shape"]: "La fija el conjunto de datos: el tamaño de cada muestra",
    TIPS["data.chars"]: "Entrenar solo con estos caracteres; vacío = todos los glifos de las fuentes elegidas",
    TIPS["data.path"]: "Un font.h distinto del archivo del curso",
    TIPS["model.beta"]: "Peso del término KL en la pérdida del VAE",
    TIPS["model.kl_warmup"]: "Épocas en las que β crece de 0 a su valor; 0 = sin calentamiento",
    TIPS["model.sparsity_weight"]: "Peso de la penalización de dispersión sobre el código latente",
    TIPS["model.sparsity_rho"]: "Activación media hacia la que la penalización KL lleva cada unidad del código",
    TIPS["model.contractive_weight"]: "Peso de la penalización sobre el jacobiano del codificador",
    TIPS["noise.level"]: "Probabilidad de que un píxel se corrompa (gaussiano: desviación estándar del ruido)",
    TIPS["noise.mode"]: "Ruido nuevo en cada época, o un conjunto fijo de copias ruidosas de cada glifo",
    TIPS["model.mirror"]: "El decodificador usa los tamaños del codificador en orden inverso",
    TIPS["model.latent"]: "Tamaño del código; con 2 el espacio latente se ve como un plano",
    TIPS["train.learning_rate"]: "Escribe valores como 0.01 o 1e-3",
    TIPS["train.batch_size"]: "Glifos por actualización; 0 = todo el conjunto de una vez",
    TIPS["train.weight_decay"]: "Lleva los pesos hacia 0 en cada paso; 0 = desactivado",
    TIPS["train.seeds"]: "Entrena K modelos con semillas semilla, semilla+1, … a la vez y se queda con el mejor",
    TIPS["train.target_max_wrong"]:
        "Parar en cuanto el peor glifo de un modelo tenga como mucho estos píxeles mal",
    TIPS["train.check_every"]: "Épocas entre comprobaciones de métricas y puntos de progreso",
    SCIPY_BATCH_TIP: "Los optimizadores de scipy usan todo el conjunto en cada iteración: el lote siempre es completo",
})

_FALLBACK_FONTS = ("Font1", "Font2", "Font3")
_ERROR_COLOR = "#c62828"
_NUMBER_WIDTH = 120


def _course_font_names() -> list[str]:
    try:
        names = [f.name for f in read_font_h(course_font_path())]
    except (FontParseError, OSError):
        names = []
    return names or list(_FALLBACK_FONTS)


def _family(source: str) -> str:
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
    kind = {1: "grey", 3: "RGB", 4: "RGBA"}.get(shape[2] if len(shape) == 3 else 1, "grey")
    return tr(f"{{h}} × {{w}} px, {kind}", h=h, w=w)


def _image_encoder(dim: int) -> list[int]:
    """Default MLP hidden layers for images of `dim` values (e.g. 784 -> 512 -> 128)."""
    return [512, 128] if dim > 256 else [64, 32]


def _thin(n: int) -> str:
    return f"{n:,}".replace(",", "\u202f")


def _atomic_write(path: Path, text: str) -> None:
    # aegui.core.files.storage has the same helper but imports torch; the form must not.
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class ModelBuilder(QWidget):
    """Form for an Experiment with Train / Pause / Stop controls.

    `experiment_changed` carries each new valid Experiment; while a field is invalid the widget
    that owns it is outlined in red, the reason is its tooltip and Train is disabled.
    """

    train_requested = Signal(object)
    pause_requested = Signal()
    resume_requested = Signal()
    stop_requested = Signal()
    experiment_changed = Signal(object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._loading = True      # until the first set_experiment: no validation of half-built forms
        self._running = False
        self._paused = False
        self._input_dim = 35
        self._baseline = Experiment()
        self._font_path = ""
        self._font_names = _course_font_names()
        self._path_error: str | None = None
        self._level_exact: tuple[float, float] | None = None
        self._last_emitted: Experiment | None = None
        self._errors: list[ConfigError] = []
        self._marked: dict[QWidget, str] = {}
        self._scipy_was = False          # the optimizer was a scipy one (see _optimizer_changed)
        self._batch_before_scipy = 0
        self._texts: list[tuple[object, str]] = []        # (setter, English text)
        self._tips: dict[QWidget, str] = {}               # widget -> English tooltip
        self._combos: list[tuple[QComboBox, dict]] = []   # combo -> {key: English label}
        self._fields: dict[str, QWidget] = {}             # config field -> widget to mark
        self._row_form: dict[QWidget, QFormLayout] = {}
        self._device_labels_given = False
        self._last_dir = ""
        self._val_exact: tuple[float, float] | None = None
        self._family_now = "glyph"
        self._family_saved: dict[str, dict] = {}   # the other kind of data's model settings
        self._auto_name: str | None = None          # the name, while it is one made up from the data

        self.setStyleSheet(
            f'*[invalid="true"] {{ border: 1px solid {_ERROR_COLOR}; border-radius: 3px; }}')
        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(4, 4, 4, 4)
        column.setSpacing(6)
        column.addLayout(self._build_name())
        column.addWidget(self._build_dataset())
        column.addWidget(self._build_model())
        column.addWidget(self._build_training())
        column.addStretch(1)
        self.form_widget = content

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(content)
        self.scroll_area = scroll

        self.error_label = QLabel(wordWrap=True)
        self.error_label.setStyleSheet(f"color: {_ERROR_COLOR}; font-size: small;")
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.hide()
        self.info_label = QLabel(wordWrap=True)
        self.info_label.setStyleSheet("font-size: small;")
        self.info_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.info_label.hide()
        self.memory_label = MemoryLabel()

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(4)
        outer.addWidget(scroll, 1)
        outer.addWidget(self.error_label)
        outer.addLayout(self._build_buttons())
        outer.addWidget(self.info_label)
        outer.addWidget(self.memory_label)

        for w in content.findChildren(QWidget):
            wheel_guard.guard(w)
        self.retranslate()
        i18n.notifier.changed.connect(self.retranslate)
        self._loading = False
        self.set_experiment(Experiment())

    # ------------------------------------------------------------------ construction

    def _text(self, setter, english: str) -> None:
        self._texts.append((setter, english))

    def _form(self) -> QFormLayout:
        form = QFormLayout()
        form.setContentsMargins(6, 4, 6, 6)
        form.setHorizontalSpacing(6)
        form.setVerticalSpacing(4)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        return form

    def _group(self, english: str, form: QFormLayout) -> QGroupBox:
        box = QGroupBox()
        box.setLayout(form)
        self._text(box.setTitle, english)
        return box

    def _row(self, form: QFormLayout, key: str, widget: QWidget, owner: QWidget | None = None,
             is_field: bool = True, label: QWidget | None = None) -> QWidget:
        """Adds the row labelled FIELD_LABELS[key] (or `label`); `owner` (default: `widget`) is
        the widget outlined when the config field `key` is invalid."""
        if label is None:
            label = QLabel()
            self._text(label.setText, FIELD_LABELS[key])
        if isinstance(widget, (QSpinBox, NumberEdit)):
            # Numbers read better in a short box than stretched across the dock.
            widget.setFixedWidth(_NUMBER_WIDTH)
        form.addRow(label, widget)
        self._row_form[widget] = form
        owner = owner or widget
        if is_field:
            self._fields[key] = owner
        if key in TIPS:
            self._tips[owner] = TIPS[key]
        self._watch(owner)
        return widget

    def _combo(self, labels: dict, keys=None) -> QComboBox:
        combo = QComboBox()
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(6)
        for key in keys or labels:
            combo.addItem(labels.get(key, key), key)
        self._combos.append((combo, labels))
        return combo

    @staticmethod
    def _spin(lo: int, hi: int) -> QSpinBox:
        spin = QSpinBox()
        spin.setRange(lo, hi)
        spin.setAlignment(Qt.AlignmentFlag.AlignRight)
        return spin

    def _watch(self, w: QWidget) -> None:
        if isinstance(w, QLineEdit):
            w.textChanged.connect(self._on_edit)
        elif isinstance(w, QComboBox):
            w.currentIndexChanged.connect(self._on_edit)
        elif isinstance(w, (QSpinBox, QDoubleSpinBox)):
            w.valueChanged.connect(self._on_edit)
        elif isinstance(w, QCheckBox):
            w.toggled.connect(self._on_edit)
        elif isinstance(w, LayerListEditor):
            w.changed.connect(self._on_edit)

    @staticmethod
    def _hbox(*items, fill=False) -> QWidget:
        holder = QWidget()
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        for item in items:
            row.addWidget(item)
        if not fill:
            row.addStretch(1)
        return holder

    def _build_name(self) -> QFormLayout:
        form = self._form()
        form.setContentsMargins(6, 0, 6, 0)
        self.name_edit = QLineEdit()
        self._row(form, "name", self.name_edit)
        return form

    def _build_dataset(self) -> QGroupBox:
        form = self._form()
        self.source_combo = self._combo(SOURCE_LABELS, C.SOURCES)
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
        self.font_error_label.setStyleSheet(f"color: {_ERROR_COLOR};")
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
        self.size_spin = self._spin(*C.IMAGE_SIZE_RANGE)
        self.size_spin.setSuffix(" px")
        self._row(form, "data.size", self.size_spin)
        self.color_combo = self._combo(COLOR_LABELS, C.COLORS)
        self._row(form, "data.color", self.color_combo)
        self.subcat_picker = SubcategoryPicker(emoji_subcategories())
        self.subcat_picker.changed.connect(self._on_edit)
        self._row(form, "data.subcategories", self.subcat_picker, owner=self.subcat_picker.list)

        self.classes_edit = QLineEdit()
        self._text(self.classes_edit.setPlaceholderText, "all, or e.g. 0,1,7")
        self._row(form, "data.classes", self.classes_edit)
        self.max_samples_spin = self._spin(0, 100_000_000)
        self._text(self.max_samples_spin.setSpecialValueText, "all")
        self._row(form, "data.max_samples", self.max_samples_spin)

        self.val_spin = QDoubleSpinBox()
        self.val_spin.setRange(0.0, C.MAX_VAL_SPLIT * 100)
        self.val_spin.setDecimals(1)
        self.val_spin.setSingleStep(5.0)
        self.val_spin.setSuffix(" %")
        self.val_spin.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.val_spin.setFixedWidth(80)
        self.split_seed_spin = self._spin(0, 2**31 - 1)
        self.split_seed_spin.setMinimumWidth(60)
        self.split_seed_label = QLabel()
        self._text(self.split_seed_label.setText, "seed")
        self._row(form, "data.val_split", self._hbox(self.val_spin, self.split_seed_label, self.split_seed_spin),
                  owner=self.val_spin)
        self._fields["data.split_seed"] = self.split_seed_spin
        self._tips[self.split_seed_spin] = TIPS["data.split_seed"]
        self._watch(self.split_seed_spin)
        return self._group("Dataset", form)

    def _build_model(self) -> QGroupBox:
        form = self._form()
        self.kind_combo = self._combo(C.KIND_LABELS, C.KINDS)
        self._row(form, "model.kind", self.kind_combo)
        self.arch_combo = self._combo(C.ARCH_LABELS, C.ARCHS)
        self._row(form, "model.arch", self.arch_combo)

        self.beta_edit = NumberEdit()
        self._row(form, "model.beta", self.beta_edit)
        self.kl_warmup_spin = self._spin(0, 10_000_000)
        self._text(self.kl_warmup_spin.setSuffix, " epochs")
        self._row(form, "model.kl_warmup", self.kl_warmup_spin)

        self.sparsity_combo = self._combo(SPARSITY_LABELS, C.SPARSITY)
        self._row(form, "model.sparsity", self.sparsity_combo)
        self.sparsity_weight_edit = NumberEdit()
        self._row(form, "model.sparsity_weight", self.sparsity_weight_edit)
        self.sparsity_rho_edit = NumberEdit()
        self._row(form, "model.sparsity_rho", self.sparsity_rho_edit)
        self.contractive_edit = NumberEdit()
        self._row(form, "model.contractive_weight", self.contractive_edit)

        self.noise_kind_combo = self._combo(NOISE_LABELS, C.NOISE_KINDS)
        self._row(form, "noise.kind", self.noise_kind_combo)
        self.noise_level_slider = QSlider(Qt.Orientation.Horizontal)
        self.noise_level_slider.setRange(0, 100)
        self.noise_level_spin = QDoubleSpinBox()
        self.noise_level_spin.setRange(0.0, 100.0)
        self.noise_level_spin.setDecimals(1)
        self.noise_level_spin.setSuffix(" %")
        self.noise_level_spin.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.noise_level_slider.valueChanged.connect(self._slider_moved)
        self.noise_level_spin.valueChanged.connect(self._level_spin_changed)
        self.noise_level_row = self._hbox(self.noise_level_slider, self.noise_level_spin, fill=True)
        self._row(form, "noise.level", self.noise_level_row, owner=self.noise_level_spin)
        self.noise_mode_combo = self._combo(MODE_LABELS, C.NOISE_MODES)
        self.noise_copies_spin = self._spin(1, 100_000)
        self.noise_copies_spin.setMinimumWidth(52)
        self.noise_copies_label = QLabel()
        self._text(self.noise_copies_label.setText, "copies")
        self.noise_mode_row = self._hbox(self.noise_mode_combo, self.noise_copies_spin, self.noise_copies_label,
                                         fill=True)
        self.noise_mode_combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._row(form, "noise.mode", self.noise_mode_row, owner=self.noise_mode_combo)
        self._fields["noise.copies"] = self.noise_copies_spin
        self._watch(self.noise_copies_spin)

        self.input_label = QLabel(wordWrap=True)
        self._row(form, "model.input_shape", self.input_label)
        self.channels_editor = LayerListEditor(maximum=1024, max_count=C.MAX_CONV_LAYERS,
                                               next_value=lambda values: min(1024, values[-1] * 2) if values else 32)
        self._row(form, "model.channels", self.channels_editor)
        self.encoder_editor = LayerListEditor()
        self._row(form, "model.encoder", self.encoder_editor, is_field=False)
        self.latent_spin = self._spin(1, 128)
        self._tips[self.latent_spin] = TIPS["model.latent"]
        self.mirror_check = QCheckBox()
        self._text(self.mirror_check.setText, "Mirror decoder")
        self._tips[self.mirror_check] = TIPS["model.mirror"]
        self.mirror_check.toggled.connect(self._mirror_toggled)
        self._row(form, "model.latent", self.latent_spin, is_field=False)
        form.addRow("", self.mirror_check)
        self._row_form[self.mirror_check] = form
        self._fields["model.mirror"] = self.mirror_check
        self.decoder_editor = LayerListEditor()
        self._row(form, "model.decoder", self.decoder_editor, is_field=False)
        self.layers_label = QLabel(wordWrap=True)
        self.layers_label.setTextFormat(Qt.TextFormat.RichText)
        self._row(form, "model.layers", self.layers_label)

        self.hidden_act_combo = self._combo(ACTIVATION_LABELS, C.ACTIVATIONS)
        self._row(form, "model.hidden_activation", self.hidden_act_combo)
        self.latent_act_combo = self._combo(ACTIVATION_LABELS, C.ACTIVATIONS)
        self._row(form, "model.latent_activation", self.latent_act_combo)
        self.output_act_combo = self._combo(ACTIVATION_LABELS, C.ACTIVATIONS)
        self._row(form, "model.output_activation", self.output_act_combo)
        self.init_combo = self._combo(INIT_LABELS, C.INITS)
        self._row(form, "model.init", self.init_combo)
        return self._group("Model", form)

    def _build_training(self) -> QGroupBox:
        form = self._form()
        self.loss_combo = self._combo(LOSS_LABELS, C.LOSSES)
        self._row(form, "train.loss", self.loss_combo)
        self.optimizer_combo = self._combo(OPTIMIZER_LABELS, C.OPTIMIZERS)
        # Connected before _row's _on_edit, so the batch size is 0 before validation.
        self.optimizer_combo.currentIndexChanged.connect(self._optimizer_changed)
        self._row(form, "train.optimizer", self.optimizer_combo)
        self.lr_edit = NumberEdit()
        self._row(form, "train.learning_rate", self.lr_edit)
        self.momentum_edit = NumberEdit()
        self._row(form, "train.momentum", self.momentum_edit)
        self.schedule_combo = self._combo(SCHEDULE_LABELS, C.SCHEDULES)
        self._row(form, "train.schedule", self.schedule_combo)
        self.decay_rate_edit = NumberEdit()
        self._row(form, "train.decay_rate", self.decay_rate_edit)
        self.step_size_spin = self._spin(1, 10_000_000)
        self._text(self.step_size_spin.setSuffix, " epochs")
        self._row(form, "train.step_size", self.step_size_spin)
        self.step_gamma_edit = NumberEdit()
        self._row(form, "train.step_gamma", self.step_gamma_edit)
        self.epochs_spin = self._spin(1, 100_000_000)
        self._row(form, "train.epochs", self.epochs_spin)
        self.batch_spin = self._spin(0, 10_000_000)
        self._text(self.batch_spin.setSpecialValueText, "full batch")
        self._row(form, "train.batch_size", self.batch_spin)
        self.weight_decay_edit = NumberEdit()
        self._row(form, "train.weight_decay", self.weight_decay_edit)
        self.seed_spin = self._spin(0, 2**31 - 1)
        self._row(form, "train.seed", self.seed_spin)
        self.seeds_spin = self._spin(1, 256)
        self.seeds_spin.setMinimumWidth(60)
        self.seeds_label = QLabel()
        self._text(self.seeds_label.setText, "seeds")
        self._row(form, "train.seeds", self._hbox(self.seeds_spin, self.seeds_label), owner=self.seeds_spin)
        self.target_check = QCheckBox()
        self._text(self.target_check.setText, "Stop at ≤")
        self.target_spin = self._spin(0, 100_000)
        self.target_spin.setMinimumWidth(60)
        self.target_label = QLabel()
        self._text(self.target_label.setText, "wrong pixels")
        self.target_check.toggled.connect(self._on_edit)
        # The check box is the row's label: a separate "Target" label would not fit the dock.
        self._row(form, "train.target_max_wrong", self._hbox(self.target_spin, self.target_label),
                  owner=self.target_spin, label=self.target_check)
        self._tips[self.target_check] = TIPS["train.target_max_wrong"]
        self.check_every_spin = self._spin(1, 1_000_000)
        self._text(self.check_every_spin.setSuffix, " epochs")
        self._row(form, "train.check_every", self.check_every_spin)
        self.device_combo = self._combo(DEVICE_LABELS, C.DEVICES)
        self._row(form, "train.device", self.device_combo)
        return self._group("Training", form)

    def _build_buttons(self) -> QGridLayout:
        grid = QGridLayout()
        grid.setContentsMargins(4, 0, 4, 4)
        grid.setSpacing(4)
        self.train_button = QPushButton()
        self.pause_button = QPushButton()
        self.stop_button = QPushButton()
        self.reset_button = QPushButton()
        self.load_button = QPushButton()
        self.save_button = QPushButton()
        for button, text in ((self.train_button, "Train"), (self.stop_button, "Stop"),
                             (self.reset_button, "Reset"), (self.load_button, "Load config…"),
                             (self.save_button, "Save config…")):
            self._text(button.setText, text)
        self._tips[self.reset_button] = "Back to the loaded configuration (or the defaults)"
        self.train_button.clicked.connect(self._train_clicked)
        self.pause_button.clicked.connect(self._pause_clicked)
        self.stop_button.clicked.connect(self.stop_requested)
        self.reset_button.clicked.connect(self.reset)
        self.load_button.clicked.connect(self._load_dialog)
        self.save_button.clicked.connect(self._save_dialog)
        for col, b in enumerate((self.train_button, self.pause_button, self.stop_button, self.reset_button)):
            b.setMinimumWidth(0)
            grid.addWidget(b, 0, col)
        grid.addWidget(self.load_button, 1, 0, 1, 2)
        grid.addWidget(self.save_button, 1, 2, 1, 2)
        self.pause_button.setEnabled(False)
        self.stop_button.setEnabled(False)
        return grid

    # ------------------------------------------------------------------ public API

    def field_widget(self, field: str) -> QWidget | None:
        """The widget that shows `field` (a ConfigError field such as 'model.layers[2]') for
        the current source: data.path is the font file, the image folder or the IDX file."""
        base = field.split("[", 1)[0]
        source = self.source_combo.currentData()
        if base == "data.path":
            return {"folder": self.folder_edit.line, "idx": self.idx_edit.line}.get(source, self.path_edit)
        if base == "data.size" and source == "emoji":
            return self.emoji_size_combo
        if field in self._fields:
            return self._fields[field]
        return self._fields.get(base)

    def fields(self) -> dict[str, QWidget]:
        return dict(self._fields)

    def field_label(self, field: str) -> str:
        """The (translated) row label of a config field, as error messages name it."""
        base = field.split("[", 1)[0]
        if base == "data.path":
            field = base = {"folder": "data.folder", "idx": "data.images"}.get(self.source_combo.currentData(), base)
        label = FIELD_LABELS.get(field) or FIELD_LABELS.get(base)
        return tr(label) if label else field

    def sample_shape(self) -> tuple[int, ...] | None:
        """Shape of one sample of the chosen data (None while it cannot be known, e.g. an IDX
        file that is not there); read from the config, never by loading the data."""
        try:
            return sample_shape(self._data_config([]))
        except ConfigError:
            return None

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

    def set_devices(self, devices) -> None:
        """[(key, label), ...] once torch knows what is there; keeps the current choice."""
        current = self.device_combo.currentData()
        self._device_labels_given = True
        self.device_combo.blockSignals(True)
        self.device_combo.clear()
        for key, label in devices:
            self.device_combo.addItem(label, key)
        self.device_combo.blockSignals(False)
        self._select(self.device_combo, current)
        self._on_edit()

    def experiment(self) -> Experiment:
        exp, errors = self._assess()
        if errors:
            raise errors[0]
        return exp

    def validate_fields(self) -> list[ConfigError]:
        return self._assess()[1]

    def set_experiment(self, exp: Experiment) -> None:
        """Shows `exp` in every field; Reset comes back to it."""
        self._baseline = exp
        self._loading = True
        try:
            self._fill(exp)
        finally:
            self._loading = False
        self._on_edit()

    def reset(self) -> None:
        self.set_experiment(self._baseline)

    def set_font_path(self, path, keep_on_error: bool = False) -> bool:
        """Uses the arrays of another font.h ('' = the course file). On a parse error the message
        names the line; the previous file stays unless `keep_on_error` (used when loading a config,
        so the path survives and the error shows at the field)."""
        path = str(path or "")
        error = None
        names = _course_font_names()
        if path:
            try:
                names = [f.name for f in read_font_h(path)]
                if not names:
                    raise FontParseError("no font arrays found, e.g. int const Font1[32][7] = {...}", path)
            except FontParseError as e:
                where = Path(e.source).name
                error = (tr("{file}, line {line}: {error}", file=where, line=e.line, error=e.message)
                         if e.line is not None else f"{where}: {e.message}")
        self.font_error_label.setText(error or "")
        self.font_error_label.setVisible(bool(error))
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

    def load_config(self, path) -> list[str]:
        """Loads a native or student JSON config; returns the notes (e.g. ignored keys), which are
        also shown under the buttons. Raises ConfigError (naming the field) when it cannot."""
        try:
            exp, notes = load_experiment(path)
        except ConfigError as e:
            self._info(f"{tr('Could not load the configuration')}: {e}", error=True)
            raise
        self.set_experiment(exp)
        self._info(" ".join([tr("Loaded {file}.", file=Path(path).name), *notes]))
        return notes

    def save_config(self, path) -> None:
        """Writes the current experiment as native JSON; raises ConfigError when it is invalid."""
        exp = self.experiment()
        path = Path(path)
        _atomic_write(path, exp.to_json() + "\n")
        self._info(tr("Saved {file}.", file=path.name))

    def set_running(self, running: bool, paused: bool = False, loading: bool = False) -> None:
        """`loading`: the dataset is being read before training starts (Stop cancels it;
        there is nothing to pause yet)."""
        self._running, self._paused = bool(running), bool(running and paused)
        self.form_widget.setEnabled(not running)
        self.pause_button.setEnabled(running and not loading)
        self.stop_button.setEnabled(running)
        self.reset_button.setEnabled(not running)
        self.load_button.setEnabled(not running)
        self._update_buttons()

    # ------------------------------------------------------------------ filling and reading

    def _select(self, combo: QComboBox, key) -> None:
        i = combo.findData(key)
        if i < 0:
            # Keep a value this build cannot offer (e.g. 'cuda' with no GPU) so nothing is lost.
            label = tr("{key} (not available)", key=key) if combo is self.device_combo else str(key)
            combo.addItem(label, key)
            i = combo.count() - 1
        combo.setCurrentIndex(i)

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

    def _fill(self, exp: Experiment) -> None:
        d, m, t, n = exp.data, exp.model, exp.train, exp.noise
        self.name_edit.setText(exp.name)
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
        self._family_now, self._family_saved = _family(d.source), {}
        self._auto_name = None

        self._select(self.kind_combo, m.kind)
        self._select(self.arch_combo, m.arch)
        self.channels_editor.set_values(m.channels)
        layers = list(m.layers) or [self._input_dim]
        self._input_dim = layers[0]
        if m.arch == "conv" and len(m.full_layers) == 3:
            # A conv model has no hidden MLP layers: the MLP editors get ones that suit its data.
            enc, latent = _image_encoder(layers[0]), layers[1]
            dec = list(reversed(enc))
        elif m.mirror or len(layers) < 3:
            enc, latent, dec = layers[1:-1], layers[-1] if len(layers) > 1 else 2, None
        else:
            li = m.latent_index
            enc, latent, dec = layers[1:li], layers[li], layers[li + 1:-1]
        self.encoder_editor.set_values(enc)
        self.latent_spin.setValue(latent)
        self.mirror_check.setChecked(m.mirror)
        self.decoder_editor.set_values(list(reversed(enc)) if dec is None else dec)
        self._select(self.hidden_act_combo, m.hidden_activation)
        self._select(self.latent_act_combo, m.latent_activation)
        self._select(self.output_act_combo, m.output_activation)
        self._select(self.init_combo, m.init)
        self.beta_edit.set_value(m.beta)
        self.kl_warmup_spin.setValue(m.kl_warmup)
        self._select(self.sparsity_combo, m.sparsity)
        self.sparsity_weight_edit.set_value(m.sparsity_weight)
        self.sparsity_rho_edit.set_value(m.sparsity_rho)
        self.contractive_edit.set_value(m.contractive_weight)

        self._select(self.noise_kind_combo, n.kind)
        self.noise_level_spin.setValue(n.level * 100)
        # The spin box shows 1 decimal of a percent; remember the exact level until it is edited.
        self._level_exact = (self.noise_level_spin.value(), n.level)
        self._select(self.noise_mode_combo, n.mode)
        self.noise_copies_spin.setValue(n.copies)

        self._select(self.loss_combo, t.loss)
        self._select(self.optimizer_combo, t.optimizer)
        self.lr_edit.set_value(t.learning_rate)
        self.momentum_edit.set_value(t.momentum)
        self._select(self.schedule_combo, t.schedule)
        self.decay_rate_edit.set_value(t.decay_rate)
        self.step_size_spin.setValue(t.step_size)
        self.step_gamma_edit.set_value(t.step_gamma)
        self.epochs_spin.setValue(t.epochs)
        self.batch_spin.setValue(t.batch_size)
        self.weight_decay_edit.set_value(t.weight_decay)
        self.seed_spin.setValue(t.seed)
        self.seeds_spin.setValue(t.seeds)
        self.target_check.setChecked(t.target_max_wrong is not None)
        self.target_spin.setValue(t.target_max_wrong or 0)
        self.check_every_spin.setValue(t.check_every)
        self._select(self.device_combo, t.device)

    def _conv(self) -> bool:
        return self.arch_combo.currentData() == "conv"

    def _layer_sizes(self) -> tuple[tuple[int, ...], int]:
        """(layers as ModelSpec stores them, index of the latent layer in the full list)."""
        d, latent = self._input_dim, self.latent_spin.value()
        mirror = self.mirror_check.isChecked()
        if self._conv():
            # The conv layers are the channels; `layers` holds only the sizes at both ends.
            return ((d, latent) if mirror else (d, latent, d)), 1
        enc = self.encoder_editor.values()
        if mirror:
            return (d, *enc, latent), len(enc) + 1
        return (d, *enc, latent, *self.decoder_editor.values(), d), len(enc) + 1

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
            max_samples=self.max_samples_spin.value(), val_split=val, split_seed=self.split_seed_spin.value())

    def _assess(self) -> tuple[Experiment, list[ConfigError]]:
        errors: list[ConfigError] = []
        base = self._baseline

        def number(field: str, edit: NumberEdit, fallback: float) -> float:
            try:
                return edit.value()
            except ValueError as e:
                errors.append(ConfigError(field, str(e)))
                return fallback

        data = self._data_config(errors)
        try:
            shape = sample_shape(data)
        except ConfigError as e:
            errors.append(e)
            shape = None
        else:
            self._input_dim = math.prod(shape)
        layers, latent_at = self._layer_sizes()
        level = round(self.noise_level_spin.value() / 100, 8)
        if self._level_exact and self._level_exact[0] == self.noise_level_spin.value():
            level = self._level_exact[1]
        bm, bt = base.model, base.train
        if self._conv():
            input_shape = tuple(shape) if shape else tuple(bm.input_shape)
        else:
            # Unused by an MLP: kept only as a loaded config gave it, while it still fits.
            input_shape = tuple(bm.input_shape) if shape and tuple(bm.input_shape) == tuple(shape) else ()
        exp = Experiment(
            name=self.name_edit.text(),
            data=data,
            model=ModelSpec(
                kind=self.kind_combo.currentData(), layers=layers, mirror=self.mirror_check.isChecked(),
                hidden_activation=self.hidden_act_combo.currentData(),
                latent_activation=self.latent_act_combo.currentData(),
                output_activation=self.output_act_combo.currentData(), init=self.init_combo.currentData(),
                beta=number("model.beta", self.beta_edit, bm.beta), kl_warmup=self.kl_warmup_spin.value(),
                sparsity=self.sparsity_combo.currentData(),
                sparsity_weight=number("model.sparsity_weight", self.sparsity_weight_edit, bm.sparsity_weight),
                sparsity_rho=number("model.sparsity_rho", self.sparsity_rho_edit, bm.sparsity_rho),
                contractive_weight=number("model.contractive_weight", self.contractive_edit,
                                          bm.contractive_weight),
                arch=self.arch_combo.currentData(), channels=tuple(self.channels_editor.values()),
                input_shape=input_shape),
            train=TrainConfig(
                loss=self.loss_combo.currentData(), optimizer=self.optimizer_combo.currentData(),
                learning_rate=number("train.learning_rate", self.lr_edit, bt.learning_rate),
                momentum=number("train.momentum", self.momentum_edit, bt.momentum),
                schedule=self.schedule_combo.currentData(),
                decay_rate=number("train.decay_rate", self.decay_rate_edit, bt.decay_rate),
                step_size=self.step_size_spin.value(),
                step_gamma=number("train.step_gamma", self.step_gamma_edit, bt.step_gamma),
                epochs=self.epochs_spin.value(), batch_size=self.batch_spin.value(),
                weight_decay=number("train.weight_decay", self.weight_decay_edit, bt.weight_decay),
                seed=self.seed_spin.value(), seeds=self.seeds_spin.value(), device=self.device_combo.currentData(),
                target_max_wrong=self.target_spin.value() if self.target_check.isChecked() else None,
                check_every=self.check_every_spin.value()),
            noise=NoiseConfig(kind=self.noise_kind_combo.currentData(), level=level,
                              mode=self.noise_mode_combo.currentData(), copies=self.noise_copies_spin.value()),
        )
        errors += [e for e in self._builder_checks(exp, latent_at) if e.field not in {x.field for x in errors}]
        try:
            C.validate(exp)
        except ConfigError as e:
            fields = {x.field for x in errors}
            # One cause, one mark: conv on 5x7 glyphs is reported at the architecture only.
            conv_fields = ("model.channels", "model.input_shape", "model.layers")
            if e.field not in fields and not ("model.arch" in fields and e.field in conv_fields):
                errors.append(e)
        return exp, errors

    def _builder_checks(self, exp: Experiment, latent_at: int) -> list[ConfigError]:
        """Rules the form adds to config.validate: ones that only a file or the layout can break."""
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
        m = exp.model
        if m.arch == "conv" and d.source == "font":
            out.append(ConfigError("model.arch", tr("5x7 glyphs cannot be halved by a stride-2 convolution; "
                                                    "use the MLP architecture for fonts")))
        if m.arch == "mlp" and not m.mirror:
            # ModelSpec takes the smallest layer as the code; keep that the one shown as latent.
            latent = m.layers[latent_at]
            if any(h <= latent for h in m.layers[1:latent_at]) or \
                    any(h < latent for h in m.layers[latent_at + 1:-1]):
                out.append(ConfigError("model.layers", tr("the latent size must be smaller than every "
                                                          "encoder layer and at most every decoder layer")))
        return out

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

    # ------------------------------------------------------------------ reacting to edits

    def _on_edit(self, *_):
        if self._loading:
            return
        if self._auto_name is not None and self.name_edit.text() == self._auto_name:
            # A name the builder made up follows the data until the user types one.
            name = self._data_name()
            if name != self._auto_name:
                self._auto_name = name
                self.name_edit.blockSignals(True)
                self.name_edit.setText(name)
                self.name_edit.blockSignals(False)
        self._update_visibility()
        exp, errors = self._assess()
        self._errors = errors
        self._show_errors()
        self._update_summary(exp)
        self._update_buttons()
        if not errors and exp != self._last_emitted:
            self._last_emitted = exp
            self.experiment_changed.emit(exp)

    def _source_changed(self, *_):
        """Glyphs and images want different model sizes: switching between them swaps in the
        settings the other kind had (image defaults the first time), so both are kept."""
        if self._loading:
            return
        family = _family(self.source_combo.currentData())
        if family == self._family_now:
            return
        self._family_saved[self._family_now] = self._family_settings()
        settings = self._family_saved.get(family) or self._family_defaults(family)
        self._loading = True
        try:
            self.encoder_editor.set_values(settings["encoder"])
            self.decoder_editor.set_values(settings["decoder"])
            self._select(self.arch_combo, settings["arch"])
            self.batch_spin.setValue(settings["batch_size"])
            self.epochs_spin.setValue(settings["epochs"])
            self.seeds_spin.setValue(settings["seeds"])
            self.lr_edit.setText(settings["learning_rate"])
            self.target_check.setChecked(settings["target"] is not None)
            self.target_spin.setValue(settings["target"] or 0)
            self.name_edit.setText(settings["name"])
            self._auto_name = settings["auto_name"]
        finally:
            self._loading = False
        self._family_now = family

    def _family_settings(self) -> dict:
        return {"encoder": self.encoder_editor.values(), "decoder": self.decoder_editor.values(),
                "arch": self.arch_combo.currentData(), "batch_size": self.batch_spin.value(),
                "epochs": self.epochs_spin.value(), "seeds": self.seeds_spin.value(),
                "learning_rate": self.lr_edit.text(),
                "target": self.target_spin.value() if self.target_check.isChecked() else None,
                "name": self.name_edit.text(),
                "auto_name": self._auto_name if self._auto_name == self.name_edit.text() else None}

    def _family_defaults(self, family: str) -> dict:
        if family == "glyph":
            m, t = ModelSpec(), TrainConfig()
            li = m.latent_index
            return {"encoder": list(m.layers[1:li]), "decoder": list(m.layers[li + 1:-1]), "arch": "mlp",
                    "batch_size": t.batch_size, "epochs": t.epochs, "seeds": t.seeds,
                    "learning_rate": format_number(t.learning_rate), "target": t.target_max_wrong,
                    "name": Experiment().name, "auto_name": None}
        shape = self.sample_shape()
        enc = _image_encoder(math.prod(shape) if shape else 1024)
        # One model at a time: images cost hundreds of times more per epoch than glyphs. A
        # wrong-pixel target suits 0/1 glyphs, not grey or colour pictures.
        return {"encoder": enc, "decoder": list(reversed(enc)), "arch": self.arch_combo.currentData(),
                "batch_size": IMAGE_BATCH, "epochs": IMAGE_EPOCHS, "seeds": 1, "target": None,
                "learning_rate": format_number(IMAGE_LEARNING_RATE),
                "name": self._data_name(), "auto_name": self._data_name()}

    def _data_name(self) -> str:
        """A default experiment name after the chosen data, e.g. 'emoji' or 'train-images'."""
        source = self.source_combo.currentData()
        path = {"folder": self.folder_edit.path(), "idx": self.idx_edit.path()}.get(source)
        if path:
            name = Path(path).name
            return name.split("-idx")[0] if source == "idx" else name
        return source

    def _mirror_toggled(self, mirrored: bool) -> None:
        if not self._loading and not mirrored:
            # Unmirroring starts from the decoder the model had: the encoder reversed.
            self.decoder_editor.blockSignals(True)
            self.decoder_editor.set_values(list(reversed(self.encoder_editor.values())))
            self.decoder_editor.blockSignals(False)
        self._on_edit()

    def _scipy(self) -> bool:
        return self.optimizer_combo.currentData() in C.SCIPY_OPTIMIZERS

    def _optimizer_changed(self, *_):
        """scipy needs the full batch: switching to it sets 0, switching back restores the size."""
        scipy = self._scipy()
        was, self._scipy_was = self._scipy_was, scipy
        if self._loading or scipy == was:
            return
        if scipy:
            self._batch_before_scipy = self.batch_spin.value()
            self.batch_spin.setValue(0)
        else:
            before, self._batch_before_scipy = self._batch_before_scipy, 0
            if before and self.batch_spin.value() == 0:
                self.batch_spin.setValue(before)

    def _slider_moved(self, value: int) -> None:
        if round(self.noise_level_spin.value()) != value:
            self.noise_level_spin.setValue(value)

    def _level_spin_changed(self, value: float) -> None:
        self.noise_level_slider.blockSignals(True)
        self.noise_level_slider.setValue(round(value))
        self.noise_level_slider.blockSignals(False)

    def _show_row(self, widget: QWidget, visible: bool) -> None:
        self._row_form[widget].setRowVisible(widget, visible)

    def _update_visibility(self) -> None:
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

        kind = self.kind_combo.currentData()
        self._show_row(self.beta_edit, kind == "vae")
        self._show_row(self.kl_warmup_spin, kind == "vae")
        self._show_row(self.sparsity_combo, kind == "sparse")
        self._show_row(self.sparsity_weight_edit, kind == "sparse")
        self._show_row(self.sparsity_rho_edit, kind == "sparse" and self.sparsity_combo.currentData() == "kl")
        self._show_row(self.contractive_edit, kind == "contractive")
        for w in (self.noise_kind_combo, self.noise_level_row, self.noise_mode_row):
            self._show_row(w, kind == "dae")
        self.noise_copies_spin.setEnabled(self.noise_mode_combo.currentData() == "fixed")
        conv = self._conv()
        self._show_row(self.channels_editor, conv)
        self._show_row(self.encoder_editor, not conv)
        self._show_row(self.mirror_check, not conv)
        self._show_row(self.decoder_editor, not conv and not self.mirror_check.isChecked())
        # The VAE's code is a sample of N(mu, sigma): no activation applies to it.
        self._show_row(self.latent_act_combo, kind != "vae")
        # scipy's line searches choose the steps: no learning rate, schedule or momentum applies.
        scipy = self._scipy()
        self._show_row(self.lr_edit, not scipy)
        self._show_row(self.momentum_edit, self.optimizer_combo.currentData() == "momentum")
        self._show_row(self.schedule_combo, not scipy)
        schedule = self.schedule_combo.currentData()
        self._show_row(self.decay_rate_edit, schedule == "exponential" and not scipy)
        self._show_row(self.step_size_spin, schedule == "step" and not scipy)
        self._show_row(self.step_gamma_edit, schedule == "step" and not scipy)
        # A batch size other than 0 stays editable, so a loaded one the validation refuses can be fixed.
        self.batch_spin.setEnabled(not scipy or self.batch_spin.value() != 0)
        tip = SCIPY_BATCH_TIP if scipy else TIPS["train.batch_size"]
        if self._tips.get(self.batch_spin) != tip:
            self._tips[self.batch_spin] = tip
            if self.batch_spin not in self._marked:
                self.batch_spin.setToolTip(tr(tip))
        self.target_spin.setEnabled(self.target_check.isChecked())

    def _update_labels_hint(self) -> None:
        images = self.idx_edit.path()
        guess = guess_labels_path(images) if images else None
        self.labels_edit.set_placeholder(tr("auto: {name}", name=guess.name) if guess
                                         else tr("none found (optional)"))

    def _update_summary(self, exp: Experiment) -> None:
        m = exp.model
        shape = self.sample_shape()
        if shape is None:
            self.input_label.setText(tr("unknown until the data is found"))
        else:
            self.input_label.setText(f"{shape_text(shape)} · {tr('{n} values', n=_thin(math.prod(shape)))}")
        latent = f"<b>{m.latent_dim}</b>"
        try:
            count = A.parameter_count(m)
        except (ValueError, IndexError, ZeroDivisionError):
            count = None      # a layout the validation already marks
        if m.arch == "conv" and shape is not None:
            h, w, c = (*shape, 1)[:3] if len(shape) == 2 else shape
            maps, size = [], (h, w)
            for ch in m.channels:
                size = (size[0] // 2, size[1] // 2)
                maps.append(f"{size[0]}×{size[1]}×{ch}")
            ok = count is not None
            ends = f"{h}×{w}×{c}"
            chain = [ends, *maps, latent, *reversed(maps), ends] if ok else [ends, latent, ends]
        else:
            layers, latent_at = self._layer_sizes()
            chain = [f"<b>{v}</b>" if i == latent_at else str(v) for i, v in enumerate(m.full_layers)]
        text = " → ".join(chain)
        if count is not None:
            text += "<br><span style='color: gray'>" + tr("{n} parameters", n=_thin(count)) + "</span>"
        self.layers_label.setText(text)
        self.memory_label.show_estimate(exp)

    def _update_buttons(self) -> None:
        self.train_button.setEnabled(not self._running and not self._errors)
        self.train_button.setToolTip("" if not self._errors else tr("Fix the marked fields to train"))
        self.pause_button.setText(tr("Resume") if self._paused else tr("Pause"))

    def _show_errors(self) -> None:
        wanted: dict[QWidget, str] = {}
        lines = []
        for e in self._errors:
            problem = tr(e.problem)
            w = self.field_widget(e.field)
            if w is not None:
                wanted[w] = f"{wanted[w]}\n{problem}" if w in wanted else problem
            lines.append(f"{self.field_label(e.field)}: {problem}")
        for w in set(self._marked) | set(wanted):
            if self._marked.get(w) != wanted.get(w):
                self._mark(w, wanted.get(w))
        self._marked = wanted
        self.error_label.setText("\n".join(lines))
        self.error_label.setVisible(bool(lines))

    def mark_field(self, field: str, problem: str) -> None:
        """Point at a field from outside, e.g. the learning rate after training diverged.
        The mark stays until the user edits the form."""
        w = self.field_widget(field)
        if w is not None:
            self._mark(w, problem)
        self._info(problem, error=True)

    def _mark(self, w: QWidget, problem: str | None) -> None:
        w.setProperty("invalid", problem is not None)
        w.setToolTip(problem if problem is not None else tr(self._tips.get(w, "")))
        # Dynamic properties only restyle after a re-polish.
        w.style().unpolish(w)
        w.style().polish(w)
        w.update()

    def _info(self, text: str, error: bool = False) -> None:
        self.info_label.setStyleSheet(f"font-size: small; color: {_ERROR_COLOR};" if error else "font-size: small;")
        self.info_label.setText(text)
        self.info_label.setVisible(bool(text))

    def retranslate(self, *_):
        for setter, english in self._texts:
            setter(tr(english))
        for combo, labels in self._combos:
            if combo is self.device_combo and self._device_labels_given:
                continue
            for i in range(combo.count()):
                key = combo.itemData(i)
                if key in labels:
                    combo.setItemText(i, tr(labels[key]))
        i = self._font_index(("all",))
        if i >= 0:
            self.font_combo.setItemText(i, tr("All fonts"))
        for w, english in self._tips.items():
            if w not in self._marked:
                w.setToolTip(tr(english))
        if not self._loading and hasattr(self, "train_button"):
            self._on_edit()

    # ------------------------------------------------------------------ buttons and dialogs

    def _train_clicked(self) -> None:
        # Files may have changed since the last edit: check again, and mark what broke.
        self._on_edit()
        try:
            exp = self.experiment()
        except ConfigError:
            return
        self.train_requested.emit(exp)

    def _pause_clicked(self) -> None:
        if self._paused:
            self._paused = False
            self.resume_requested.emit()
        else:
            self._paused = True
            self.pause_requested.emit()
        self._update_buttons()

    def _start_dir(self) -> str:
        return self._last_dir or str(Path.home())

    def _choose_font_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("Other font.h…"), self._start_dir(),
                                              tr("Font headers (*.h);;All files (*)"))
        if not path:
            return
        self._last_dir = str(Path(path).parent)
        if not self.set_font_path(path):
            QMessageBox.warning(self, tr("Cannot use this font file"), self.font_error_label.text())

    def _load_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("Load config…"), self._start_dir(),
                                              tr("Configurations (*.json);;All files (*)"))
        if not path:
            return
        self._last_dir = str(Path(path).parent)
        try:
            self.load_config(path)
        except ConfigError as e:
            QMessageBox.warning(self, tr("Could not load the configuration"), str(e))

    def _save_dialog(self) -> None:
        try:
            exp = self.experiment()
        except ConfigError as e:
            QMessageBox.warning(self, tr("Could not save the configuration"), str(e))
            return
        start = str(Path(self._start_dir()) / f"{exp.name or 'experiment'}.json")
        path, _ = QFileDialog.getSaveFileName(self, tr("Save config…"), start,
                                              tr("Configurations (*.json);;All files (*)"))
        if not path:
            return
        self._last_dir = str(Path(path).parent)
        try:
            self.save_config(path)
        except (ConfigError, OSError) as e:
            QMessageBox.warning(self, tr("Could not save the configuration"), str(e))
