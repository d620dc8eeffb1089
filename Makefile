# qa: `make run` starts the web app, `make test` runs every test, `make bench` measures speed
# and memory against a naive baseline. All install first if needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install ocr browser corpus run test bench messages clean

# OCR is optional for `make install` / `make run` (apt needs root or sudo): without it a scan
# or an image is refused with a message saying so. `make test` requires it.
install: $(STAMP)
	@$(MAKE) --no-print-directory ocr || echo "warning: Tesseract was not installed (apt needs root or sudo):" \
	  "scanned PDFs and images will be refused with a message saying so; run 'make ocr' as root to add it."

# Tesseract and the language data of the languages qa answers in, for scanned PDFs and
# images (qa.reading.formats.ocr; osd tells a page's script). .ci/run installs the same.
OCR_PACKAGES := tesseract-ocr tesseract-ocr-osd $(foreach lang,eng fra deu spa ita por nld rus ara chi-sim jpn kor,tesseract-ocr-$(lang))
TESSDATA := /usr/share/tesseract-ocr/5/tessdata

# Debian's Chromium, for the browser tests (Playwright drives it; no browser download), and
# CJK fonts, without which Chinese, Japanese and Korean text shows as boxes in the tests'
# screenshots. .ci/run installs the same packages.
BROWSER_PACKAGES := chromium fonts-noto-cjk

# apt-get install of the packages given, as root or through sudo.
APT_INSTALL = if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(1)

ocr:
	@ls $(foreach lang,eng fra deu spa ita por nld rus ara chi_sim jpn kor osd,$(TESSDATA)/$(lang).traineddata) >/dev/null 2>&1 || { $(call APT_INSTALL,$(OCR_PACKAGES)); }

browser:
	@{ command -v chromium >/dev/null 2>&1 && fc-list :lang=ja 2>/dev/null | grep -q .; } || { $(call APT_INSTALL,$(BROWSER_PACKAGES)); }

# llama-cpp-python (the tests' real language model server) compiles from source: about
# 7 minutes on 2 cores. Built for the build machine's CPU (GGML_NATIVE, the default), its
# AMX and AVX-512 kernels crash on the first completion on CPUs that have them (a general
# protection fault in libggml-cpu), so it is built without them; the wheel is kept in
# LLAMA_WHEELS and reused by later installs. pip's own wheel cache is bypassed: it would
# hand back a wheel built with other flags.
LLAMA_CPP_VERSION := 0.3.36
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX512=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_TILE=OFF
LLAMA_WHEELS ?= $(HOME)/.cache/qa/wheels/llama-cpp-python-$(LLAMA_CPP_VERSION)-portable

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# The local CPU wheel; a bare `torch` requirement would pull a multi-GB CUDA build.
	$(BIN)/pip install --quiet torch==2.13.0
	ls $(LLAMA_WHEELS)/llama_cpp_python-$(LLAMA_CPP_VERSION)-*.whl >/dev/null 2>&1 || \
	  CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" CMAKE_BUILD_PARALLEL_LEVEL=2 $(BIN)/pip wheel --quiet --no-deps --no-cache-dir \
	    llama-cpp-python==$(LLAMA_CPP_VERSION) -w $(LLAMA_WHEELS)
	$(BIN)/pip install --quiet $(LLAMA_WHEELS)/llama_cpp_python-$(LLAMA_CPP_VERSION)-*.whl
	$(BIN)/pip install --quiet -e '.[test]'
	HF_HUB_OFFLINE=1 $(BIN)/qa model prepare
	touch $(STAMP)

# The Debian Reference in six languages: the multilingual text `python -m qa.tools.scale` and its
# tests (tests/storing/test_vectors.py) cut into passages (qa.tools.scale.corpus_book).
CORPUS_PACKAGES := debian-reference-en debian-reference-fr debian-reference-de debian-reference-es debian-reference-it debian-reference-pt
CORPUS_FILES := $(foreach lang,en fr de es it pt,/usr/share/debian-reference/debian-reference.$(lang).txt.gz)

corpus:
	@ls $(CORPUS_FILES) >/dev/null 2>&1 || { $(call APT_INSTALL,$(CORPUS_PACKAGES)); }

run: install
	HF_HUB_OFFLINE=1 GRADIO_ANALYTICS_ENABLED=False $(BIN)/python app.py

# The import contracts first (pyproject.toml, [tool.importlinter]: stages import only
# downwards, no cycles), then the suite.
test: install ocr browser corpus
	$(BIN)/lint-imports
	HF_HUB_OFFLINE=1 GRADIO_ANALYTICS_ENABLED=False $(BIN)/python -m pytest

# The benchmark (docs/benchmark.md), sized to finish within 5 minutes. Pass options
# with BENCH_ARGS, e.g. `make bench BENCH_ARGS="--size 2000 --json"`.
bench: install
	HF_HUB_OFFLINE=1 $(BIN)/python -m qa.tools.bench $(BENCH_ARGS)

# The sentences said to the asker (qa/text/messages.py) extracted into the template
# qa/text/locale/qa.pot, then merged into each language's catalogue,
# qa/text/locale/<language>/LC_MESSAGES/qa.po (a changed sentence is marked fuzzy; new ones
# are empty until translated: tests/text/test_messages.py fails until every one is).
# The catalogues are compiled when first read (qa.text.messages.translations).
# A new language: $(BIN)/pybabel init -i qa/text/locale/qa.pot -d qa/text/locale -D qa -l <code>.
messages: install
	$(BIN)/pybabel extract -F babel.cfg --no-default-keywords -k _reply:1c,2 -c Translators: --strip-comment-tags \
	  --add-location=file --project=qa --version=0.1.0 --no-wrap \
	  --header-comment='# The sentences qa says to the asker (qa/text/messages.py), extracted by `make messages`. MIT, as qa.' -o qa/text/locale/qa.pot .
	$(BIN)/pybabel update -i qa/text/locale/qa.pot -d qa/text/locale -D qa --no-wrap --ignore-obsolete

clean:
	rm -rf $(VENV) index/CURRENT index/v* index/.building-*
