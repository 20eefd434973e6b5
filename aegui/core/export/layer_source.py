"""The numpy source of the exported script's layers and activations, one function each: the
script holds only the ones its model uses. Each computes what its torch counterpart in
aegui/core/models/ computes (layers.py's activations, convlayers_net.py's FORWARD), in float32;
tests/core/export/ holds the script's numbers to `aegui eval`'s."""
from __future__ import annotations

# A layer kind of plan.Op -> (its function's source or "" for an expression, how a line calls it).
# In the call, {h} is the input, {w} "p[name + '.weight']" and so on, {args} the Op's arguments.
LAYERS = {
    "dense": ('''
def dense(x, weight, bias):
    """A fully connected layer: every output is a weighted sum of every input, plus its bias.
    weight is [inputs, outputs], as aegui stores it."""
    return x @ weight + bias
''', "dense({h}, {w}, {b})"),
    "conv2d": ('''
def conv2d(x, weight, bias, stride, pad):
    """A convolution of maps x [N, C, H, W] with weight [out, C, kh, kw] (torch's layout): each
    output pixel is a weighted sum of the kh x kw pixels of every channel under it. pad is the
    zeros added (top, bottom, left, right) first, so the window can sit on the border."""
    top, bottom, left, right = pad
    x = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))
    kh, kw = weight.shape[2:]
    windows = np.lib.stride_tricks.sliding_window_view(x, (kh, kw), axis=(2, 3))
    windows = windows[:, :, ::stride[0], ::stride[1]]          # [N, C, H', W', kh, kw]
    out = np.einsum("nchwij,ocij->nohw", windows, weight, optimize=True)
    return out + bias[None, :, None, None]
''', "conv2d({h}, {w}, {b}, {args})"),
    "deconv2d": ('''
def deconv2d(x, weight, bias, stride, crop, size):
    """A transposed convolution ("deconvolution") of maps x [N, C, H, W] with weight
    [C, out, kh, kw] (torch's layout): each input pixel adds its kh x kw stamp, scaled by the
    kernel, to the output, stride pixels from its neighbour's. Of that whole output the part of
    `size` starting `crop` (top, left) pixels in is kept (zeros where it runs past the end)."""
    n, _, h, w = x.shape
    kh, kw = weight.shape[2:]
    sh, sw = stride
    full = np.zeros((n, weight.shape[1], (h - 1) * sh + kh, (w - 1) * sw + kw), np.float32)
    for i in range(kh):
        for j in range(kw):
            full[:, :, i:i + (h - 1) * sh + 1:sh, j:j + (w - 1) * sw + 1:sw] += \\
                np.einsum("nchw,co->nohw", x, weight[:, :, i, j], optimize=True)
    top, left = crop
    out = np.zeros((n, weight.shape[1], size[0], size[1]), np.float32)
    kept = full[:, :, top:top + size[0], left:left + size[1]]
    out[:, :, :kept.shape[2], :kept.shape[3]] = kept
    return out + bias[None, :, None, None]
''', "deconv2d({h}, {w}, {b}, {args})"),
    "maxpool": ('''
def maxpool(x, size):
    """The largest value of each size[0] x size[1] block of every map (rows and columns that do
    not fill a block are dropped)."""
    n, c, h, w = x.shape
    kh, kw = size
    x = x[:, :, :h // kh * kh, :w // kw * kw]
    return x.reshape(n, c, h // kh, kh, w // kw, kw).max(axis=(3, 5))
''', "maxpool({h}, {args})"),
    "upsample": ('''
def upsample(x, size):
    """Every pixel repeated into a size[0] x size[1] block (nearest neighbour)."""
    return x.repeat(size[0], axis=2).repeat(size[1], axis=3)
''', "upsample({h}, {args})"),
    "batchnorm": ('''
BATCHNORM_EPS = 1e-3    # Keras's, which aegui follows: added to the variance before its root


def batchnorm(x, gamma, beta, mean, var):
    """Batch normalisation as evaluated: each channel shifted by the mean and scaled by the
    variance measured during training (its running statistics), then scaled by gamma and moved
    by beta, both learnt."""
    scale = gamma / np.sqrt(var + np.float32(BATCHNORM_EPS))
    shift = beta - mean * scale
    return x * scale[None, :, None, None] + shift[None, :, None, None]
''', "batchnorm({h}, {w}, {b}, {mean}, {var})"),
    "to_maps": ('''
def to_maps(rows, height, width, channels):
    """Samples stored as rows (pixel by pixel, row by row, a pixel's channels together) ->
    maps [N, channels, height, width], the layout the convolutions read."""
    return rows.reshape(len(rows), height, width, channels).transpose(0, 3, 1, 2)
''', "to_maps({h}, {args})"),
    "to_rows": ('''
def to_rows(maps):
    """The inverse of to_maps: maps [N, C, H, W] -> rows of H * W * C values."""
    return maps.transpose(0, 2, 3, 1).reshape(len(maps), -1)
''', "to_rows({h})"),
    "flatten": ('''
def flatten(maps):
    """Maps [N, C, H, W] -> [N, C * H * W], channel by channel (channel 0's pixels first)."""
    return maps.reshape(len(maps), -1)
''', "flatten({h})"),
    "unflatten": ('''
def unflatten(x, channels, height, width):
    """The inverse of flatten: [N, C * H * W] -> maps [N, C, H, W]."""
    return x.reshape(len(x), channels, height, width)
''', "unflatten({h}, {args})"),
    "means": ("", "{h}[:, :{args}]"),
    "keep_top_k": ('''
def keep_top_k(code, k):
    """Each sample's k largest code values kept, the others set to 0."""
    top = np.argsort(-code, axis=1, kind="stable")[:, :k]
    kept = np.zeros_like(code)
    np.put_along_axis(kept, top, np.take_along_axis(code, top, axis=1), axis=1)
    return kept
''', "keep_top_k({h}, {args})"),
}

