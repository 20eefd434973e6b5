"""The rules that read a student's JSON (or YAML) config, as one table: which key (in any of the spellings
students of the course write, Spanish among them), inside which kind of section, sets which aegui
field, and how its value is read.

A rule's target is an aegui field ("train.epochs"), a slot the reader puts together with others
("@hidden", "@latent": the layer sizes come from several keys; student_shapes.py), or "-" for a key
that is understood and changes nothing aegui trains (its `why` says so; with `expect`, only that
value changes nothing, another one is refused). Keys are compared after normalize(): lower case,
accents and camelCase undone, '-', ' ' and '.' read as '_'.

A key no rule reads is shown as not understood; unless its name says it is about plots, files or
logs (HARMLESS) it stops the import (it may change the network, the data, the training length,
the optimizer or the noise), so nothing is dropped without a word.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

NETWORK, DATA, LENGTH, OPTIMIZER, NOISE, OTHER = "network", "data", "length", "optimizer", "noise", "other"


@dataclass(frozen=True)
class Rule:
    """How one key of a student's config is read: its spellings, the aegui field it sets, the synonyms of its
    value and what it implies."""
    keys: tuple[str, ...]     # normalized spellings
    target: str               # "section.field", "@slot" or "-"
    within: str = ""          # only inside a section of this kind (SECTIONS); "" anywhere
    values: str = ""          # the synonym table (VALUES) its value is read with
    also: tuple = ()          # (field, value) it implies unless another key sets that field
    why: str = ""             # what the import table says beside it
    expect: object = None     # target "-": the one value that changes nothing (None: any value)
    null: object = None       # what the field takes for a null (None: null is refused)


def _r(keys: str, target: str, within: str = "", values: str = "", also=(), why: str = "", expect=None,
       null=None) -> Rule:
    return Rule(tuple(keys.split()), target, within, values, tuple(also), why, expect, null)


# A key whose value is an object of settings is a section; its kind decides what the keys inside
# it mean ("eps" in an optimizer is Adam's epsilon, elsewhere a loss target). A section of kind
# "" passes on the kind of the section it is in.
SECTIONS = {
    **dict.fromkeys("model training train hyperparameters hparams params parameters config settings "
                    "modelo entrenamiento parametros hiperparametros architecture_config network red".split(), ""),
    **dict.fromkeys("data dataset datos".split(), "data"),
    **dict.fromkeys("noise denoising ruido noise_config".split(), "noise"),
    **dict.fromkeys("optimizer optimization optimization_method optimizer_method optim optim_kwargs "
                    "optimizer_params optimizer_kwargs optimizer_config optimizador optimizacion".split(),
                    "optimizer"),
    **dict.fromkeys("activation activation_function activation_fn funcion_activacion activacion".split(),
                    "activation"),
    **dict.fromkeys("cut_condition stop_condition stopping early_stopping stop condicion_corte "
                    "condicion_de_corte criterio_corte criterio_de_corte".split(), "stop"),
    **dict.fromkeys("encoder codificador".split(), "encoder"),
    **dict.fromkeys("decoder decodificador".split(), "decoder"),
    **dict.fromkeys("evaluation evaluacion".split(), "evaluation"),
    "subset": "subset",
}

RULES: tuple[Rule, ...] = (
    # ---- the network's shape: put together from these slots by student_shapes.assemble()
    _r("layers architecture layer_sizes layer_dims network topology arquitectura capas neurons_per_layer "
       "neuronas_por_capa", "@network"),
    _r("encoder_layers encoder encoder_sizes encoder_layer_sizes encoder_dims capas_encoder codificador "
       "capas_codificador", "@encoder"),
    _r("decoder_layers decoder decoder_sizes decoder_layer_sizes decoder_dims capas_decoder decodificador "
       "capas_decodificador", "@decoder"),
    _r("layer_sizes layers sizes units neurons capas neuronas", "@encoder", within="encoder"),
    _r("layer_sizes layers sizes units neurons capas neuronas", "@decoder", within="decoder"),
    _r("hidden_layers hidden hidden_sizes hidden_layer_sizes hidden_dims hidden_units inner_layers "
       "inner_architecture encoder_hidden_layers encoder_hidden capas_ocultas capas_intermedias",
       "@hidden"),
    _r("decoder_hidden_layers decoder_hidden", "@decoder_hidden"),
    _r("latent_dim latent_size latent_space_size latent_space_dim latent_dimension latent_space latent "
       "code_size bottleneck z_dim dimension_latente dim_latente espacio_latente capa_latente",
       "@latent"),
    _r("latent_dim latent_size latent", "@latent", within="encoder"),
    _r("input_dim input_size input_shape n_inputs dimension_entrada", "@input"),
    _r("activations activaciones", "@encoder_acts", within="encoder"),
    _r("activations activaciones", "@decoder_acts", within="decoder"),
    _r("activation activation_fn activation_function activacion", "@encoder_act", within="encoder"),
    _r("activation activation_fn activation_function activacion", "@decoder_act", within="decoder"),
    # ---- a convolutional network's layers (student_conv.py writes them as aegui's layer lines)
    _r("filters n_filters num_filters conv_filters filter_counts conv_channels feature_maps filtros", "@filters"),
    _r("kernel_size kernel_sizes kernel filter_size ksize tamano_kernel", "@kernel"),
    _r("strides stride paso", "@stride"),
    _r("padding relleno", "@padding"),
    _r("pool_size pooling max_pooling maxpool use_pooling use_max_pooling pool", "@pool"),
    # ---- activations
    _r("activation activation_fn activation_function hidden_activation hidden_activation_function "
       "hidden_layers_activation_functions funcion_activacion activacion act hidden_act", "@activation"),
    _r("function name type fn funcion", "@activation", within="activation"),
    _r("hidden", "@activation", within="activation"),
    _r("beta slope pendiente", "@slope", within="activation"),
    _r("activation_beta activation_slope slope pendiente", "@slope"),
    _r("latent_activation latent code bottleneck", "model.latent_activation", within="activation",
       values="activation"),
    _r("latent_activation code_activation", "model.latent_activation", values="activation"),
    _r("output_activation output_activation_fn output_activation_function output_layer_activation_function "
       "output out final", "model.output_activation", within="activation", values="activation"),
    _r("output_activation output_activation_fn output_activation_function output_layer_activation_function "
       "activacion_salida output_act", "model.output_activation", values="activation"),
    # "beta" is the activation's slope in the course's perceptrons, a VAE's KL weight otherwise.
    _r("beta", "@beta"),
    _r("kl_weight beta_kl kl_beta kl_coef kl_coefficient peso_kl", "model.beta"),
    _r("kl_warmup kl_annealing_epochs", "model.kl_warmup"),
    _r("type model_type kind tipo", "model.kind", values="kind"),
    _r("model modelo", "model.kind", values="kind"),        # "model": "vae" (an object is a section)
    _r("init init_method weight_init initialization initializer inicializacion weights_init weight_initialization "
       "weights_initialization init_weights", "model.init",
       values="init"),
    _r("dropout dropout_rate", "model.dropout"),
    # ---- the optimizer
    _r("optimizer optimizer_type optimizer_name optimization optimization_method method optimizador "
       "metodo metodo_optimizacion", "train.optimizer", values="optimizer"),
    _r("method type name optimizer metodo tipo", "train.optimizer", within="optimizer", values="optimizer"),
    _r("learning_rate lr eta learning_rate_init tasa_aprendizaje tasa_de_aprendizaje", "train.learning_rate"),
    _r("learning_rate lr eta step_size", "train.learning_rate", within="optimizer"),
    # Adam's alpha is its step size; in gradient descent with momentum the course's alpha is the
    # momentum: which one the optimizer's name says (student_json.resolve_optimizer).
    _r("alpha", "@alpha"),
    _r("beta", "@optimizer_beta", within="optimizer"),
    _r("momentum momento", "train.momentum"),
    _r("beta_1 beta1 b1 adam_beta1 adam_beta_1", "train.adam_beta1"),
    _r("beta_2 beta2 b2 adam_beta2 adam_beta_2", "train.adam_beta2"),
    _r("epsilon eps", "train.adam_eps", within="optimizer"),
    _r("adam_eps adam_epsilon", "train.adam_eps"),
    _r("betas", "@betas"),
    _r("weight_decay l2_weight_decay l2 l2_lambda lambda_l2 l2_reg l2_regularization l2_penalty "
       "regularization decaimiento_pesos", "train.weight_decay"),
    _r("gradient_clip_norm clip_norm grad_clip grad_clip_norm clip_grad_norm max_grad_norm "
       "gradient_clipping", "train.clip_norm", null=0.0),
    _r("decay_rate lr_decay learning_rate_decay", "train.decay_rate",
       also=(("train.schedule", "exponential"),)),
    # ---- how long and on what
    _r("epochs max_epochs epochs_max n_epochs num_epochs epoch_limit max_epoch epocas max_epocas "
       "iterations max_iterations iteraciones training_epochs train_epochs epochs_training", "train.epochs"),
    _r("batch_size batching_size batch minibatch_size mini_batch_size tamano_batch tamano_lote lote",
       "train.batch_size", values="batch"),
    _r("training_mode train_mode learning_mode batch_mode modo modo_entrenamiento", "@mode"),
    _r("mini_batch minibatch use_mini_batch use_minibatch mini_batches use_batches batch_training mini_lote "
       "usar_mini_lote usar_lotes", "@minibatch"),
    _r("shuffle shuffle_data shuffle_each_epoch shuffle_batches mezclar barajar", "@shuffle"),
    _r("seed random_seed semilla random_state", "@seed"),
    _r("weights_range weight_range init_range weights_interval rango_pesos", "@weight_range"),
    _r("use_bias bias with_bias usar_bias", "-", why="aegui's layers always have a bias", expect=True),
    _r("n_runs runs seeds repetitions n_seeds", "train.seeds"),
    _r("device", "train.device"),
    _r("loss loss_function loss_fn error_function reconstruction_loss funcion_perdida perdida "
       "funcion_error", "train.loss", values="loss"),
    _r("font fonts dataset fuente fuentes font_set font_name", "data.fonts"),
    _r("chars characters letters caracteres letras characters_to_use chars_to_use letters_to_use training_chars "
       "train_chars", "data.chars"),
    _r("font_index font_idx fuente_indice indice_fuente", "@font_index"),
    _r("source_path font_file font_path dataset_path data_path path file font_h archivo_fuente", "@path"),
    _r("subset", "@subset", within="data"),
    _r("mode", "-", within="subset", why="all of the glyphs, as aegui trains", expect="all"),
    _r("name", "-", within="subset", why="the subset's name"),
    _r("indices", "-", within="subset", why="no subset: every glyph", expect=[]),
    _r("source type kind", "@source", within="data"),
    _r("name", "@data_name", within="data"),
    _r("image_size img_size size resolution side image_side tamano tamano_imagen", "data.size", within="data"),
    _r("image_size img_size image_side tamano_imagen", "data.size"),
    _r("grayscale greyscale gray grey escala_grises escala_de_grises", "@grayscale"),
    _r("color color_mode colour_mode channels", "@color", within="data"),
    _r("color_mode colour_mode channels n_channels canales", "@color"),
    _r("split_seed", "data.split_seed"),
    _r("name experiment_name nombre", "name"),
    # ---- stop conditions
    _r("condition type name criterion kind condicion tipo", "@stop", within="stop"),
    _r("cut_condition stop_condition stopping_criterion condicion_corte criterio_corte", "@stop"),
    _r("eps epsilon value threshold limit valor umbral", "@stop_value", within="stop"),
    _r("enabled", "@stop_enabled", within="stop"),
    _r("early_stopping", "@stop_enabled"),
    _r("patience early_stopping_patience paciencia", "train.patience", null=0),
    _r("min_delta early_stopping_min_delta delta_min", "train.min_delta", null=0.0),
    _r("min_delta delta", "train.min_delta", within="stop"),
    _r("error_limit target_error eps epsilon loss_target target_loss min_error error_threshold "
       "tolerance error_objetivo cota_error error_minimo", "train.loss_target", null=0.0),
    _r("max_wrong_pixels target_max_wrong max_pixel_error pixel_error_limit max_wrong pixel_limit",
       "train.target_max_wrong"),
    _r("weight_decay", "train.weight_decay", within="optimizer", null=0.0),
    # ---- noise
    _r("noise_level noise_prob noise_probability noise noise_factor corruption corruption_level "
       "nivel_ruido probabilidad_ruido ruido", "noise.level"),
    _r("salt_p salt_pepper_p salt_and_pepper_p salt_prob", "noise.level",
       also=(("noise.kind", "salt_pepper"),)),
    _r("noise_std sigma", "noise.level", also=(("noise.kind", "gaussian"),)),
    _r("level probability prob p std noise_level noise_probability nivel probabilidad", "noise.level",
       within="noise"),
    _r("noise_type type kind tipo tipo_ruido", "noise.kind", within="noise", values="noise"),
    _r("noise_type tipo_ruido", "noise.kind", values="noise"),
    _r("enabled", "@denoise", within="noise"),
    _r("train_with_clean_target", "-", why="a denoiser learns the clean glyph from the noisy one",
       expect=True),
    _r("noise_on_train_only", "-", why="aegui counts wrong pixels on the clean glyphs"),
    # ---- what aegui does anyway, or what does not change training
    _r("pixel_threshold threshold umbral", "-", within="evaluation",
       why="aegui counts a pixel wrong past 0.5 too", expect=0.5),
    _r("selection_metric", "-", within="evaluation",
       why="aegui keeps the weights with the fewest wrong pixels"),
)

# The value synonyms of each table, normalized as keys are.
_ACTIVATIONS = {
    **dict.fromkeys("tanh tangent tangente hyperbolic_tangent tangente_hiperbolica tan_h".split(), "tanh"),
    **dict.fromkeys("sigmoid sigmoide logistic logistica".split(), "sigmoid"),
    **dict.fromkeys("identity linear lineal identidad none".split(), "identity"),
    **dict.fromkeys("relu re_lu".split(), "relu"),
    **dict.fromkeys("leaky_relu lrelu leakyrelu leaky".split(), "leaky_relu"),
}
VALUES = {
    "activation": _ACTIVATIONS,
    "init": {"random": "uniform", "normal": "uniform", "glorot": "xavier", "xavier_uniform": "xavier",
             "glorot_uniform": "xavier", "xavier_normal": "xavier", "glorot_normal": "xavier",
             "kaiming": "he", "he_normal": "he", "he_uniform": "he", "kaiming_uniform": "he",
             "kaiming_normal": "he"},
    # Pixels are on or off, so a "cross entropy" in an autoencoder's config is the binary one.
    "loss": {**dict.fromkeys("binary_crossentropy binary_cross_entropy cross_entropy crossentropy bce "
                             "cross_entropy_loss bce_loss binary_cross_entropy_loss binary_crossentropy_loss "
                             "log_loss logloss bce_with_logits bcewithlogits bceloss bcewithlogitsloss "
                             "entropia_cruzada".split(), "bce"),
             **dict.fromkeys("mseloss mean_squared_error mse mse_loss squared_error mean_square_error l2 "
                             "quadratic error_cuadratico_medio ecm".split(), "mse")},
    "optimizer": {**dict.fromkeys("gd gradient_descent gradient descenso_gradiente gradiente "
                                  "descenso_por_gradiente vanilla".split(), "sgd"),
                  **dict.fromkeys("sgd_momentum momentum_gd gradient_descent_momentum "
                                  "gradient_descent_with_momentum gd_momentum momentum_gradient_descent "
                                  "momento".split(), "momentum"),
                  "adam_optimizer": "adam", "l_bfgs": "bfgs", "l_bfgs_b": "bfgs", "conjugate_gradient": "cg"},
    # "batch_size": "full": the whole set at every update, aegui's 0.
    "batch": dict.fromkeys("full full_batch all whole dataset batch entire todo todos completo lote_completo".split(), 0),
    "kind": {**dict.fromkeys("autoencoder basic standard simple basico".split(), "ae"),
             **dict.fromkeys("denoising denoising_autoencoder denoiser".split(), "dae"),
             **dict.fromkeys("variational variational_autoencoder".split(), "vae")},
    "noise": {**dict.fromkeys("salt_and_pepper salt_pepper saltpepper salt sal_y_pimienta".split(),
                              "salt_pepper"),
              **dict.fromkeys("bitflip flip bit_flip inversion".split(), "bit_flip"),
              **dict.fromkeys("gauss normal gaussian_clipped gaussiano gaussian".split(), "gaussian")},
}
# A convolutional autoencoder named by its type: aegui's kind of it (student_conv.py lays out its layers).
# Not "cae": papers use it for contractive autoencoders too.
CONV_KINDS = {**dict.fromkeys("conv conv_autoencoder convolutional convolutional_autoencoder conv_ae cnn "
                              "cnn_autoencoder autoencoder_convolucional convolucional".split(), "ae"),
              **dict.fromkeys("conv_denoising conv_dae convolutional_denoising convolutional_denoising_autoencoder "
                              "denoising_conv_autoencoder".split(), "dae"),
              **dict.fromkeys("conv_vae convolutional_vae convolutional_variational_autoencoder".split(), "vae")}


def conv_kind(value) -> str | None:
    """The kind a convolutional type's name stands for ("ConvAutoencoder", "conv_vae"), else None."""
    if not isinstance(value, str):
        return None
    return CONV_KINDS.get(normalize(value, camel=False)) or CONV_KINDS.get(normalize(value))


