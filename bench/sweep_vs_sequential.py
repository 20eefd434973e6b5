"""A sweep against the loop a student writes: the seed-001 comparison (the report's six
architectures x 2 optimizers x 5 seeds on Font1: 60 runs of 150 epochs, the weights updated after
every glyph) from `aegui sweep`, from the app's Experiments menu, and the same runs one after
another in the loop a student would write, side by side.

- cli: the whole `aegui sweep SWEEP --out DIR` process (Python start and torch import included),
  and the sweep time it reports (its last stdout line).
- gui: the real main window offscreen, demo models loaded, then Experiments > <the preset>
  triggered; timed from the click to the table and band chart being filled (sweep_finished).
  It runs in a child process so Qt and the plain loop do not share one interpreter.
- runner (optional): aegui.core.analyses.sweeps.sweep.SweepRunner in this process, no CLI around it.
- plain: nn.Sequential + torch.optim.SGD (the preset's momentum for its "momentum" runs, none
  for "sgd") + the preset's loss (MSE after the sigmoid, or BCE on the logits), same epochs,
  learning rate, activations, initialisation (Xavier-uniform weights, zero biases) and batch size
  (each epoch's batches in a new order), one run at a time.

Nothing stops early. aegui also measures wrong pixels every `check_every` epochs (its records);
the plain loop measures them once at the end. Prints the times, the ratio and the mean final
max-wrong pixels of each side, then one JSON line. The CPU of this project is shared: take the
figures as rough and compare them only within one run of this script.

Usage: python bench/sweep_vs_sequential.py [--sweep FILE] [--epochs N] [--seeds N]
           [--phases cli,gui,plain] [--screenshots DIR]

Grid cells (--phases grid): a comparison grid (default seed004-grid-search.json, the 004
report's 45 trainings of one convolutional autoencoder) on a slice of its data and few epochs.
For each stack of runs that train side by side (the runs differing only in learning rate,
momentum, init or seed: 004's Adam x batch size stacks of 3 and SGD x batch size stacks of 12),
the stack in one session and then each of its runs alone, one after the other, in the same run
of this script; the time per stack, the ratio, the largest relative gap between a run's final
loss stacked and alone, and the whole grid's time extrapolated to the full data and epochs.
An epoch's time is the FASTEST epoch of the session (on a shared machine single epochs stall for
seconds at random, and one stall scaled to the full grid would swamp the estimate; the same rule
on both sides keeps the ratio fair), times the samples and epochs of the full grid; the test
loss is measured per run and epoch on the whole test set, timed once and added to both sides:

    python bench/sweep_vs_sequential.py --phases grid [--compare FILE] [--grid-samples 3000]
           [--grid-epochs 3] [--grid-stacks 0,3]
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_SWEEP = ROOT / "resources/sweeps/seed001-architectures.json"


def plain_run(exp, x, seed: int) -> tuple[float, int]:
    """One run as a student writes it; returns (final loss, final max wrong pixels)."""
    import torch
    from torch import nn
    act = {"elu": nn.ELU, "tanh": nn.Tanh, "relu": nn.ReLU, "sigmoid": nn.Sigmoid, "identity": nn.Identity}
    m, t = exp.model, exp.train
    torch.manual_seed(seed)
    sizes = list(m.full_layers)
    latent = m.latent_index
    layers = []
    for i in range(len(sizes) - 1):
        lin = nn.Linear(sizes[i], sizes[i + 1])
        nn.init.xavier_uniform_(lin.weight)
        nn.init.zeros_(lin.bias)
        layers.append(lin)
        if i == len(sizes) - 2:
            break                                   # logits out: BCEWithLogitsLoss applies the sigmoid
        layers.append(act[m.latent_activation if i == latent - 1 else m.hidden_activation]())
    model = nn.Sequential(*layers)
    if t.loss == "bce":
        loss_fn, out = nn.BCEWithLogitsLoss(), nn.Identity()     # the sigmoid inside the loss
    else:
        loss_fn, out = nn.MSELoss(), act[m.output_activation]()
    momentum = t.momentum if t.optimizer == "momentum" else 0.0
    opt = torch.optim.SGD(model.parameters(), lr=t.learning_rate, momentum=momentum)
    batch = t.batch_size if 0 < t.batch_size < len(x) else len(x)
    order = torch.Generator().manual_seed(seed)
    for _ in range(t.epochs):
        for rows in torch.randperm(len(x), generator=order).split(batch):
            opt.zero_grad()
            loss = loss_fn(out(model(x[rows])), x[rows])
            loss.backward()
            opt.step()
    with torch.no_grad():
        logits = model(x)
        loss = loss_fn(out(logits), x)
        wrong = ((logits >= 0) != (x >= 0.5)).sum(1)      # sigmoid(logit) >= 0.5
    return float(loss), int(wrong.max())


def sweep_file(a, tmp: Path) -> Path:
    """The sweep as given, or a copy with --epochs/--seeds applied (both sides run the same)."""
    if a.epochs is None and a.seeds is None:
        return Path(a.sweep)
    from aegui.core.analyses.sweeps.sweep import load_sweep, with_overrides
    sweep = with_overrides(load_sweep(a.sweep), seeds=a.seeds, epochs=a.epochs)
    path = tmp / "sweep.json"
    path.write_text(sweep.to_json(inline_base=True))
    return path


def phase_cli(path: Path, tmp: Path) -> dict:
    out = tmp / "cli"
    cmd = [sys.executable, "-m", "aegui", "sweep", str(path), "--out", str(out), "--quiet"]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"aegui sweep failed ({proc.returncode}): {proc.stderr.strip()}")
    line = json.loads(proc.stdout.strip().splitlines()[-1])
    with open(out / "runs.csv", newline="") as fh:
        worst = [int(r["final_max_wrong"]) for r in csv.DictReader(fh)]
    return {"cli_process_s": round(wall, 3), "cli_sweep_s": line["seconds"], "cli_runs": line["runs"],
            "cli_mean_final_max_wrong": round(sum(worst) / len(worst), 3)}


def phase_gui(path: Path, tmp: Path, screenshots: str | None) -> dict:
    cmd = [sys.executable, __file__, "--gui-child", str(path)]
    if screenshots:
        cmd += ["--screenshots", screenshots]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "AEGUI_HOME": str(tmp / "gui-home")}
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env)
    if proc.returncode != 0:
        raise SystemExit(f"GUI phase failed ({proc.returncode}): {proc.stderr.strip()[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def gui_child(path: Path, screenshots: str | None) -> None:
    """Runs in its own process: the real window, the preset run from the Experiments menu."""
    from PySide6.QtCore import QEventLoop, QSettings, QTimer
    from PySide6.QtWidgets import QApplication
    app = QApplication(sys.argv)
    from aegui.qt.window.main_window import MainWindow
    settings = QSettings(str(Path(os.environ["AEGUI_HOME"]) / "settings.ini"), QSettings.IniFormat)
    win = MainWindow(settings)
    win.confirm_close = False
    win.resize(1280, 800)
    win.show()
    loop = QEventLoop()
    win.model_loaded.connect(loop.quit)
    win.start_loading()
    loop.exec()
    panel = win.experiments
    presets = {Path(p).resolve(): a for (p, _), a in zip(_presets(), win.menus.preset_actions)}
    action = presets.get(path.resolve())
    results = []
    panel.sweep_finished.connect(results.append)
    panel.sweep_finished.connect(loop.quit)
    QTimer.singleShot(600_000, loop.quit)      # a hung sweep ends the bench, not the machine
    t0 = time.perf_counter()
    if action is not None:
        action.trigger()                       # Experiments > <preset>: load and run
    else:
        win.run_preset(path)                   # an edited copy (--epochs/--seeds): same code path
    loop.exec()
    seconds = time.perf_counter() - t0
    if not results:
        raise SystemExit("the sweep did not finish")
    res = results[0]
    worst = [r.final_max_wrong for r in res.runs]
    if screenshots:
        folder = Path(screenshots)
        folder.mkdir(parents=True, exist_ok=True)
        app.processEvents()
        win.grab().save(str(folder / "window-experiments.png"))
        panel.grab().save(str(folder / "experiments-panel.png"))
        panel.export_png(folder / "experiments-charts.png")
    win.close()
    print(json.dumps({"gui_menu_s": round(seconds, 3), "gui_sweep_s": round(res.seconds, 3),
                      "gui_runs": len(res.runs), "gui_from_menu": action is not None,
                      "gui_table_rows": panel.table.model().rowCount(),
                      "gui_bands": len(panel.charts.band_items),
                      "gui_mean_final_max_wrong": round(sum(worst) / len(worst), 3)}))


def _presets():
    from aegui.qt.experiments.preset_menu import preset_sweeps
    return preset_sweeps()


def phase_runner(path: Path) -> dict:
    import torch
    from aegui.core.analyses.sweeps.sweep import SweepRunner, load_sweep
    torch.set_num_threads(1)
    t0 = time.perf_counter()
    runner = SweepRunner(load_sweep(path), device="cpu")
    result = runner.run()
    seconds = time.perf_counter() - t0
    worst = [r.final_max_wrong for r in result.runs]
    return {"runner_s": round(seconds, 3), "sessions": runner.sessions_started,
            "runner_mean_final_max_wrong": round(sum(worst) / len(worst), 3)}


def phase_plain(path: Path) -> dict:
    import torch
    from aegui.core.data.datasets import from_config
    from aegui.core.analyses.sweeps.sweep import expand, load_sweep
    # Both sides on one thread. These nets have at most a few thousand weights and 32 samples:
    # every op is microseconds long, so extra threads only add synchronisation overhead (and
    # aegui's TrainingSession picks one thread for such models anyway).
    torch.set_num_threads(1)
    sweep = load_sweep(path)
    x = torch.tensor(from_config(sweep.base.data).x)
    t0 = time.perf_counter()
    plain = [plain_run(c.experiment, x, c.experiment.train.seed + i)
             for c in expand(sweep) for i in range(sweep.seeds)]
    seconds = time.perf_counter() - t0
    return {"sequential_s": round(seconds, 3), "plain_runs": len(plain),
            "plain_mean_final_max_wrong": round(sum(w for _, w in plain) / len(plain), 3),
            "threads": torch.get_num_threads(), "torch": torch.__version__}


def phase_grid(a) -> dict:
    """Each stack of the comparison grid in one session, then its runs alone (see the docstring)."""
    import os
    from dataclasses import replace
    import numpy as np
    from aegui.core.analyses.compare.runs import load_spec, plan_stacks
    from aegui.core.data.datasets import from_config, official_test_set
    from aegui.core.train.session import TrainingSession
    spec = load_spec(a.compare)
    full = len(from_config(replace(spec.base.data, max_samples=0)))
    full_epochs = spec.base.train.epochs

    def small(exp):
        return replace(exp, data=replace(exp.data, max_samples=a.grid_samples),
                       train=replace(exp.train, epochs=a.grid_epochs))

    stacks = plan_stacks(spec.plans())
    chosen = range(len(stacks)) if not a.grid_stacks else [int(i) for i in a.grid_stacks.split(",")]
    data = from_config(small(spec.base).data)
    test = official_test_set(spec.base.data) if spec.test == "official" else None
    rows, stacked_full, alone_full = [], 0.0, 0.0

    def train(exp, members):
        """(the fastest epoch's seconds, the final losses) of one session."""
        s = TrainingSession(exp, data, device="cpu", seeds=[p.experiment.train.seed for p in members],
                            lrs=[p.experiment.train.learning_rate for p in members],
                            inits=[p.experiment.model.init for p in members],
                            momenta=[p.experiment.train.momentum for p in members])
        recs = list(s.steps())
        return float(min(np.diff([0.0] + [r.elapsed for r in recs]))), recs[-1].loss_per_model

    train(small(stacks[0][0].experiment), stacks[0][:1])   # untimed: torch's first-call set-up
    for i in chosen:
        members = stacks[i]
        exp = small(members[0].experiment)
        stacked_s, stacked_loss = train(exp, members)
        alone = [train(small(p.experiment), [p]) for p in members]
        alone_s = sum(t for t, _ in alone)
        gap = max(abs(float(stacked_loss[j]) - float(alone[j][1][0])) / max(abs(float(alone[j][1][0])), 1e-12)
                  for j in range(len(members)))
        scale = (full / len(data)) * full_epochs     # an epoch on the slice -> the full grid's epochs
        rows.append({"stack": i, "label": members[0].label.split(",")[0], "runs": len(members),
                     "batch_size": exp.train.batch_size, "optimizer": exp.train.optimizer,
                     "stacked_epoch_s": round(stacked_s, 3), "alone_epoch_s": round(alone_s, 3),
                     "ratio": round(alone_s / stacked_s, 2), "max_rel_loss_gap": float(f"{gap:.2g}"),
                     "load_avg": round(os.getloadavg()[0], 2)})
        print(f"  stack {i}: {json.dumps(rows[-1])}", flush=True)
        stacked_full += stacked_s * scale
        alone_full += alone_s * scale
    eval_s = 0.0
    if test is not None:      # one run's test loss on the whole test set, as each check measures it
        probe = TrainingSession(small(stacks[0][0].experiment), data, device="cpu", val_data=test)
        t0 = time.perf_counter()
        probe.val_loss(0, 1)
        eval_s = time.perf_counter() - t0
    n_runs = sum(len(stacks[i]) for i in chosen)
    evals = n_runs * full_epochs * eval_s
    out = {"grid": spec.name, "grid_stacks": rows, "grid_samples": len(data), "grid_full_samples": full,
           "grid_epochs": a.grid_epochs, "grid_full_epochs": full_epochs, "grid_runs_measured": n_runs,
           "grid_runs_total": len(spec.plans()), "grid_test_eval_s": round(eval_s, 3),
           "grid_full_stacked_h": round((stacked_full + evals) / 3600, 2),
           "grid_full_alone_h": round((alone_full + evals) / 3600, 2)}
    if n_runs < len(spec.plans()):
        out["grid_note"] = "the full-grid hours cover the measured stacks only"
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sweep", default=str(DEFAULT_SWEEP))
    ap.add_argument("--epochs", type=int, help="override the sweep's epochs (every side)")
    ap.add_argument("--seeds", type=int, help="override the sweep's seeds (every side)")
    ap.add_argument("--phases", default="cli,gui,plain", help="any of cli, gui, runner, plain")
    ap.add_argument("--screenshots", help="folder for screenshots of the window after the GUI run")
    ap.add_argument("--compare", default=str(ROOT / "resources/analyses/seed004-grid-search.json"),
                    help="the comparison grid of the grid phase")
    ap.add_argument("--grid-samples", type=int, default=3000, help="training images the grid phase uses")
    ap.add_argument("--grid-epochs", type=int, default=3, help="epochs the grid phase trains")
    ap.add_argument("--grid-stacks", default="", help="which stacks (0-based, comma-separated); default all")
    ap.add_argument("--gui-child", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.gui_child:
        gui_child(Path(a.gui_child), a.screenshots)
        return
    from aegui.core.analyses.sweeps.sweep import load_sweep
    phases = [p.strip() for p in a.phases.split(",") if p.strip()]
    if phases == ["grid"]:
        res = phase_grid(a)
        print(f"grid: stacked {res['grid_full_stacked_h']} h, alone {res['grid_full_alone_h']} h "
              f"(extrapolated to {res['grid_full_samples']} samples x {res['grid_full_epochs']} epochs)")
        print(json.dumps(res))
        return
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        path = sweep_file(a, tmp)
        sweep = load_sweep(path)
        out = {"sweep": sweep.name, "configs": sweep.n_configs, "runs": sweep.n_runs,
               "epochs": sweep.base.train.epochs}
        print(f"{sweep.name}: {sweep.n_configs} configs x {sweep.seeds} seeds = {sweep.n_runs} runs x "
              f"{sweep.base.train.epochs} epochs", flush=True)
        for phase in phases:
            res = {"cli": lambda: phase_cli(path, tmp), "gui": lambda: phase_gui(path, tmp, a.screenshots),
                   "runner": lambda: phase_runner(path), "plain": lambda: phase_plain(path)}[phase]()
            out.update(res)
            print(f"  {phase:6s} {json.dumps(res)}", flush=True)
    if "sequential_s" in out:
        for key in ("cli_sweep_s", "gui_menu_s", "runner_s"):
            if key in out:
                out[f"ratio_vs_{key[:-2]}"] = round(out["sequential_s"] / out[key], 2)
    print("side by side (s): " + ", ".join(f"{k} {out[k]}" for k in
                                          ("cli_process_s", "cli_sweep_s", "gui_menu_s", "runner_s", "sequential_s")
                                          if k in out))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
