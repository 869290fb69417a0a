# Two commands for a fresh machine with Python 3.11+, git and make:
#   make lab    set up (once) and open JupyterLab on lesson 00
#   make test   set up (once) and run the whole test suite
# Everything lives in .venv/; after the first install nothing needs the network.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8888
WORKERS ?= 2

.PHONY: lab test test-browser notebooks html exercises grade benchmark readme-images readme-screenshots lint lock environment clean

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed, found " + sys.version.split()[0]'
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@# Put the project folder on the venv's path so notebooks can import balkan_course (no build step).
	$(BIN)/python -c 'import os, site; open(os.path.join(site.getsitepackages()[0], "balkan_course.pth"), "w").write(os.getcwd())'
	touch $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab --port=$(PORT) notebooks/00_start_here.ipynb

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n $(WORKERS) --nbval --nbval-current-env \
		--nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout=120 \
		tests notebooks solutions

# A student's view: every lesson and exercise opened, run and screenshot in JupyterLab, driven
# in headless Chromium with the network cut off (docs/browser_testing.md). Not part of `make
# test`: it takes several minutes and needs Chromium (installed with apt-get when run as root).
# axe-core (the accessibility audit) comes from the npm registry, pinned, into .venv/npm.
BROWSER_STAMP := $(VENV)/.browser-installed
AXE_CORE_VERSION := 4.14.1
$(BROWSER_STAMP): requirements-browser.txt $(STAMP)
	$(BIN)/python -m pip install --quiet -r requirements-browser.txt
	npm install --prefix $(VENV)/npm --no-audit --no-fund --silent axe-core@$(AXE_CORE_VERSION)
	touch $(BROWSER_STAMP)

test-browser: $(BROWSER_STAMP)
	sh scripts/ensure_chromium.sh
	sh browser_tests/offline.sh $(BIN)/python -m pytest browser_tests -p no:cacheprovider $(ARGS)

# Re-execute lessons and solutions in fresh kernels and store outputs fit for committing.
notebooks: $(STAMP)
	$(BIN)/python scripts/execute_notebooks.py

# The lessons as web pages in build/html/ whose charts respond with no kernel and no internet.
html: $(STAMP)
	$(BIN)/python scripts/export_html.py

# Rebuild exercises/ from solutions/ (never edit exercises/ by hand).
exercises: $(STAMP)
	$(BIN)/python -m balkan_course.grading.build solutions exercises

# Grade a class: submissions/<student>/NN_name.ipynb -> grading_output/ (see docs/grading.md).
SUBMISSIONS ?= submissions
GRADES ?= grading_output
grade: $(STAMP)
	$(BIN)/python -m balkan_course.grading $(SUBMISSIONS) --out $(GRADES) --workers $(WORKERS)

# Figures, not tests: each notebook's run time and memory; the grader's speed.
benchmark: $(STAMP)
	$(BIN)/python benchmarks/bench_notebooks.py
	$(BIN)/python benchmarks/bench_grading.py

# Redraw the README's pictures from the real charts (offline, through vl-convert).
readme-images: $(STAMP)
	$(BIN)/python scripts/render_readme_images.py

# The README's two JupyterLab pictures: views saved by `make test-browser`.
readme-screenshots:
	cp browser_tests/screenshots/notebooks__04_peacekeeping_forces__view.png docs/images/jupyterlab_lesson_04.png
	cp browser_tests/screenshots/exercises__01_sources_and_evidence__view.png docs/images/jupyterlab_exercise_01.png

lint: $(STAMP)
	$(BIN)/ruff check .

# Re-pin every dependency from requirements.in, and keep environment.yml in step.
lock:
	rm -rf /tmp/balkan-lock && $(PYTHON) -m venv /tmp/balkan-lock
	/tmp/balkan-lock/bin/pip install --quiet -r requirements.in
	{ echo "# Full lock of requirements.in, made by 'make lock' (pip freeze). environment.yml lists the same pins."; \
	  /tmp/balkan-lock/bin/pip freeze | grep -v '^-e'; } > requirements.txt
	$(MAKE) environment

environment: $(STAMP)
	$(BIN)/python scripts/write_environment_yml.py

clean:
	rm -rf $(VENV) build *.egg-info