# Activations: name -> (its function, its derivative for the training loop). tanh and sigmoid
# read SLOPE (aegui's model.slope): tanh(SLOPE x), 1 / (1 + exp(-SLOPE x)).
ACTIVATIONS = {
    "relu": ('''
def relu(x):
    return np.maximum(x, np.float32(0))
''', '''
def relu_grad(pre):
    return (pre > 0).astype(np.float32)
'''),
    "leaky_relu": ('''
def leaky_relu(x):
    """x where it is positive, 0.01 x elsewhere (torch's default slope)."""
    return np.where(x > 0, x, np.float32(0.01) * x)
''', '''
def leaky_relu_grad(pre):
    return np.where(pre > 0, np.float32(1), np.float32(0.01))
'''),
    "elu": ('''
def elu(x):
    """x where it is positive, exp(x) - 1 elsewhere."""
    return np.where(x > 0, x, np.expm1(np.minimum(x, np.float32(0))))
''', '''
def elu_grad(pre):
    return np.where(pre > 0, np.float32(1), np.exp(np.minimum(pre, np.float32(0))))
'''),
    "tanh": ('''
def tanh(x):
    return np.tanh(np.float32(SLOPE) * x)
''', '''
def tanh_grad(pre):
    return np.float32(SLOPE) * (1 - np.tanh(np.float32(SLOPE) * pre) ** 2)
'''),
    "sigmoid": ('''
def sigmoid(x):
    """1 / (1 + exp(-SLOPE x)), written so that exp never overflows."""
    a = np.float32(SLOPE) * x
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1 / (1 + e), e / (1 + e)).astype(np.float32)
''', '''
def sigmoid_grad(pre):
    s = sigmoid(pre)
    return np.float32(SLOPE) * s * (1 - s)
'''),
    "softplus": ('''
def softplus(x):
    """log(1 + exp(x)); x itself above 20, as torch's, where the two agree in float32."""
    return np.where(x > 20, x, np.log1p(np.exp(np.minimum(x, np.float32(20)))))
''', '''
def softplus_grad(pre):
    e = np.exp(-np.abs(pre))
    return np.where(pre >= 0, 1 / (1 + e), e / (1 + e)).astype(np.float32)
'''),
    "cosh": ('''
def cosh(x):
    return np.cosh(x)
''', '''
def cosh_grad(pre):
    return np.sinh(pre)
'''),
    "identity": ('''
def identity(x):
    return x
''', '''
def identity_grad(pre):
    return np.ones_like(pre)
'''),
}

NOISE = '''
def add_noise(x, kind, level, rng):
    """A corrupted copy of x (values in [0, 1]), drawn as aegui draws it (aegui/core/data/noise.py),
    so the same seed corrupts the same pixels: salt_pepper sets a `level` share of the pixels
    to black or white at random, bit_flip inverts them, gaussian adds noise of standard
    deviation `level`."""
    x = np.asarray(x, dtype=np.float32)
    if kind == "gaussian":
        return np.clip(x + rng.normal(0.0, level, x.shape).astype(np.float32), 0.0, 1.0)
    hit = rng.random(x.shape) < level
    if kind == "bit_flip":
        return np.where(hit, 1.0 - x, x).astype(np.float32)
    salt = (rng.random(x.shape) < 0.5).astype(np.float32)
    return np.where(hit, salt, x).astype(np.float32)
'''


def call(op, h: str = "h") -> str:
    """The expression that runs `op` on the variable `h`, its activation included."""
    template = LAYERS[op.kind][1]
    args = ", ".join(_arg(x) for x in op.args)
    weight = {"w": f'p["{op.name}.weight"]', "b": f'p["{op.name}.bias"]',
              "mean": f'p["{op.name}.running_mean"]', "var": f'p["{op.name}.running_var"]'}
    text = template.format(h=h, args=args, **weight)
    if op.activation and op.activation != "identity":
        text = f"{op.activation}({text})"
    return text


def _arg(value) -> str:
    """An Op argument as written in the call: ("stride", (2, 2)) -> stride=(2, 2)."""
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str):
        return f"{value[0]}={value[1]!r}"
    return repr(value)
