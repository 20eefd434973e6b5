"""What a network (the object an Architecture's `build` returns) is to the rest of aegui: training,
storage, the latent tools, Compare and Explain use a model only through the methods and attributes
of Network. mlp_net.Autoencoder, conv_net.ConvAutoencoder and local_net.LocalAutoencoder subclass it, and so
does a new architecture's network (tests/core/archs/tied_arch.py is one).

A network is K stacked models on one flat [K, P] parameter (K = 1 is an ordinary model; K > 1
trains seeds or a sweep at once). Inputs [N, D] are shared by the K models, or [K, N, D] each
their own; outputs are [K, N, ...]. LayeredNetwork holds what a network whose flat buffer is a
list of layers, each its weight then its bias, needs no code of its own for.
"""
from __future__ import annotations

import math
from contextlib import contextmanager
from dataclasses import dataclass

import torch

from aegui.core.schema.experiment import ModelSpec
from aegui.core.schema.kinds import kind_of
from aegui.core.models.layers import activate, dropout, init_bound, keep_top_k, stored_tensor, top_k_of


@dataclass
class LayerStep:
    """One layer of one sample's pass through a K = 1 model, as Explain shows it."""
    name: str               # its tensors' name in named_weights() without ".weight" / ".bias"
    kind: str               # dense, conv, deconv, local (same-size conv), linear
    activation: str
    pre: torch.Tensor       # before the activation: [units] or [channels, h, w]
    post: torch.Tensor      # after it: what the next layer reads


