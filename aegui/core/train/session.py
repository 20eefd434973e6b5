"""The training engine: TrainingSession.steps() yields ProgressRecords; stop() is cooperative.

K models (seeds, or per-model learning rates / inits) train together on stacked weights.
The best one (fewest wrong pixels on its worst glyph, then mean wrong, then loss) is what
best_model() returns; with a target, the first model to reach it wins.
"""
from __future__ import annotations

import math
import time
from typing import Iterator

import numpy as np
import torch

from aegui.core.models import losses as L
from aegui.core.train import progress as P
from aegui.core.config.experiment import IMAGE_ARCHS, SCIPY_OPTIMIZERS, ConfigError, Experiment
from aegui.core.data.dataset import Dataset
from aegui.core.models.nets import Autoencoder, build_model
from aegui.core.data.noise import apply_noise
from aegui.core.data.augment import Augmenter
from aegui.core.train.optim import FlatOptimizer, lr_factor
from aegui.core.train.devices import resolve_device
from aegui.core.train.evaluation import Evaluator, capped
from aegui.core.train.memory import check_session

# A weight this large means the run has blown up even if nothing is NaN yet (Adam with a
# huge learning rate moves each weight by about lr per step; sane runs stay below ~100).
_PARAM_LIMIT = 1e5
# A loss this many times a model's first loss means it blew up even with finite, bounded
# weights (Adam at lr 1e3 can keep |w| < 1e5 while the BCE reaches 1e13 per pixel); sane runs,
# even ones that recover from a spike, stay below ~10x.
_LOSS_GROWTH = 100.0
_SMALL_WORK = 1e8     # multiply-adds per step (K models x batch rows x work per sample)


def check_fits(exp: Experiment, data: Dataset) -> None:
    spec = exp.model
    if spec.arch in IMAGE_ARCHS:
        have = tuple(data.shape) if len(data.shape) == 3 else (*data.shape, 1)
        if len(data.shape) not in (2, 3) or have != spec.image_shape:
            shape = "x".join(str(s) for s in data.shape)
            want = "x".join(str(s) for s in spec.input_shape)
            raise ConfigError("model.input_shape", f"the {spec.arch} model reads {want} images but "
                              f"{data.name} holds {shape} samples; set model.input_shape to "
                              f"{list(data.shape)} (and the input/output layers to {data.dim})")
    first = spec.full_layers[0]
    if first != data.dim:
        shape = "x".join(str(s) for s in data.shape)
        raise ConfigError("model.layers", f"the input layer has {first} units but each sample of "
                          f"{data.name} has {data.dim} values ({shape}); make the first and last "
                          f"layers {data.dim}")


