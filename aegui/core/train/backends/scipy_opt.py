"""scipy.optimize (Powell, BFGS, CG) as optimizers for tiny nets, as the course's seed 001 compared.

`train.optimizer` "powell", "bfgs" or "cg" makes TrainingSession.steps() run the epoch loop
with ScipyBackend, so its records come from the same observers (history rows, blow-up guard,
wrong-pixel target, best-of-K) as the gradient steps'. How it works:

- Each of the K models (seeds) is minimised on its own, over its flattened parameters, in
  float64 (`scipy.optimize.minimize`): "bfgs" and "cg" get the loss and its gradient from torch
  autograd (jac=True); "powell" gets the loss only (derivative-free line searches, one per
  parameter per iteration, so it is slow beyond a few hundred parameters).
- One "epoch" is one scipy iteration (one callback). Each model's minimize runs once, for the
  whole budget, on a thread of its own that pauses after each iteration until the loop asks for
  more (_Minimiser); the loop asks for `train.check_every` iterations of each model in turn, and
  a check follows. So the minimiser's state (BFGS's inverse Hessian and its last step, CG's search
  direction, Powell's direction set) carries across checks and the numbers do not depend on
  check_every: a check at every iteration draws the curve point by point at no cost to the
  optimisation. (Run in chunks, minimize restarted at each check: CG from steepest descent, BFGS
  with a fresh first step, so check_every changed what was trained.)
- A model whose minimize ends before the budget does (converged: gradient below gtol; or no
  further progress possible: a failed line search) keeps its weights; when every model has
  ended, the session finishes early (state "finished").
- `stop()` is honoured inside a chunk: the loss function raises at its next call and the model
  keeps its last completed iteration.
- `train.weight_decay` adds weight_decay / 2 * ||w||^2 to the loss. Powell needs it: BCE and
  MSE keep falling as saturated units' weights grow, and its unbounded line searches walk them
  past the engine's blow-up limit (1e5) within a few iterations; 1e-4 keeps them finite (a
  divergence then says so). Not used: learning_rate, momentum, schedule (the line searches
  choose the steps).
- Refused by config.validate (a loss that changes between calls breaks the line searches):
  the VAE, a DAE with fresh noise (use noise.mode "fixed"), train.batch_size > 0. Refused here,
  as ConfigError("model.layers"): BFGS on more than BFGS_MAX_PARAMS parameters (it keeps a
  P x P matrix and scipy updates it with two P x P x P products per iteration).
"""
from __future__ import annotations

import threading

import numpy as np
import torch

from aegui.core.train import progress as P
from aegui.core.schema.experiment import ConfigError, SCIPY_OPTIMIZERS, shown
from aegui.core.archs import build_model
from aegui.core.train.backends.torch_base import TorchBackend
from aegui.core.train.threads import one_native_thread

# The numerics revision of the scipy loop: bump it with any change to the numbers computed here
# (docs/numerics.md; the report's rows that use it are then made again).
# 2: each minimiser runs whole, paused at the checks (1 restarted it at every check: CG from
# steepest descent, BFGS with a fresh first step, Powell without the direction update of the
# chunk's last iteration, so check_every changed the numbers).
NUMERICS = 2

BFGS_MAX_PARAMS = 2500
METHODS = {"powell": "Powell", "bfgs": "BFGS", "cg": "CG"}
# Powell's default ftol (1e-4, relative) ends training long before the loss stops falling.
_POWELL_OPTIONS = {"xtol": 1e-6, "ftol": 1e-10}


class _Stopped(Exception):
    """Raised by the loss function when the session was asked to stop."""


def _explain_divergence(session, rec: P.ProgressRecord) -> None:
    """The engine's sentence blames the learning rate, which scipy does not use; say what helps.
    Without a message id the GUI shows this English sentence as it is."""
    args = rec.extra.get("message_args", {})
    why = P.render(args["why"], args.get("why_args", {})) if "why" in args else "it blew up"
    name = METHODS[session.exp.train.optimizer]
    rec.message = (
        f"Training diverged at epoch {rec.epoch}: {why}. {name} picks its own step sizes, and the "
        "loss keeps falling as saturated units' weights grow without limit; set train.weight_decay "
        "(e.g. 0.0001) to keep them finite, or try another optimizer. The last finite weights were kept.")
    rec.extra = {k: v for k, v in rec.extra.items() if k not in ("message_id", "message_args")}


