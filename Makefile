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

.PHONY: lab test test-binder test-lab test-browser test-hub bench-hub notebooks html slides handouts exercises release grade test-grading import-submissions export-grades feedback-packs grade-merge mark benchmark readme-images readme-screenshots lint lock environment clean

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed, found " + sys.version.split()[0]'
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@# The course's own package, installed the standard way (editable: lessons see your edits).
	@# Binder's postBuild runs the same line; --no-deps keeps the pinned versions above.
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# Jupyter refuses to run as root without --allow-root (a container, a school's VM).
LAB_FLAGS ?= $(if $(filter 0,$(shell id -u)),--allow-root)
lab: $(STAMP)
	@# Open lesson 00 with the whole course in the file browser (a file argument instead would
	@# make notebooks/ the server's top folder, hiding exercises/ and data/).
	$(BIN)/jupyter lab --port=$(PORT) $(LAB_FLAGS) \
		--LabApp.default_url=/lab/tree/notebooks/00_start_here.ipynb

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n $(WORKERS) --nbval --nbval-current-env \
		--nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout=120 \
		tests notebooks solutions

# Binder's build reproduced without Docker: a fresh environment from environment.yml alone,
# postBuild run as repo2docker runs it, then every notebook executed with nbconvert in its own
# folder; then a JupyterHub image's install with notebooks pulled elsewhere. Needs the package
# registry (as Binder's build does); a few minutes. See README, "Binder and JupyterHub".
test-binder: $(STAMP)
	$(BIN)/python scripts/check_binder_route.py

# The README's `make lab`, checked: JupyterLab starts, serves lesson 00, runs its import, stops.
test-lab: $(STAMP)
	$(BIN)/python scripts/check_make_lab.py

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

# reveal.js (the slides' presentation framework) from the npm registry, pinned, into .venv/npm;
# make_slides.py copies it next to the decks, so that they open with no network.
REVEAL_VERSION := 6.0.2
REVEAL_STAMP := $(VENV)/.reveal-$(REVEAL_VERSION)-installed
$(REVEAL_STAMP): $(STAMP)
	npm install --prefix $(VENV)/npm --no-audit --no-fund --silent reveal.js@$(REVEAL_VERSION)
	touch $(REVEAL_STAMP)

test-browser: $(BROWSER_STAMP) $(REVEAL_STAMP)
	sh scripts/ensure_chromium.sh
	sh browser_tests/offline.sh $(BIN)/python -m pytest browser_tests -p no:cacheprovider $(ARGS)

# Slides per lesson in build/slides/ (question, key chart, discussion prompt), offline.
# SLIDES_ARGS passes options; --strict (the default) fails on a lesson without its marks.
SLIDES_ARGS ?= --strict
slides: $(REVEAL_STAMP)
	$(BIN)/python scripts/make_slides.py $(SLIDES_ARGS)

# A printable PDF per lesson in build/handouts/ (question, reference card, exercise prompts),
# printed by the browser test's Chromium.
handouts: $(BROWSER_STAMP)
	sh scripts/ensure_chromium.sh
	$(BIN)/python scripts/make_handouts.py

# The classroom on a real JupyterHub (docs/teachers_guide.md, "A classroom hub on one
# machine"): the guide's config, links and commands, run on 127.0.0.1 with three students in
# headless Chromium, offline; then the class collected and graded. Not part of `make test` (a
# few minutes; CI runs it). The hub's packages (requirements-hub.txt) go into the same .venv
# and change none of requirements.txt's pins; configurable-http-proxy into .venv/npm, pinned.
HUB_STAMP := $(VENV)/.hub-installed
CHP_VERSION := 5.3.0
$(HUB_STAMP): requirements-hub.txt $(BROWSER_STAMP)
	$(BIN)/python -m pip install --quiet -c requirements.txt -r requirements-hub.txt
	$(BIN)/python -m pip check
	npm install --prefix $(VENV)/npm --no-audit --no-fund --silent \
		configurable-http-proxy@$(CHP_VERSION)
	touch $(HUB_STAMP)

test-hub: $(HUB_STAMP)
	sh scripts/ensure_chromium.sh
	sh browser_tests/offline.sh $(BIN)/python scripts/check_hub.py $(ARGS)

# Figures, not a test: how many students' servers one machine runs at once (the teacher's
# guide's sizing table). Several minutes; HUB_STUDENTS=8 sets the largest class tried.
HUB_STUDENTS ?= 8
bench-hub: $(HUB_STAMP)
	sh browser_tests/offline.sh $(BIN)/python benchmarks/bench_hub.py \
		--max-students $(HUB_STUDENTS)

# Re-execute lessons and solutions in fresh kernels and store outputs fit for committing.
notebooks: $(STAMP)
	$(BIN)/python scripts/execute_notebooks.py

