# `make run` and `make test` create (or reuse) .venv, install aegui into it, then launch / test.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.aegui-installed

.PHONY: run test smoke docs bench fuzz soak report report-ray fingerprints tolerances icons clean

run: $(STAMP)
	$(PY) main.py

# PYTHONFAULTHANDLER: pytest's own fault handler ends with the session, so a crash while Python shuts down
# (after the summary) printed no stack; this one stays on until the process is gone.
test: $(STAMP)
	QT_QPA_PLATFORM=offscreen PYTHONFAULTHANDLER=1 $(PY) -m pytest || { status=$$?; cat .pytest-crash.txt 2>/dev/null; exit $$status; }

smoke: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) main.py --smoke

# The documentation site (mkdocs.yml) into site/, strict: a warning fails it. Its reference pages
# (commands, settings, presets, report rows) are made from the code as it builds (tools/docs_reference.py).
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(PY) -m mkdocs build --strict

# Reliability (docs/reliability.md): 1000 hypothesis examples per file reader and of damaged
# report folders, 60 kill -9
# per kind of save, 2000 random GUI actions. The default `make test` runs a few of each.
fuzz: $(STAMP)
	AEGUI_FUZZ_EXAMPLES=1000 $(PY) -m pytest -q -p no:cacheprovider tests/core/files/test_fuzz_readers.py tests/core/files/test_user_files.py
	AEGUI_FUZZ_EXAMPLES=1000 $(PY) -m pytest -q -p no:cacheprovider tests/core/analyses/test_fuzz_report_folders.py
	AEGUI_CRASH_KILLS=60 $(PY) -m pytest -q -s -p no:cacheprovider tests/core/files/test_crash_safety.py
	AEGUI_FUZZ_EXAMPLES=1000 QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -p no:cacheprovider tests/qt/test_fuzz_settings.py
	AEGUI_MONKEY_ACTIONS=2000 QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -s -p no:cacheprovider tests/qt/test_monkey.py

# The window training and hovering for SOAK_MINUTES (default 10); prints resident memory growth.
SOAK_MINUTES ?= 10
soak: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) bench/soak.py --minutes $(SOAK_MINUTES)

# Each prints its figures next to a plain PyTorch reference where there is one (docs/measured.md).
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
	$(PY) bench/mnist_presets.py
	$(PY) bench/report_floor.py
	$(PY) bench/conv_layers.py
	$(PY) bench/conv_step.py
	$(PY) bench/rounding_growth.py
	@test -x dist/aegui/aegui || echo "startup bench: no dist/aegui (make package builds it): the packaged app's start-up is not measured"
	QT_QPA_PLATFORM=offscreen $(PY) bench/startup.py $(if $(wildcard dist/aegui/aegui),--bundle dist/aegui/aegui)
	QT_QPA_PLATFORM=offscreen $(PY) bench/gui_latency.py
	QT_QPA_PLATFORM=offscreen $(PY) bench/gui_training_speed.py

# Every experiment of the five course documents (../shared/seeds), run with aegui's presets and set
# beside what each document reports: docs/course-reports/index.html and docs/course-reports.md.
# Hours on 2 cores (the seed-004 grid search most of it); resumable: run it again after a Ctrl-C.
report: $(STAMP)
	$(PY) -m aegui report all --out docs/course-reports --markdown docs/course-reports.md

# Report 002 here and on a Ray cluster of two nodes on 127.0.0.1 (each training run one task): the
# times, each node's runs and the cluster's row against the local one and the committed page
# (bench/report_ray.py; about 7 minutes on 2 cores). Run by hand: not part of `make bench`.
report-ray: $(STAMP)
	$(PY) bench/report_ray.py

# Each row's tolerance across CPUs: the rows made again with other instruction sets' matrix kernels
# (MKL, oneDNN, OpenBLAS, ATen), their numbers and verdicts set beside the committed ones, and the result
# written to docs/course-reports/kernels.json and the rows' "tolerance" (report/kernels.py).
# About twice the rows' own time (about an hour on 2 cores); the default rows are those under 10 minutes.
# TOLERANCE_JOBS=2 makes the two kernel sets at once: about the rows' own time where they train on one core.
TOLERANCE_JOBS ?= 1
# TOLERANCE_SCRATCH=DIR keeps the rows made again there (a temporary folder otherwise): a measurement
# stopped midway, run again with the same DIR, keeps the runs it finished.
TOLERANCE_SCRATCH ?=
# TOLERANCE_SETS=compatible makes one kernel set only (of avx2, sse4_2 and compatible; all three when unset):
# a row too long for one sitting is measured a set at a time, and kernels.json keeps each set's result.
TOLERANCE_SETS ?=
TOLERANCE_ROWS ?= 000-architectures,000-learning-rate,000-loss,000-epochs,000-inits,000-activations,000-final,000-denoising,000-vae-latent,000-vae-learning-rate,000-vae-depth,000-vae-activation,000-vae-bad,001-architectures,001-latent-spaces,001-per-font,001-scipy-optimizers,001-vae,002-model-kinds
tolerances: $(STAMP)
	$(PY) -m aegui.core.analyses.report.kernels --only $(TOLERANCE_ROWS) --jobs $(TOLERANCE_JOBS) --out docs/course-reports $(if $(TOLERANCE_SCRATCH),--scratch $(TOLERANCE_SCRATCH)) $(if $(TOLERANCE_SETS),--variants $(TOLERANCE_SETS)) --write

# The numbers of short seeded runs of every numerics component, which `make test` holds the code to
# (tests/core/numerics_fingerprints.json): made again after a numerics revision bump (docs/numerics.md).
fingerprints: $(STAMP)
	AEGUI_UPDATE_FINGERPRINTS=1 $(PY) -m pytest -q -s -p no:cacheprovider tests/core/test_numerics_fingerprints.py

# One-folder desktop bundle: dist/aegui/aegui, dist/aegui-<version>-linux-<arch>.tar.gz and, where
# dpkg-deb exists (Debian, Ubuntu), dist/aegui_<version>_<arch>.deb (docs/packaging.md).
# The user guide (make docs) is built first: the bundle carries it for Help > User guide.
.PHONY: package
package: $(STAMP) docs
	$(PY) -m pip install --quiet 'pyinstaller>=6.11,<7'
	PY=$(PY) installer/build.sh
	if command -v dpkg-deb >/dev/null; then installer/build-deb.sh dist/aegui dist; \
	else echo "no dpkg-deb here: no .deb built (the bundle and tarball are in dist/)"; fi

# The icon in every size (PNGs for Linux, .ico for Windows, .icns for macOS), drawn with Pillow
# into resources/icons (committed; tests/test_installer.py checks them).
icons: $(STAMP)
	$(PY) installer/make_icons.py

# torch is pinned first: 2.13.0 is a CPU wheel; an unpinned torch would pull a multi-GB CUDA build.
$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e ".[test,cluster,docs,export]"
	touch $(STAMP)

clean:
	rm -rf $(VENV) build dist site *.egg-info .pytest_cache