def check_size(method: str, n_params: int) -> None:
    """ConfigError when BFGS would keep a matrix too large for the model's parameters."""
    if method == "bfgs" and n_params > BFGS_MAX_PARAMS:
        raise ConfigError("model.layers", f"this model has {n_params:,} parameters; 'bfgs' keeps a "
                          f"{n_params:,} x {n_params:,} matrix and is limited to {BFGS_MAX_PARAMS:,}: "
                          "use smaller layers, or train.optimizer 'cg'")


class _Objective:
    """What scipy minimises for one model: the session's loss (plus weight decay) at a flat float64
    parameter vector, with its gradient from torch autograd except for Powell. It evaluates on a
    float64 single-model copy, on the inputs the gradient-step engine would use (the clean data,
    or a DAE's fixed noisy copies); it raises _Stopped once the session is asked to stop."""

    def __init__(self, session):
        t = session.exp.train
        self.session, self.method, self.wd = session, t.optimizer, float(t.weight_decay)
        self.epoch = 1      # the epoch the loss is asked for (the last check's)
        self.one = build_model(session.exp.model, 1).to(device=session.device, dtype=torch.float64)
        self.xin, self.targets = session.training_pairs(np.random.default_rng(t.seed))
        self.xin64, self.targets64 = self.xin.double(), self.targets.double()

    def loss_of(self, m) -> torch.Tensor:
        total = self.session.loss(self.xin64, self.targets64, self.epoch, None, model=m)[0][0]
        if self.wd:
            total = total + 0.5 * self.wd * m.flat.pow(2).sum()
        return total

    def __call__(self, theta: np.ndarray):
        if self.session.stop_requested:
            raise _Stopped
        one = self.one
        with torch.no_grad():
            one.flat.copy_(torch.from_numpy(theta).view(1, -1))
        if self.method == "powell":
            with torch.no_grad():
                return float(self.loss_of(one))
        one.flat.grad = None
        total = self.loss_of(one)
        total.backward()
        return float(total.detach()), one.flat.grad[0].detach().cpu().numpy().astype(np.float64)


class _Aborted(Exception):
    """Raised in a paused minimiser's callback to end its thread (the run is over or the model frozen)."""


class _Minimiser:
    """One model's scipy.optimize.minimize, run once for the whole budget on a thread of its own
    and paused after each iteration until run_for() asks for more. Only one side runs at a time
    (the loop waits while the minimiser works), so the session's objective is never used by two
    threads at once and the numbers are those of one uninterrupted minimize."""

    def __init__(self, fun: "_Objective", theta: np.ndarray, budget: int):
        self.fun, self.theta, self.budget = fun, theta, budget
        self.ended = False          # minimize returned: converged, no progress possible, stopped, or done
        self._error: BaseException | None = None
        self._go, self._back = threading.Semaphore(0), threading.Semaphore(0)
        self._left = self._done = 0
        self._abort = False
        self._thread: threading.Thread | None = None

    def run_for(self, iters: int) -> int:
        """Up to `iters` more iterations; returns how many were done (fewer once minimize ends)."""
        if self.ended or iters <= 0:
            return 0
        self._left, self._done = iters, 0
        if self._thread is None:
            self._thread = threading.Thread(target=self._minimize, name="aegui-scipy", daemon=True)
            self._thread.start()
        else:
            self._go.release()
        self._back.acquire()
        if self._error is not None:
            error, self._error = self._error, None
            raise error
        return self._done

    def close(self) -> None:
        """Ends the thread of a minimiser paused between iterations (its weights stay as they are)."""
        if self._thread is not None and not self.ended:
            self._abort = True
            self._go.release()
            self._thread.join()
        self.ended = True

    def _callback(self, intermediate_result) -> None:
        if self._abort:         # closed while working (Ctrl-C on the loop's thread): end at this iteration
            raise _Aborted
        self.theta = np.array(intermediate_result.x, dtype=np.float64)
        self._done += 1
        self._left -= 1
        if self._left <= 0:
            self._back.release()        # the chunk is done: the loop checks, then asks for more
            self._go.acquire()
            if self._abort:
                raise _Aborted

    def _minimize(self) -> None:
        from scipy.optimize import minimize
        method = self.fun.method
        options: dict = {"maxiter": self.budget}
        if method == "powell":
            options.update(_POWELL_OPTIONS)
        try:
            res = minimize(self.fun, self.theta, method=METHODS[method], jac=method != "powell",
                           callback=self._callback, options=options)
            self.theta = np.asarray(res.x, dtype=np.float64)
        except (_Stopped, _Aborted):
            pass                        # the last completed iteration's weights stay
        except BaseException as e:      # noqa: BLE001 - raised again on the loop's thread
            self._error = e
        finally:
            self.ended = True
            self._back.release()