# The lessons as web pages in build/html/ whose charts respond with no kernel and no internet.
html: $(STAMP)
	$(BIN)/python scripts/export_html.py

# Rebuild exercises/ from solutions/ (never edit exercises/ by hand).
exercises: $(STAMP)
	$(BIN)/python -m balkan_course.grading.build solutions exercises

# One exercise folder per student, each with the student's own variant of the questions and
# that variant's self-check keys: releases/$(CLASS)/<student>/ (docs/grading.md, "Per-student
# variants"). The first run records each variant's keys (a few minutes); later runs reuse them.
#   make release CLASS=pol101-2026 ROSTER=roster.csv
CLASS ?=
ROSTER ?=
release: $(STAMP)
	@test -n "$(CLASS)" -a -n "$(ROSTER)" || { echo "say which class: make release CLASS=name ROSTER=roster.csv"; exit 2; }
	$(BIN)/python -m balkan_course.grading.release --class "$(CLASS)" --roster "$(ROSTER)"

# Grade a class: submissions/<student>/NN_name.ipynb -> grading_output/ (see docs/grading.md).
# GRADE_ARGS passes more options, e.g. GRADE_ARGS="--isolation on --hide ~/old_solutions".
# A class released with variants: make grade CLASS=name ROSTER=roster.csv (each student is
# graded against their own variant).
SUBMISSIONS ?= submissions
GRADES ?= grading_output
GRADE_ARGS ?=
grade: $(STAMP)
	$(BIN)/python -m balkan_course.grading $(SUBMISSIONS) --out $(GRADES) --workers $(WORKERS) \
		$(if $(CLASS),--class "$(CLASS)" --roster "$(ROSTER)") $(GRADE_ARGS)

# The grader's own tests: the real course's batch and the hostile class (sandboxed when possible).
test-grading: $(STAMP)
	$(BIN)/python -m pytest -n $(WORKERS) tests/test_grading.py tests/test_grading_hostile.py

# The gradebook round trip (docs/gradebook.md).
# An LMS bulk download into $(SUBMISSIONS)/<student>/NN_name.ipynb, with a report per file:
#   make import-submissions LMS=canvas ARCHIVE=submissions.zip [NOTEBOOK=00_start_here] [ROSTER=roster.csv]
LMS ?= canvas
NOTEBOOK ?=
import-submissions: $(STAMP)
	@test -n "$(ARCHIVE)" || { echo "say which download: make import-submissions LMS=$(LMS) ARCHIVE=file.zip"; exit 2; }
	$(BIN)/python -m balkan_course.grading.lms_import $(LMS) "$(ARCHIVE)" --into $(SUBMISSIONS) \
		$(if $(NOTEBOOK),--notebook $(NOTEBOOK)) $(if $(ROSTER),--roster $(ROSTER))

# A gradebook file the LMS imports (automatic points + your written marks): $(GRADES)/gradebook_$(LMS).csv
#   make export-grades LMS=moodle ROSTER=roster.csv [ASSIGNMENTS=assignments.csv]
export-grades: $(STAMP)
	@test -n "$(ROSTER)" || { echo "say who is who: make export-grades LMS=$(LMS) ROSTER=roster.csv"; exit 2; }
	$(BIN)/python -m balkan_course.grading.gradebook export --out $(GRADES) --lms $(LMS) \
		--roster $(ROSTER) $(if $(ASSIGNMENTS),--assignments $(ASSIGNMENTS))

# The feedback pages packed for the LMS's bulk upload, one zip per notebook (docs/gradebook.md):
#   make feedback-packs LMS=moodle|canvas [NOTEBOOK=00_start_here]
#   -> $(GRADES)/lms_feedback/$(LMS)/<notebook>.zip, named as the download $(SUBMISSIONS) came from
feedback-packs: $(STAMP)
	$(BIN)/python -m balkan_course.grading.lms_packs --lms $(LMS) --out $(GRADES) \
		--submissions $(SUBMISSIONS) $(if $(NOTEBOOK),--notebook $(NOTEBOOK))

# Join the outputs of `python -m balkan_course.grading ... --shard K/N` runs into $(GRADES).
#   make grade-merge SHARDS="shards/1 shards/2 shards/3"
grade-merge: $(STAMP)
	@test -n "$(SHARDS)" || { echo 'say which folders: make grade-merge SHARDS="shards/1 shards/2"'; exit 2; }
	$(BIN)/python -m balkan_course.grading.shards merge $(SHARDS) --out $(GRADES) \
		--submissions $(SUBMISSIONS)

# The teacher's marking notebook for the written answers.
mark: $(STAMP)
	$(BIN)/jupyter lab --port=$(PORT) $(LAB_FLAGS) \
		--LabApp.default_url=/lab/tree/teacher/mark_written_answers.ipynb

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