# Data sets by name, as (data.source, data.catalogue): the course's fonts, its emoji, MNIST and
# Fashion-MNIST (catalogue datasets), scikit-learn's digits.
SOURCES = {**dict.fromkeys("font fonts font_h 5x7 fuente fuentes".split(), ("font", "")),
           **dict.fromkeys("emoji emojis noto_emoji emoji_dataset".split(), ("emoji", "")),
           **dict.fromkeys("folder images pictures imagenes carpeta".split(), ("folder", "")),
           **dict.fromkeys("mnist mnist_digits".split(), ("idx", "mnist")),
           **dict.fromkeys("fashion fashion_mnist fashionmnist".split(), ("idx", "fashion-mnist")),
           **dict.fromkeys("idx".split(), ("idx", "")),
           **dict.fromkeys("digits sklearn_digits load_digits".split(), ("digits", ""))}
COLORS = {**dict.fromkeys((1, "1", "gray", "grey", "grayscale", "greyscale", "l", "mono", "grises"), "gray"),
          **dict.fromkeys((3, "3", "rgb", "color", "colour"), "rgb"),
          **dict.fromkeys((4, "4", "rgba"), "rgba")}
# The course's logistic is 1 / (1 + e^(-2βx)): sigmoid(2βx).
LOGISTIC = ("logistic", "logistica")
# Training modes: the whole set per update, one glyph per update, or batch_size glyphs.
MODES = {**dict.fromkeys("batch full_batch full lote completo".split(), 0),
         **dict.fromkeys("online stochastic incremental estocastico sgd".split(), 1),
         **dict.fromkeys("minibatch mini_batch mini_lote".split(), None)}