def _run_models(session, minimisers: list[_Minimiser], alive: np.ndarray, iters: int) -> int:
    """The next `iters` iterations of every model still alive and not ended, in turn, each copied
    back into the session's weights; returns the most iterations one of them did."""
    flat = session.model.flat
    done = 0
    for k, m in enumerate(minimisers):
        if session.stop_requested:
            break
        if not alive[k] or m.ended:
            continue
        done = max(done, m.run_for(iters))
        with torch.no_grad():
            flat[k].copy_(torch.from_numpy(m.theta).to(flat.device, flat.dtype))
    return done


class ScipyBackend(TorchBackend):
    """Each pass of the loop is `check_every` iterations of each model's minimiser (see the module
    docstring)."""

    name = "scipy"
    checks_every_span = True

    def start(self, run) -> None:
        """Checks the optimizer and the model's size and keeps each model's weights as float64 for the
        minimiser."""
        session = self.s
        method = session.exp.train.optimizer
        if method not in SCIPY_OPTIMIZERS:
            raise ConfigError("train.optimizer", f"{shown(method)} is not one of {', '.join(SCIPY_OPTIMIZERS)}")
        check_size(method, session.model.parameter_count())
        flat = session.model.flat
        self.fun = _Objective(session)
        self.minimisers = [_Minimiser(self.fun, flat[k].detach().cpu().double().numpy().copy(), session.exp.train.epochs)
                           for k in range(session.k)]
        with torch.no_grad():
            self.loss0, _, _ = session.loss(self.fun.xin, self.fun.targets, 1, None)

    def span(self, epoch: int, epochs: int, check_every: int) -> int:
        """A chunk of up to `check_every` iterations, ending at the next check."""
        self.iters = min(check_every, epochs - epoch)
        self.fun.epoch = epoch or 1
        return self.iters

    def forward(self, epoch: int, batch: int) -> None:
        """Runs the minimiser on every live model for the chunk's iterations."""
        # numpy's BLAS on one thread while the minimisers work (BFGS's matrix products); the loop
        # waits meanwhile, so the limit is set and lifted on this thread alone
        with one_native_thread():
            self.done = _run_models(self.s, self.minimisers, self.alive.cpu().numpy(), self.iters)

    def first_loss(self):
        """The loss at the starting weights [K]."""
        return self.loss0       # at the starting weights

    def epochs_done(self, epoch: int) -> int:
        """The iterations done: fewer than the chunk after a stop inside it."""
        # A stop inside the chunk counts the iterations done; otherwise the chunk is whole
        # (models that converged early have simply stopped moving).
        return epoch - self.iters + max(1, self.done) if self.s.stop_requested else epoch

    def check_parts(self, epoch: int) -> dict:
        """The loss parts at the weights now, batch-norm using the whole set's statistics as the minimiser did.
        """
        # The minimiser's loss normalises batch-norm by the whole set's statistics at each
        # iterate; the model keeps them as its running ones (a step of momentum 0.99 per check
        # left them near their start, and the saved model evaluated with statistics it never had).
        s = self.s
        with torch.no_grad(), s.model.whole_set_statistics():
            _, parts, _ = s.loss(self.fun.xin, self.fun.targets, epoch, None)
        return {k: v.detach() for k, v in parts.items()}

    def end(self) -> None:
        """Ends the threads of the minimisers still paused (the budget spent, or the run abandoned)."""
        for m in getattr(self, "minimisers", ()):
            m.close()

    def freeze(self, rows: np.ndarray) -> None:
        """Ends the frozen models' minimisers and stops moving them."""
        for k in np.flatnonzero(rows):
            self.minimisers[k].close()
        self.alive &= ~torch.from_numpy(rows).to(self.alive.device)

    def amend(self, rec) -> None:
        """Says why a model diverged, and ends the run when every live minimiser has converged."""
        if rec.state == P.DIVERGED:
            _explain_divergence(self.s, rec)
        alive = self.alive.cpu().numpy()
        if rec.state == P.RUNNING and all(m.ended or not alive[k] for k, m in enumerate(self.minimisers)):
            rec.state = P.FINISHED
