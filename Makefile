# `make run` and `make test` create (or reuse) .venv, install aegui into it, then launch / test.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.aegui-installed

.PHONY: run test smoke bench clean

run: $(STAMP)
	$(PY) main.py

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest || { status=$$?; cat .pytest-crash.txt 2>/dev/null; exit $$status; }

smoke: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) main.py --smoke

# Each prints its figures next to a plain PyTorch reference where there is one (see README).
bench: $(STAMP)
	$(PY) bench/batched_vs_sequential.py
	$(PY) bench/font_targets.py
	$(PY) bench/emoji_vae_vs_reference.py
	$(PY) bench/sweep_vs_sequential.py
	$(PY) bench/analyses.py
	$(PY) bench/gpu_vs_plain.py
	$(PY) bench/sweep_ray.py
	$(PY) bench/search_vs_grid.py
	$(PY) bench/preset_times.py --quick-only
	$(PY) bench/mnist_scale.py --rounds 2
	QT_QPA_PLATFORM=offscreen $(PY) bench/gui_latency.py

# One-folder desktop bundle: dist/aegui/aegui and dist/aegui-<version>-linux-<arch>.tar.gz (docs/packaging.md).
.PHONY: package
package: $(STAMP)
	$(PY) -m pip install --quiet 'pyinstaller>=6.11,<7'
	PY=$(PY) installer/build.sh

# torch is pinned first: 2.13.0 is a CPU wheel; an unpinned torch would pull a multi-GB CUDA build.
$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e ".[test,cluster]"
	touch $(STAMP)

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