class Network(torch.nn.Module):
    """The contract. Every network sets, through this __init__: `spec` (its ModelSpec), `k`,
    `flat` (the [K, P] parameter every weight lives in), `input_dim` (D), `latent_dim` (L),
    `is_vae`, `top_k` (k of a k-sparse code, else 0) and `output_activation`.

    A subclass writes encode_raw, decode_logits, init_weights, named_weights and
    load_named_weights; the rest is shared here."""

    def __init__(self, spec: ModelSpec, k: int, n_params: int, input_dim: int, latent_dim: int,
                 n_stats: int = 0):
        super().__init__()
        self.spec, self.k = spec, k
        self.flat = torch.nn.Parameter(torch.zeros(k, n_params))
        # What a model learns that is not a weight (batch-norm's running mean and variance): it
        # goes with the weights wherever a model is copied (select, the validation model).
        self.register_buffer("stats", torch.zeros(k, n_stats))
        self.input_dim, self.latent_dim = input_dim, latent_dim
        self.is_vae = kind_of(spec).samples_codes
        self.top_k = top_k_of(spec)
        self.output_activation = spec.output_activation

    # ---------------------------------------------------------------- what each network writes
    def encode_raw(self, x: torch.Tensor, steps: list | None = None) -> tuple[torch.Tensor, list]:
        """(The encoder's last activations [K, N, L], []) for inputs x; a VAE's are [K, N, 2L],
        the means then the log-variances. No top-k here (encode applies it).

        steps: a list to which, for a K = 1 model, each layer appends its LayerStep for the first
        sample, input side first; the last one gives the code. Explain walks a model with it, so
        what it shows is what the model computes."""
        raise NotImplementedError

    def decode_logits(self, z: torch.Tensor, steps: list | None = None) -> torch.Tensor:
        """The decoder's output [K, N, D] for codes z [N, L] or [K, N, L], before the output
        activation (so BCE can use its stable logits form). steps: as in encode_raw; the last
        step is the output layer, its `post` after the output activation."""
        raise NotImplementedError

    def init_weights(self, seeds, inits=None) -> None:
        """Fresh weights for the first len(seeds) models, model k drawn from its own generator
        seeded seeds[k] (so its start does not depend on K) with the init inits[k] (default the
        spec's); biases 0."""
        raise NotImplementedError

    def named_weights(self, k: int = 0) -> dict[str, torch.Tensor]:
        """Model k's tensors by name ("encoder.0.weight" ...), as model.safetensors stores them."""
        raise NotImplementedError

    def load_named_weights(self, tensors: dict[str, torch.Tensor], k: int = 0) -> None:
        """Copy named_weights' tensors into model k; KeyError / ValueError naming a missing or
        misshapen tensor (layers.stored_tensor)."""
        raise NotImplementedError

    # ---------------------------------------------------------------- shared
    _drop_gen: tuple | None = None   # (generator,) while dropping(): hidden layers drop units
    in_step = False                  # inside dropping(): batch-norm uses the batch's statistics
    whole_set_stats = False          # inside whole_set_statistics(): and keeps them as its running ones

    @property
    def steps_differ(self) -> bool:
        """Whether a training step computes other outputs than the model gives afterwards
        (dropout; batch-norm, which normalises by the batch's own statistics in a step)."""
        return bool(self.spec.dropout)

    @contextmanager
    def dropping(self, gen: torch.Generator | None):
        """Within this block (a training step's loss, Objective.loss) the hidden layers of a spec
        with `dropout` drop units, drawn from `gen`, and batch-norm layers normalise by the batch
        (updating their running statistics); outside it nothing is dropped and batch-norm uses
        its running statistics, so evaluation, the validation loss, encoding, decoding and every
        map a model draws are deterministic."""
        self._drop_gen = (gen,) if self.spec.dropout else None
        self.in_step = True
        try:
            yield self
        finally:
            self._drop_gen = None
            self.in_step = False

    @contextmanager
    def whole_set_statistics(self):
        """Within this block a training step's batch-norm layers set their running statistics to
        the batch's own, not a step of the way there: for full-batch optimizers (scipy's), whose
        batch is the whole training set, so what the running ones estimate is known exactly."""
        self.whole_set_stats = True
        try:
            yield self
        finally:
            self.whole_set_stats = False

    def take(self, other: "Network", k: int) -> None:
        """Become a copy of `other`'s model k (weights and running statistics); self is K = 1."""
        with torch.no_grad():
            self.flat.copy_(other.flat[k:k + 1])
            self.stats.copy_(other.stats[k:k + 1])

    def drop(self, h: torch.Tensor) -> torch.Tensor:
        """A hidden layer's outputs with dropout applied, inside dropping(); `h` itself outside."""
        return h if self._drop_gen is None else dropout(h, self.spec.dropout, self._drop_gen[0])

    @contextmanager
    def weight_views(self):
        """Within this block the training step may read the weights from views prepared once
        (LayeredNetwork's make backward write flat.grad in one piece); nothing to prepare here."""
        yield self

    def stack(self, x: torch.Tensor) -> torch.Tensor:
        """Inputs shared by the K models ([N, D]) as [K, N, D]; [K, N, D] as they are."""
        return x.expand(self.k, *x.shape) if x.dim() == 2 else x

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """Codes [K, N, L]: a VAE's means, a k-sparse code's top k."""
        h, _ = self.encode_raw(x)
        if self.top_k:
            return keep_top_k(h, self.top_k)
        return h[..., : self.latent_dim] if self.is_vae else h

    def decode(self, z: torch.Tensor, steps: list | None = None) -> torch.Tensor:
        """The decoder's output after the output activation."""
        return activate(self.output_activation, self.decode_logits(z, steps), self.spec.slope)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Reconstructions of `x`: decode(encode(x))."""
        return self.decode(self.encode(x))

    def select(self, k: int) -> "Network":
        """A K = 1 copy of model k on the CPU."""
        one = type(self)(self.spec, 1)
        one.take(self, k)
        return one

    def parameter_count(self) -> int:
        """Parameters of one of the K models."""
        return self.flat.shape[1]

    def work_per_sample(self) -> int:
        """Multiply-adds of one sample's forward pass (the training engine picks its thread count
        by it): a weight used once, unless a network says otherwise."""
        return self.parameter_count()

    def activate(self, layer, pre: torch.Tensor, steps: list | None = None) -> torch.Tensor:
        """`layer`'s activation of `pre` ([K, N, units] or maps [N, K*C, h, w]) at the spec's slope;
        with `steps`, its LayerStep (layer: anything with name, kind and activation, e.g. a Slot or
        Block). `decode_logits` returns the output layer's `pre`: its activation is applied here
        too (decode) or by the loss (BCE from logits), with the same slope."""
        post = activate(layer.activation, pre, self.spec.slope)
        if steps is not None:
            first = (lambda t: t[0]) if pre.dim() == 4 else (lambda t: t[0, 0])
            steps.append(LayerStep(layer.name, layer.kind, layer.activation, first(pre), first(post)))
        return post


class LayeredNetwork(Network):
    """A network whose flat buffer is its layers in order, each its weight then its bias. A
    subclass lists them in `layers()`: each with name, offset (where its weight starts), fan_in,
    fan_out (the bias's length), kernel (1 for a dense layer) and weight_shape (as stored)."""

    _views: dict | None = None     # each layer's (weight, bias) while inside weight_views()

    def layers(self) -> list:
        """The layers in the order they lie in the flat buffer."""
        raise NotImplementedError

    @contextmanager
    def weight_views(self):
        """Within this block every layer's weight and bias come from one split of `flat`, so
        backward writes flat.grad in one piece; a slice per layer makes autograd build and add
        up one zero-padded full-size gradient per layer (twice the time on a 1.6 M-weight VAE)."""
        layers = self.layers()
        chunks = self.flat.split([n for lay in layers for n in (math.prod(lay.weight_shape), lay.fan_out)], dim=1)
        self._views = {lay.name: (chunks[2 * i], chunks[2 * i + 1]) for i, lay in enumerate(layers)}
        try:
            yield self
        finally:
            self._views = None

    def parts(self, layer) -> tuple[torch.Tensor, torch.Tensor]:
        """(weight [K, its size], bias [K, fan_out]) of a layer, flat as they lie in `flat`."""
        if self._views is not None:
            return self._views[layer.name]
        n_w = math.prod(layer.weight_shape)
        return (self.flat[:, layer.offset:layer.offset + n_w],
                self.flat[:, layer.offset + n_w:layer.offset + n_w + layer.fan_out])

    def named_weights(self, k: int = 0) -> dict[str, torch.Tensor]:
        """Model k's weight and bias of every layer by name, shaped as stored."""
        out = {}
        for lay in self.layers():
            w, b = self.parts(lay)
            out[f"{lay.name}.weight"] = w[k].detach().view(lay.weight_shape)
            out[f"{lay.name}.bias"] = b[k].detach()
        return out

    def load_named_weights(self, tensors: dict[str, torch.Tensor], k: int = 0) -> None:
        """Copies each layer's named weight and bias into model k; KeyError / ValueError naming a missing or
        misshapen tensor."""
        with torch.no_grad():
            for lay in self.layers():
                w, b = self.parts(lay)
                for key, dest, shape in ((f"{lay.name}.weight", w[k], lay.weight_shape),
                                         (f"{lay.name}.bias", b[k], (lay.fan_out,))):
                    dest.copy_(stored_tensor(tensors, key, shape).reshape(-1))

    def init_weights(self, seeds, inits=None) -> None:
        """A weight's bound counts its receptive field (kernel x kernel) into both fans."""
        inits = inits or [self.spec.init] * self.k
        layers = self.layers()
        sizes = [math.prod(lay.weight_shape) for lay in layers]
        # One draw a model, not one a layer: a generator's stream is the same either way, and
        # thousands of models (best-of-K on a GPU) took seconds layer by layer.
        cols = torch.cat([torch.arange(lay.offset, lay.offset + n) for lay, n in zip(layers, sizes)])
        vals = torch.empty(len(seeds), len(cols))
        for k, seed in enumerate(seeds):
            torch.rand(len(cols), generator=torch.Generator().manual_seed(int(seed)), out=vals[k])
        used = inits[:len(seeds)]
        bounds = {name: torch.cat([torch.full((n,), init_bound(name, lay.fan_in * lay.kernel ** 2,
                                                               lay.fan_out * lay.kernel ** 2))
                                   for lay, n in zip(layers, sizes)]) for name in set(used)}
        scale = bounds[inits[0]] if len(bounds) == 1 else torch.stack([bounds[i] for i in used])
        vals.mul_(2).sub_(1).mul_(scale)
        with torch.no_grad():
            self.flat.zero_()
            self.flat[:len(seeds), cols] = vals.to(self.flat.device)
