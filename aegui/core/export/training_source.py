"""The numpy source of the exported script's training loop (`aegui export --train`), for fully
connected plain, denoising and variational autoencoders: full batch, Adam, the loss of the model's
objective (aegui/core/models/objectives.py: BCE or MSE, a VAE's reconstruction summed per sample
plus beta x KL), backpropagation written out layer by layer."""
from __future__ import annotations

from aegui.core.export.plan import ExportError
from aegui.core.schema.kinds import kind_of

TRAINED_LOSSES = ("bce", "mse")


def refusal(plan, exp, name: str) -> str | None:
    """Why --train cannot write a training loop for this model (one sentence), or None."""
    kind = kind_of(exp.model)
    if not plan.dense_only:
        return (f"{name} is a {plan.what} model: its script runs the trained network forward only, so "
                "export it without --train (the training loop is written for fully connected models)")
    if kind.sparse_codes or kind.penalizes_jacobian:
        return (f"{name} is a {kind.label} autoencoder, whose penalty the numpy training loop does not "
                "compute; export it without --train (the loop is written for plain, denoising and "
                "variational autoencoders)")
    if exp.train.loss not in TRAINED_LOSSES:
        return (f"{name} trains on the {exp.train.loss} loss; the numpy training loop computes "
                f"{' or '.join(TRAINED_LOSSES)} only: export it without --train")
    return None


def check(plan, exp, name: str) -> None:
    why = refusal(plan, exp, name)
    if why:
        raise ExportError(why)


def constants(plan, exp) -> str:
    """The training section's settings, from the model's config."""
    spec, t = exp.model, exp.train
    kind = kind_of(spec)
    enc = [op for op in plan.encoder if op.kind == "dense"]
    dec = [op for op in plan.decoder if op.kind == "dense"]

    def rows(ops):
        w = plan.weights
        return "".join(f'    ("{op.name}", {w[op.name + ".weight"].shape[0]}, {w[op.name + ".weight"].shape[1]}, '
                       f'"{op.activation}"),\n' for op in ops)
    noise = repr(exp.noise.kind) if kind.corrupts_inputs else "None"
    return f'''
# The layers of encode() and decode() as tables the loop walks forwards and backwards:
# (weights' name, inputs, outputs, activation). The decoder's last activation is the output's;
# the loss reads the values before it (logits), as aegui's does.
ENCODER_LAYERS = [
{rows(enc)}]
DECODER_LAYERS = [
{rows(dec)}]
CODE_SIZE = {spec.latent_dim}
SAMPLES_CODES = {kind.samples_codes}      # a VAE: the code is drawn from N(mean, variance)
LOSS = {t.loss!r}
PER_SAMPLE_SUM = {kind.samples_codes}     # a VAE's reconstruction is summed over a sample's values (the ELBO's scale)
KL_BETA = {float(spec.beta)!r}
KL_WARMUP = {int(spec.kl_warmup)}           # epochs over which the KL weight grows from 0 to KL_BETA
NOISE_KIND = {noise}           # a denoising model: inputs corrupted afresh every epoch
NOISE_LEVEL = {float(exp.noise.level)!r}
INIT = {spec.init!r}
LEARNING_RATE = {float(t.learning_rate)!r}
ADAM_BETAS = ({float(t.adam_beta1)!r}, {float(t.adam_beta2)!r})
ADAM_EPS = {float(t.adam_eps)!r}
EPOCHS = {int(t.epochs)}
'''