class TrainingSession:
    def __init__(self, exp: Experiment, data: Dataset, *, seeds=None, lrs=None, inits=None,
                 device: str | None = None, val_data: Dataset | None = None):
        exp.validate()
        check_fits(exp, data)
        if val_data is not None:
            check_fits(exp, val_data)
        t = exp.train
        k = len(seeds or lrs or inits or []) or t.seeds
        self.exp, self.data, self.k = exp, data, k
        self.seeds = list(seeds) if seeds else [t.seed + i for i in range(k)]
        self.lrs = list(lrs) if lrs else [t.learning_rate] * k
        self.inits = list(inits) if inits else [exp.model.init] * k
        if not (len(self.seeds) == len(self.lrs) == len(self.inits) == k):
            raise ValueError("seeds, lrs and inits must have one entry per model")
        self.device = resolve_device(device or t.device)
        check_session(exp, data, k, self.device, val_data)   # before any allocation
        self.augmenter = Augmenter.for_session(exp, data)   # None unless augment.enabled
        self.model = build_model(exp.model, k)
        self.model.init_weights(self.seeds, self.inits)
        self.model.to(self.device)
        self.x = torch.as_tensor(data.x, dtype=torch.float32, device=self.device)
        self.evaluator = Evaluator.for_session(self)   # what a check measures (bounded)
        # Validation set (see datasets.load_split): its loss is measured at each check.
        self.val_data = val_data if val_data is not None and len(val_data) else None
        self.val_x = None if self.val_data is None else \
            capped(torch.as_tensor(self.val_data.x, dtype=torch.float32, device=self.device), t.eval_samples)
        self._val_model = None if self.val_data is None else build_model(exp.model, 1).to(self.device)
        self.alive = torch.ones(k, dtype=torch.bool, device=self.device)
        self.best = 0
        self.history: list[dict] = []
        self.state = P.RUNNING
        self.message = ""
        self._stop = False
        self.epoch = 0
        self._loss0: torch.Tensor | None = None   # each model's first loss, for the blow-up check
        self.capture = True     # on CUDA, replay captured steps where possible (train/capture.py)
        # Step mode (see train/gate.py): a record every epoch whatever check_every says, and
        # `batch_report()`, asked after every batch but an epoch's last: True yields a record of
        # the epoch so far (the window steps and pauses between batches).
        self.report_every_epoch = False
        self.batch_report = None
        # Seconds the consumer spent not training between records (a paused window): left out
        # of the records' elapsed time and rate.
        self.idle_s = 0.0

    # ---------------------------------------------------------------- control
    def stop(self) -> None:
        """Ask the loop to end after the current step (safe from another thread)."""
        self._stop = True

    def best_model(self) -> Autoencoder:
        return self.model.select(self.best)

    # ---------------------------------------------------------------- pieces
    def _noisy_inputs(self, rng: np.random.Generator) -> torch.Tensor:
        n = self.exp.noise
        x = self.data.x
        noisy = apply_noise(np.broadcast_to(x, (self.k, *x.shape)), n.kind, n.level, rng)
        return torch.from_numpy(noisy).to(self.device)

    def _training_pairs(self, rng):
        """Inputs and targets for this run; fixed-copies denoising builds them once."""
        n = self.exp.noise
        if self.exp.model.kind == "dae" and n.mode == "fixed":
            reps = np.repeat(self.data.x, n.copies, axis=0)
            noisy = apply_noise(reps, n.kind, n.level, rng)
            return torch.from_numpy(noisy).to(self.device), torch.from_numpy(reps).to(self.device)
        return self.x, self.x

    def _loss(self, xin, target, epoch, gen, model=None):
        """Per-model loss parts and the output logits (for metrics when deterministic);
        `model` (default the session's) lets scipy_opt evaluate one model on its own."""
        spec, t = self.exp.model, self.exp.train
        m = self.model if model is None else model
        parts = {}
        if spec.kind == "vae":
            h, _ = m.encode_raw(xin)
            mu, logvar = h[..., : m.latent_dim], h[..., m.latent_dim:].clamp(-20, 20)
            eps = torch.randn(mu.shape, generator=gen, device=self.device) if gen is not None \
                else torch.randn_like(mu)
            logits = m.decode_logits(mu + eps * torch.exp(0.5 * logvar))
            parts["recon"] = L.reconstruction(logits, target, t.loss, spec.output_activation, True)
            parts["kl"] = L.kl_normal(mu, logvar)
            beta = spec.beta * (min(1.0, epoch / spec.kl_warmup) if spec.kl_warmup else 1.0)
            total = parts["recon"] + beta * parts["kl"]
        else:
            if spec.kind == "contractive":
                code, jac2 = L.contractive(m, xin)
                parts["penalty"] = spec.contractive_weight * jac2
            else:
                code = m.encode(xin)
            logits = m.decode_logits(code)
            parts["recon"] = L.reconstruction(logits, target, t.loss, spec.output_activation, False)
            if spec.kind == "sparse":
                parts["penalty"] = spec.sparsity_weight * L.sparsity_penalty(spec, code)
            total = parts["recon"] + parts.get("penalty", 0)
        parts["total"] = total
        return total, parts, logits

    @torch.no_grad()
    def _wrong(self, logits: torch.Tensor) -> torch.Tensor:
        """Wrong pixels per model and sample [K, N] after thresholding at 0.5 (zeros where
        they are not counted: see evaluation.py)."""
        return self.evaluator.wrong_from_logits(logits)

    @torch.no_grad()
    def eval_logits(self) -> torch.Tensor:
        return self.evaluator.logits()

    def _pick_best(self, wrong: torch.Tensor, loss: torch.Tensor) -> torch.Tensor:
        """The best model's index, as a tensor on the device (read back with the record)."""
        mx = wrong.amax(1).double()
        mean = wrong.double().mean(1)
        score = mx * 1e6 + mean * 1e3 + torch.nan_to_num(loss.double(), nan=1e300).clamp(max=999)
        score[~self.alive] = float("inf")
        return torch.argmin(score)

    def _read(self, wrong, loss, parts, *flags) -> tuple:
        """What a record needs from the device in one copy (on a GPU each read waits for the
        device): the flags (0-d bools), the best index, alive, loss and the best model's loss
        parts as numbers; wrong pixels as an int array."""
        best = self._pick_best(wrong, loss)
        part_vals = torch.stack([v.detach().double() for v in parts.values()])[:, best]
        pieces = [*(f.view(1) for f in flags), best.view(1), self.alive, loss.detach().reshape(-1),
                  part_vals, wrong.reshape(-1)]
        got = torch.cat([p.double() for p in pieces]).cpu().numpy()
        k, nf = self.k, len(flags)
        alive, loss_np, part_np, wrong_np = np.split(got[nf + 1:], np.cumsum([k, k, len(parts)]))
        return ([bool(f) for f in got[:nf]], int(got[nf]), alive.astype(bool), loss_np.astype(np.float32),
                dict(zip(parts, part_np.tolist())), wrong_np.astype(np.int64).reshape(wrong.shape))

    # ---------------------------------------------------------------- the loop
    def steps(self) -> Iterator[P.ProgressRecord]:
        # Small models on the CPU run several times faster on one thread: with more, the
        # OpenMP workers spin on each tiny op and collapse (x10) when another process or the
        # GUI thread wants a core too. What counts is the work of one step (one batch): the
        # emoji VAE (1.6 M weights) in batches of 8 / 32 / 128 took 135 / 74 / 47 ms per
        # epoch on one thread and 1022 / 114 / 30 ms on two.
        spec, t = self.exp.model, self.exp.train
        n = len(self.data) * (self.exp.noise.copies if spec.kind == "dae" and self.exp.noise.mode == "fixed" else 1)
        rows = min(t.batch_size, n) if t.batch_size > 0 else n
        per_sample = getattr(self.model, "work_per_sample", self.model.parameter_count)()
        work = self.k * rows * per_sample
        threads = torch.get_num_threads()
        single = self.device.type == "cpu" and work < _SMALL_WORK
        if single:
            torch.set_num_threads(1)
        try:
            yield from self._steps()
        finally:
            self.model.flat.grad = None     # the loop keeps it between steps; free it
            if single:
                torch.set_num_threads(threads)

    def _steps(self) -> Iterator[P.ProgressRecord]:
        exp, t, spec = self.exp, self.exp.train, self.exp.model
        if t.optimizer in SCIPY_OPTIMIZERS:
            from aegui.core.train.scipy_opt import scipy_steps
            yield from scipy_steps(self)
            return
        if self.capture and self.device.type == "cuda":
            from aegui.core.train import capture
            if capture.usable(self):
                yield from capture.captured_steps(self)
                return
        rng = np.random.default_rng(t.seed)
        gen = torch.Generator(device=self.device).manual_seed(t.seed)
        # The batch order is drawn on the CPU, which a CUDA generator cannot do.
        order_gen = gen if self.device.type == "cpu" else torch.Generator().manual_seed(t.seed)
        xin, target = self._training_pairs(rng)
        n = xin.shape[-2] if self.augmenter is None else self.augmenter.rows
        bs = t.batch_size if 0 < t.batch_size < n else n
        full_batch = bs == n
        deterministic = spec.kind not in ("vae", "dae") and self.augmenter is None
        fresh_noise = spec.kind == "dae" and exp.noise.mode == "fresh"
        opt = FlatOptimizer(t, self.model.flat, torch.tensor(self.lrs, dtype=torch.float32))
        flat = self.model.flat
        snapshot = flat.detach().clone()
        start = time.perf_counter()
        last_loss = torch.full((self.k,), float("nan"))
        batches = -(-n // bs)
        for epoch in range(1, t.epochs + 1):
            self.epoch = epoch
            factor = lr_factor(t, epoch - 1)
            last = epoch == t.epochs or self._stop
            check = epoch % t.check_every == 0 or last or self.report_every_epoch
            if self.augmenter is not None:
                inputs, target = (torch.from_numpy(a).to(self.device) for a in self.augmenter.pairs(rng, self.k))
            else:
                inputs = self._noisy_inputs(rng) if fresh_noise else xin
            order = None if full_batch else torch.randperm(n, generator=order_gen, device="cpu").to(self.device)
            wrong = None
            epoch_parts: dict = {}
            seen = 0
            for b, lo in enumerate(range(0, n, bs), start=1):
                idx = None if order is None else order[lo:lo + bs]
                xb = inputs if idx is None else inputs[..., idx, :]
                tb = target if idx is None else target[idx]
                with self.model.weight_views():
                    total, parts, logits = self._loss(xb, tb, epoch, gen)
                if self._loss0 is None:
                    self._loss0 = total.detach().abs().clone()
                total.sum().backward()
                if (check or self.batch_report is not None) and not full_batch:
                    # Mini-batch runs report the epoch's mean loss, not the last (maybe tiny) batch's.
                    share = xb.shape[-2] / n
                    seen += xb.shape[-2]
                    epoch_parts = {k: v.detach() * share + epoch_parts.get(k, 0) for k, v in parts.items()}
                if check and not last and full_batch and deterministic and xin is self.x:
                    # The forward pass already shows this epoch's weights: measure before the
                    # step so a model that hits the target is kept exactly as measured. The last
                    # epoch is measured after its step, so the final record (and the saved
                    # metrics) describe the weights that are kept.
                    wrong = self._wrong(logits.detach())
                    last_loss = total.detach()
                    parts_now = {k: v.detach() for k, v in parts.items()}
                    if t.target_max_wrong is not None and self._hit(wrong, last_loss, t.target_max_wrong):
                        flat.grad = None
                        break
                opt.step(flat.grad, factor, self.alive)
                # Zeroed, not dropped: the next backward adds into it, where a fresh full-size
                # gradient each step page-faults its memory in again (12 000 faults and 18 ms of
                # system time per 70 ms epoch of the 1.6 M-weight emoji VAE).
                flat.grad.zero_()
                if b < batches and self.batch_report is not None and self.batch_report():
                    yield self._partial_record(epoch, b, batches, {k: v * (n / seen) for k, v in epoch_parts.items()},
                                               start)
            if not check and (self.report_every_epoch or (self.batch_report is not None and self.batch_report())):
                check = True     # step mode or a pause began during this epoch
            if not check:
                continue
            if wrong is None:
                wrong = self.evaluator.wrong()
                parts_now = epoch_parts or {k: v.detach() for k, v in parts.items()}
                last_loss = parts_now["total"]
            rec = self._checkpoint(epoch, wrong, last_loss, parts_now, snapshot, opt, start)
            if self.val_x is not None:
                rec.val_loss = self.val_loss(rec.best, epoch)
            self.history.append(self._history_row(rec))
            yield rec
            if rec.done:
                return

    _VAL_CHUNK = 4096   # validation samples per forward pass (bounds the memory it takes)

    @torch.no_grad()
    def val_loss(self, k: int, epoch: int) -> float:
        """Model k's loss on the validation set: the training loss function ("total", with the
        KL / penalty terms and the epoch's beta), measured deterministically: the VAE decodes
        its mean mu, the denoising AE gets clean inputs. Chunked; exact, since every term is a
        mean over samples (sparse-KL's mean code is taken over the whole set)."""
        spec, t = self.exp.model, self.exp.train
        m = self._val_model
        m.flat.copy_(self.model.flat[k:k + 1])
        x = self.val_x
        n = x.shape[0]
        recon = kl = jac = torch.zeros(1, device=self.device)
        codes = []
        for lo in range(0, n, self._VAL_CHUNK):
            xb = x[lo:lo + self._VAL_CHUNK]
            w = xb.shape[0] / n
            if spec.kind == "vae":
                h, _ = m.encode_raw(xb)
                mu, logvar = h[..., : m.latent_dim], h[..., m.latent_dim:].clamp(-20, 20)
                recon = recon + w * L.reconstruction(m.decode_logits(mu), xb, t.loss,
                                                     spec.output_activation, True)
                kl = kl + w * L.kl_normal(mu, logvar)
                continue
            if spec.kind == "contractive":
                code, jac2 = L.contractive(m, xb)
                jac = jac + w * jac2
            else:
                code = m.encode(xb)
            recon = recon + w * L.reconstruction(m.decode_logits(code), xb, t.loss,
                                                 spec.output_activation, False)
            if spec.kind == "sparse":
                codes.append(code)
        if spec.kind == "vae":
            beta = spec.beta * (min(1.0, epoch / spec.kl_warmup) if spec.kl_warmup else 1.0)
            total = recon + beta * kl
        elif spec.kind == "contractive":
            total = recon + spec.contractive_weight * jac
        elif spec.kind == "sparse":
            code = torch.cat(codes, dim=1)
            total = recon + spec.sparsity_weight * L.sparsity_penalty(spec, code)
        else:
            total = recon
        return float(total[0])

    def _hit(self, wrong, loss, target) -> bool:
        ok = (wrong.amax(1) <= target) & self.alive & torch.isfinite(loss)
        return bool(ok.any())

    def _partial_record(self, epoch, batch, batches, parts, start) -> P.ProgressRecord:
        """Where an epoch in progress stands after `batch` of its `batches` (step mode): the mean
        loss of those batches, wrong pixels of the weights now. The best model may change."""
        wrong = self.evaluator.wrong()
        _, b, alive_np, loss_np, losses, wrong_np = self._read(wrong, parts["total"], parts)
        self.best = b
        loss_np[~alive_np] = np.nan
        max_w = wrong_np.max(1)
        elapsed = time.perf_counter() - start - self.idle_s
        done = epoch - 1 + batch / batches
        return P.ProgressRecord(
            epoch=epoch, total_epochs=self.exp.train.epochs, losses=losses, loss_per_model=loss_np,
            max_wrong=int(max_w[b]), mean_wrong=float(wrong_np[b].mean()), max_wrong_per_model=max_w,
            mean_wrong_per_model=wrong_np.mean(1), glyph_wrong=wrong_np[b].copy(), best=b, elapsed=elapsed,
            epochs_per_s=done / elapsed if elapsed > 0 else 0.0, batch=batch, batches=batches)

    def _checkpoint(self, epoch, wrong, loss, parts, snapshot, opt, start) -> P.ProgressRecord:
        t = self.exp.train
        flat = self.model.flat
        with torch.no_grad():
            finite_loss = torch.isfinite(loss)
            # amax / amin propagate NaN (which compares False) and need no full-size temporary
            # (isfinite(flat) took 3 ms on a 1.6 M-weight model, more than an Adam step).
            sane_weights = (flat.amax(1) < _PARAM_LIMIT) & (flat.amin(1) > -_PARAM_LIMIT)
            sane_loss = ~(loss > _LOSS_GROWTH * self._loss0) if self._loss0 is not None \
                else torch.ones_like(finite_loss)
            finite = finite_loss & sane_weights & sane_loss
            newly_dead = self.alive & ~finite
            flags = (newly_dead.any(), finite_loss.all(), sane_weights.all())
            read = self._read(wrong, loss, parts, *flags)
            if read[0][0]:
                # Keep the last finite weights and freeze the model.
                flat[newly_dead] = snapshot[newly_dead]
                opt.reset_state(newly_dead)
                self.alive &= ~newly_dead
                wrong = self.evaluator.wrong()
                read = self._read(wrong, loss, parts, *flags)
            snapshot.copy_(flat)
        (_, all_finite, all_sane), b, alive_np, loss_np, losses, wrong_np = read
        self.best = b
        loss_np[~alive_np] = np.nan
        elapsed = time.perf_counter() - start - self.idle_s
        max_w = wrong_np.max(1)
        state, msg = P.RUNNING, None
        if not alive_np.any():
            state = P.DIVERGED
            if not all_finite:
                why = ("why_nan", {})
            elif not all_sane:
                why = ("why_weights", {"limit": f"{_PARAM_LIMIT:g}"})
            else:
                why = ("why_growth", {"factor": f"{_LOSS_GROWTH:g}"})
            msg = ("diverged", {"epoch": epoch, "why": why[0], "why_args": why[1],
                                "lr": f"{t.learning_rate:g}", "optimizer": t.optimizer,
                                "lower": f"{t.learning_rate / 10:g}"})
        elif t.target_max_wrong is not None and int(max_w[b]) <= t.target_max_wrong:
            state = P.TARGET
            msg = ("target", {"model": b + 1, "models": self.k, "wrong": int(max_w[b]), "epoch": epoch})
        elif self._stop:
            state, msg = P.STOPPED, ("stopped", {"epoch": epoch})
        elif epoch >= t.epochs:
            state = P.FINISHED
        dead = int((~alive_np).sum())
        if dead and state == P.RUNNING:
            msg = ("some_diverged", {"dead": dead, "models": self.k})
        if msg is None or state == P.FINISHED:
            msg = self._kl_warning(epoch, losses) or msg
        message = P.render(*msg) if msg else ""
        extra = {"message_id": msg[0], "message_args": msg[1]} if msg else {}
        self.state, self.message = state, message
        return P.ProgressRecord(
            epoch=epoch, total_epochs=t.epochs,
            losses=losses,
            loss_per_model=loss_np, max_wrong=int(max_w[b]), mean_wrong=float(wrong_np[b].mean()),
            max_wrong_per_model=max_w, mean_wrong_per_model=wrong_np.mean(1),
            glyph_wrong=wrong_np[b].copy(), best=b, elapsed=elapsed,
            epochs_per_s=epoch / elapsed if elapsed > 0 else 0.0, state=state, message=message,
            extra=extra)


    # KL below this (nats per sample, summed over the code) means q(z|x) is the prior for every
    # x: the decoder ignores its input and every decode looks alike. Above KL_EXPLODE_PER_DIM
    # per latent dimension the codes sit so far from N(0, I) that prior samples decode poorly.
    KL_COLLAPSE = 0.05
    KL_EXPLODE_PER_DIM = 20.0
    _KL_MIN_EPOCH = 50

    def _kl_warning(self, epoch: int, losses: dict):
        """`losses`: the best model's loss parts, as numbers."""
        spec = self.exp.model
        if spec.kind != "vae" or "kl" not in losses or epoch < max(self._KL_MIN_EPOCH, spec.kl_warmup):
            return None
        kl = losses["kl"]
        if not math.isfinite(kl):
            return None
        if kl < self.KL_COLLAPSE:
            return ("kl_collapse", {"kl": f"{kl:.3g}"})
        per_dim = kl / max(1, spec.latent_dim)
        if per_dim > self.KL_EXPLODE_PER_DIM:
            return ("kl_explode", {"kl": f"{kl:.4g}", "per_dim": f"{per_dim:.3g}"})
        return None

    @staticmethod
    def _history_row(rec: P.ProgressRecord) -> dict:
        row = {"epoch": rec.epoch}
        row.update({f"loss_{k}": v for k, v in rec.losses.items()})
        row.update({"max_wrong_pixels": rec.max_wrong, "mean_wrong_pixels": round(rec.mean_wrong, 6),
                    "best_model": rec.best, "seconds": round(rec.elapsed, 4)})
        if rec.val_loss is not None:
            row["val_loss"] = rec.val_loss
        return row


def train(exp: Experiment, data: Dataset, **kw) -> tuple[TrainingSession, P.ProgressRecord]:
    """Run to the end; returns the session (for best_model()) and the last record."""
    session = TrainingSession(exp, data, **kw)
    rec = None
    for rec in session.steps():
        pass
    return session, rec
