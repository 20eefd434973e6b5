"""The Spanish of every field description in aegui.core.config.fields, registered once for the
builder and the sweep editor, and the translated names both show."""
from __future__ import annotations

from aegui.core.config.fields import FIELD_LABELS, SCIPY_BATCH_TIP, TIPS
from aegui.qt import i18n
from aegui.qt.i18n import tr

i18n.register({
    # Row labels.
    "Name": "Nombre", "Fonts": "Fuentes", "Font file": "Archivo de fuentes", "Characters": "Caracteres",
    "Source": "Origen", "Folder": "Carpeta", "Images file": "Imágenes",
    "Labels file": "Etiquetas", "Size": "Tamaño", "Colour": "Color", "Emoji": "Emoji",
    "Classes": "Clases", "Max samples": "Máx. muestras", "Validation": "Validación",
    "Split seed": "Semilla de división", "Architecture": "Arquitectura", "Input": "Entrada",
    "Conv channels": "Canales conv.",
    "Kind": "Tipo", "β (KL weight)": "β (peso KL)", "KL warm-up": "Calentamiento KL",
    "Sparsity": "Dispersión", "Sparsity weight": "Peso de dispersión", "Target rate ρ": "Tasa objetivo ρ",
    "Contractive weight": "Peso contractivo", "Noise": "Ruido", "Noise level": "Nivel de ruido",
    "Noisy inputs": "Entradas ruidosas", "Copies": "Copias",
    "Encoder": "Codificador", "Latent size": "Tamaño latente", "Mirror decoder": "Decodificador espejo",
    "Decoder": "Decodificador", "Layers": "Capas", "Hidden act.": "Act. oculta", "Latent act.": "Act. latente",
    "Output act.": "Act. salida", "Init": "Inicialización",
    "Loss": "Pérdida", "Optimizer": "Optimizador", "Learning rate": "Tasa de aprendizaje",
    "Momentum": "Momento", "LR schedule": "Programa de TA", "Decay rate": "Tasa de decaimiento",
    "Step every": "Escalón cada", "Step factor": "Factor de escalón", "Epochs": "Épocas",
    "Batch size": "Tamaño de lote", "Weight decay": "Decaimiento de pesos", "Seed": "Semilla",
    "Best of K": "Mejor de K", "Target": "Objetivo", "Check every": "Comprobar cada", "Device": "Dispositivo",
    "Precision": "Precisión",
    # Names of choices.
    "autoencoder": "autoencoder", "denoising": "eliminación de ruido", "variational (VAE)": "variacional (VAE)",
    "sparse": "disperso", "contractive": "contractivo",
    "fully connected (MLP)": "totalmente conectada (MLP)", "convolutional": "convolucional",
    "local convolutions (same size)": "convoluciones locales (mismo tamaño)",
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
    "k-sparse (keep the top k)": "k-disperso (conservar los k mayores)",
    "Codes kept (k)": "Códigos conservados (k)",
    "Auto": "Auto", "CUDA (GPU)": "CUDA (GPU)", "Apple MPS (GPU)": "Apple MPS (GPU)", "bf16 (CUDA)": "bf16 (CUDA)",
    "5x7 fonts (font.h)": "fuentes 5x7 (font.h)", "Image folder": "Carpeta de imágenes",
    "MNIST-style IDX files": "IDX (estilo MNIST)",
    "8x8 digits (scikit-learn)": "dígitos 8x8 (scikit-learn)",
    "grey (1 = ink)": "gris (1 = tinta)", "RGB on white": "RGB sobre blanco",
    "RGBA (transparency)": "RGBA (transparencia)",
    # Tooltips.
    TIPS["train.eval_samples"]: "Cada comprobación mide como mucho estas muestras (una muestra fija de "
                                "conjuntos grandes como MNIST); 0 = todas",
    "Check on": "Comprobar con", " samples": " muestras",
    TIPS["train.precision"]: "bf16: el paso de entrenamiento en una GPU CUDA usa autocast bf16; fuera de ella, fp32",
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
    TIPS["model.arch"]: "Capas totalmente conectadas, convoluciones para imágenes (cada una reduce a la mitad alto y "
                        "ancho), o convoluciones locales 3x3 que conservan el tamaño de la imagen (aprenden trazos, "
                        "no glifos enteros)",
    TIPS["model.channels"]: "Canales de salida de cada convolución; una capa conv reduce a la mitad los lados de la "
                            "imagen, una local los conserva (los mapas de la última capa local son el código)",
    TIPS["model.input_shape"]: "La fija el conjunto de datos: el tamaño de cada muestra",
    TIPS["data.chars"]: "Entrenar solo con estos caracteres; vacío = todos los glifos de las fuentes elegidas",
    TIPS["data.path"]: "Un font.h distinto del archivo del curso",
    TIPS["model.beta"]: "Peso del término KL en la pérdida del VAE",
    TIPS["model.kl_warmup"]: "Épocas en las que β crece de 0 a su valor; 0 = sin calentamiento",
    TIPS["model.sparsity_weight"]: "Peso de la penalización de dispersión sobre el código latente",
    TIPS["model.sparsity_k"]: "k-disperso: cada muestra conserva solo sus k unidades latentes mayores; el resto se anulan",
    TIPS["model.sparsity_rho"]: "Activación media hacia la que la penalización KL lleva cada unidad del código",
    TIPS["model.contractive_weight"]: "Peso de la penalización sobre el jacobiano del codificador",
    "Change a pixel at": "Cambiar un píxel con", " % sure": " % de certeza",
    TIPS["model.flip_confidence"]: "Al quitar el ruido, un píxel dibujado cambia solo si el modelo está al menos "
                                   "así de seguro de que está mal; 0,5 toma la salida del modelo tal cual, más "
                                   "conserva más del dibujo",
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


def field_label(key: str) -> str:
    """The translated row label of a config field ('train.learning_rate' -> 'Learning rate'),
    or the key itself for a field with none."""
    return tr(FIELD_LABELS[key]) if key in FIELD_LABELS else key