LOOP = '''

def init_bound(inputs, outputs):
    """Half-width of the uniform draw of a weight, by the model's init (aegui's init_bound)."""
    if INIT == "he":
        return np.sqrt(6.0 / inputs)
    if INIT == "xavier":
        return np.sqrt(6.0 / (inputs + outputs))
    return 1.0 / np.sqrt(inputs)


def fresh_weights(rng):
    """New weights drawn from `rng` as aegui draws them (uniform in [-bound, bound], biases 0);
    not aegui's numbers, which come from torch's generator."""
    p = {}
    for name, inputs, outputs, _ in ENCODER_LAYERS + DECODER_LAYERS:
        bound = init_bound(inputs, outputs)
        p[name + ".weight"] = rng.uniform(-bound, bound, (inputs, outputs)).astype(np.float32)
        p[name + ".bias"] = np.zeros(outputs, np.float32)
    return p


def forward_keeping(p, layers, h, last_raw=False):
    """`layers` run on h, keeping each layer's input and pre-activation for backpropagation;
    last_raw leaves the last layer's activation to the loss."""
    kept = []
    for i, (name, _, _, activation) in enumerate(layers):
        pre = dense(h, p[name + ".weight"], p[name + ".bias"])
        kept.append((h, pre))
        h = pre if last_raw and i == len(layers) - 1 else ACTIVATION[activation](pre)
    return h, kept


def backward(p, layers, kept, grad, grads, last_raw=False):
    """Backpropagation through `layers`: grad is d loss / d (their output); stores d loss / d
    each weight in grads and returns d loss / d (their input)."""
    for i in reversed(range(len(layers))):
        name, _, _, activation = layers[i]
        h, pre = kept[i]
        if not (last_raw and i == len(layers) - 1):
            grad = grad * ACTIVATION_GRAD[activation](pre)
        grads[name + ".weight"] = h.T @ grad
        grads[name + ".bias"] = grad.sum(0)
        grad = grad @ p[name + ".weight"].T
    return grad


def reconstruction_loss(logits, target):
    """The loss of the output (before its activation: logits) against the target, and its
    gradient; a mean per value, or for a VAE a sum per sample, mean over samples."""
    if LOSS == "bce":
        # Cross-entropy of sigmoid(SLOPE logits), written so that exp never overflows.
        a = np.float32(SLOPE) * logits
        per = np.maximum(a, 0) - a * target + np.log1p(np.exp(-np.abs(a)))
        grad = np.float32(SLOPE) * (sigmoid(logits) - target)
    else:
        out = ACTIVATION[DECODER_LAYERS[-1][3]](logits)
        per = (out - target) ** 2
        grad = 2 * (out - target) * ACTIVATION_GRAD[DECODER_LAYERS[-1][3]](logits)
    scale = len(logits) if PER_SAMPLE_SUM else logits.size
    return float(per.sum()) / scale, (grad / scale).astype(np.float32)


def loss_and_grads(p, x_in, target, epoch, rng):
    """The model's loss on inputs x_in towards target, and its gradient for every weight."""
    h, enc_kept = forward_keeping(p, ENCODER_LAYERS, x_in)
    if SAMPLES_CODES:
        # The encoder gives a mean and a log-variance per code value; the code is a sample.
        mu, raw_logvar = h[:, :CODE_SIZE], h[:, CODE_SIZE:]
        logvar = np.clip(raw_logvar, -20, 20)
        eps = rng.standard_normal(mu.shape).astype(np.float32)
        std = np.exp(0.5 * logvar)
        code = mu + eps * std
    else:
        code = h
    logits, dec_kept = forward_keeping(p, DECODER_LAYERS, code, last_raw=True)
    loss, grad = reconstruction_loss(logits, target)
    grads = {}
    grad = backward(p, DECODER_LAYERS, dec_kept, grad, grads, last_raw=True)
    if SAMPLES_CODES:
        # + weight x KL(N(mu, var) || N(0, 1)), summed over the code, mean over samples.
        weight = KL_BETA * (min(1.0, epoch / KL_WARMUP) if KL_WARMUP else 1.0)
        n = len(x_in)
        loss += weight * float((-0.5 * (1 + logvar - mu ** 2 - np.exp(logvar)).sum(1)).mean())
        d_mu = grad + weight * mu / n
        d_logvar = grad * eps * 0.5 * std + weight * 0.5 * (np.exp(logvar) - 1) / n
        d_logvar = np.where(np.abs(raw_logvar) <= 20, d_logvar, 0)     # the clip passes no gradient
        grad = np.concatenate([d_mu, d_logvar], axis=1).astype(np.float32)
    backward(p, ENCODER_LAYERS, enc_kept, grad, grads)
    return loss, grads


def adam_step(p, grads, moments, t):
    """One step of Adam (as torch's): running means of the gradient and of its square, corrected
    for starting at 0, set each weight's step."""
    b1, b2 = ADAM_BETAS
    for name, g in grads.items():
        m, v = moments.setdefault(name, (np.zeros_like(g), np.zeros_like(g)))
        m *= b1
        m += (1 - b1) * g
        v *= b2
        v += (1 - b2) * g * g
        step = LEARNING_RATE / (1 - b1 ** t) * m / (np.sqrt(v / (1 - b2 ** t)) + ADAM_EPS)
        p[name] -= step.astype(np.float32)


def train(x, epochs, seed):
    """The network trained from fresh weights on all of x at once for `epochs` epochs; returns the
    weights and the loss of every epoch (measured before its step)."""
    rng = np.random.default_rng(seed)
    p = fresh_weights(rng)
    moments, losses = {}, []
    for epoch in range(epochs):
        x_in = add_noise(x, NOISE_KIND, NOISE_LEVEL, rng) if NOISE_KIND else x
        loss, grads = loss_and_grads(p, x_in, x, epoch, rng)
        losses.append(loss)
        adam_step(p, grads, moments, epoch + 1)
    return p, losses
'''


def notes(exp) -> list[str]:
    """What the loop leaves out of how aegui trained this model, one line each."""
    t, spec = exp.train, exp.model
    out = []
    if t.optimizer != "adam" or t.weight_decay:
        out.append(f"aegui trained it with {t.optimizer}" + (f" and weight decay {t.weight_decay}" if t.weight_decay
                                                               else "") + "; this loop uses plain Adam")
    if t.batch_size:
        out.append(f"aegui trained it in batches of {t.batch_size}; this loop uses the whole set at once")
    if t.schedule != "constant":
        out.append(f"its learning rate followed the {t.schedule} schedule; here it stays {t.learning_rate}")
    if spec.dropout:
        out.append(f"its hidden layers dropped {spec.dropout:.0%} of their units while training; here none")
    if t.seeds > 1:
        out.append(f"aegui trained {t.seeds} models and kept the best; this loop trains one")
    if exp.augment.enabled:
        out.append("its glyphs were augmented (shifted, thickened ...); here they are as they are")
    if kind_of(spec).corrupts_inputs and exp.noise.mode != "fresh":
        out.append(f"its noisy inputs were {exp.noise.copies} fixed copies; here fresh noise every epoch")
    if t.clip_norm:
        out.append("its gradients were clipped; here they are not")
    return out