# Stop conditions by name: a number of wrong pixels, or a loss (its value under @stop_value).
STOP_PIXELS = {**dict.fromkeys("one_wrong_pixel max_one_wrong_pixel one_pixel un_pixel un_pixel_erroneo "
                               "max_1_wrong_pixel".split(), 1),
               **dict.fromkeys("no_wrong_pixels zero_wrong_pixels exact perfect sin_error".split(), 0)}
STOP_COUNTS = ("wrong_pixels", "max_wrong_pixels", "pixels", "pixel_error", "pixeles")
STOP_LOSS = ("mse", "error", "loss", "max_error", "min_error", "error_limit", "target_error", "eps",
             "epsilon", "perdida")
STOP_NONE = ("epochs", "max_epochs", "none", "epocas")

# An unknown key whose name holds one of these words is about output, not training.
HARMLESS = frozenset("plot plots plotting save saving log logging verbose verbosity print show display debug "
                     "progress title description desc comment comments note notes author authors version "
                     "color colour colors figure figures fig gif animation visualization visualize wandb "
                     "tensorboard dir folder directory grafico graficos guardar mostrar imprimir carpeta "
                     "descripcion comentario interpolation interpolate interpolacion generate generation "
                     "generar".split())


def normalize(key, camel: bool = True) -> str:
    """"Épocas" -> "epocas", "learningRate" -> "learning_rate", "beta-1" -> "beta_1". Values are
    read without splitting camelCase ("ReLU" is relu)."""
    text = unicodedata.normalize("NFKD", str(key))
    text = "".join(c for c in text if not unicodedata.combining(c))
    if camel:
        text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", text)
    text = text.lower()
    return re.sub(r"[\s.\-/]+", "_", text).strip("_")


def rule_for(key: str, within: str) -> Rule | None:
    """The rule of a normalized key inside a section of kind `within`: the section's own first,
    else the one that reads it anywhere."""
    found = _INDEX.get((key, within))
    return found if found is not None else _INDEX.get((key, ""))


def harmless(key: str) -> bool:
    """Whether a key not understood cannot change training, by its words (plotting, saving, logging, a title or
    comment, in English or Spanish)."""
    return any(word in HARMLESS for word in key.split("_"))


def synonym(table: str, value):
    """A value read through its synonym table; one not in it is given back normalized (the field's
    own check refuses it naming its choices)."""
    if not isinstance(value, str) or not table:
        return value
    v = normalize(value, camel=False)
    return VALUES[table].get(v, v)


def _index() -> dict:
    out: dict = {}
    for rule in RULES:
        for key in rule.keys:
            out.setdefault((key, rule.within), rule)
    return out


_INDEX = _index()
