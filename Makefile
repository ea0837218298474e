# inkpipe - one flat Makefile.
#   make                      build ./inkpipe
#   make demo                 install deps (as root), build, run configs/demo.yaml
#   make test                 whole suite (normal build + ASan/UBSan build)
#   make DEBUG=1              -O0 -g3
#   make SANITIZE=address,undefined BUILD=build-asan
# Objects live in $(BUILD)/ (default build/); sources are picked up by
# wildcard, so adding a .c file needs no edit here.

.DEFAULT_GOAL := all
BUILD    ?= build
PREFIX   ?= /usr/local
CC       ?= cc
PKGS     := lept yaml-0.1 openblas libtiff-4 libpng zlib libdeflate freetype2 jansson \
            libqpdf poppler-glib cairo jbig2dec tesseract
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# libtesseract is opened with dlopen() on a form's first label
# (forms/form_tess.c), the PDF input libraries on the first PDF
# (input/page_pdf.c): their headers only, not their link line
DLOPEN_PKGS := libqpdf poppler-glib cairo jbig2dec tesseract
PKG_LIBS   := $(shell pkg-config --libs $(filter-out $(DLOPEN_PKGS),$(PKGS)) 2>/dev/null)

OPT      ?= -O2 -g
# The builds that demo, test and fuzz start compile JOBS files at a time
# (default: one per CPU) unless make was given -j itself.
JOBS     ?= $(shell nproc 2>/dev/null || echo 1)
SUBMAKE   = $(MAKE) --no-print-directory $(if $(filter -j%,$(MAKEFLAGS)),,-j$(JOBS))
ifeq ($(DEBUG),1)
OPT      := -O0 -g3
endif
SAN_FLAGS :=
ifneq ($(SANITIZE),)
SAN_FLAGS := -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=undefined
endif

WARN     := -std=c11 -Wall -Wextra -Wpedantic
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo unknown)
DEFS     := -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L \
            -DINKPIPE_PREFIX='"$(PREFIX)"' -DINKPIPE_VERSION='"$(VERSION)"'
ALL_CFLAGS = $(WARN) $(DEFS) -I. $(PKG_CFLAGS) $(OPT) $(SAN_FLAGS) $(CFLAGS) -MMD -MP
ALL_LDFLAGS = $(SAN_FLAGS) -Wl,--as-needed $(LDFLAGS)
LIBS     := $(PKG_LIBS) -lgomp -lm -lpthread

# The binary: ./inkpipe for the default build, $(BUILD)/inkpipe otherwise.
ifeq ($(BUILD),build)
BIN      := inkpipe
else
BIN      := $(BUILD)/inkpipe
endif

# ---- layers -------------------------------------------------------------
# Each folder is a static library; a layer may call only the layers listed
# after it in its LAYER_DEPS_x (docs/layout.md). Every binary, test, tool and
# fuzz target links only the libraries of its own layer and below, so a call
# upward (say segment/ -> pipeline/) fails to link.
LAYERS := common input segment output recognize chain forms pipeline train cli
LAYER_DEPS_common    :=
LAYER_DEPS_input     := common
LAYER_DEPS_segment   := common
LAYER_DEPS_output    := common
LAYER_DEPS_recognize := output segment common
LAYER_DEPS_chain     := recognize output segment input common
LAYER_DEPS_forms     := chain recognize output segment input common
LAYER_DEPS_pipeline  := forms chain recognize output segment input common
LAYER_DEPS_train     := recognize output segment input common
LAYER_DEPS_cli       := pipeline forms train chain recognize output segment input common
layer_src = $(filter-out cli/main.c,$(wildcard $(1)/*.c))
layer_lib = $(BUILD)/lib$(1).a
# the libraries of layer $(1) and everything below it, in link order
layer_libs = $(foreach l,$(1) $(LAYER_DEPS_$(1)),$(call layer_lib,$(l)))

define LAYER_RULE
$(call layer_lib,$(1)): $(patsubst %.c,$(BUILD)/%.o,$(call layer_src,$(1)))
	@mkdir -p $$(dir $$@)
	@rm -f $$@
	$$(AR) rcs $$@ $$^
endef
$(foreach l,$(LAYERS),$(eval $(call LAYER_RULE,$(l))))

MAIN_OBJ := $(BUILD)/cli/main.o
TOOL_SRC := $(wildcard tools/*.c)
TOOL_BIN := $(TOOL_SRC:tools/%.c=$(BUILD)/tools/%)
TEST_SRC := $(wildcard tests/unit/test_*.c)
TEST_BIN := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)

# The layer each test program, tool and fuzz target belongs to (it links
# that layer and the ones below): tests by their module prefix.
unit_layer = $(strip \
  $(if $(filter test_binio test_dynlib test_err test_fsutil test_clock test_rng,$(1)),common,\
  $(if $(filter test_page%,$(1)),input,\
  $(if $(filter test_seg_random,$(1)),recognize,\
  $(if $(filter test_seg_%,$(1)),segment,\
  $(if $(filter test_out_%,$(1)),output,\
  $(if $(filter test_rec_data test_rec_ttf test_rec_net test_rec_quant test_rec_glyph test_train_%,$(1)),train,\
  $(if $(filter test_rec_%,$(1)),recognize,\
  $(if $(filter test_chain%,$(1)),chain,\
  $(if $(filter test_form_%,$(1)),forms,\
  pipeline))))))))))
TOOL_LAYER_bench_stages := chain
TOOL_LAYER_cer          := common
TOOL_LAYER_compose      := train
TOOL_LAYER_field_compose := common
TOOL_LAYER_form_compose := common
TOOL_LAYER_hostile      := common
TOOL_LAYER_hand_cues    := chain
TOOL_LAYER_mkpage       := train
TOOL_LAYER_rec_bench    := train
TOOL_LAYER_rec_model    := train
TOOL_LAYER_seg_scan     := segment
TOOL_LAYER_selftrain_glyphs := chain
TOOL_LAYER_spool_bench  := pipeline
TOOL_LAYER_eval_report  := common
tool_layer = $(or $(TOOL_LAYER_$(1)),cli)
FUZZ_LAYER_fuzz_ingest        := chain
FUZZ_LAYER_fuzz_job           := pipeline
FUZZ_LAYER_fuzz_model         := recognize
FUZZ_LAYER_fuzz_out_page_load := output
FUZZ_LAYER_fuzz_pdf           := input
FUZZ_LAYER_fuzz_png           := input
FUZZ_LAYER_fuzz_segpage       := segment
FUZZ_LAYER_fuzz_segbitmap     := segment
fuzz_layer = $(or $(FUZZ_LAYER_$(1)),pipeline)

# Fails, naming object and symbol, when a library calls a layer above it,
# or when two files call each other.
check-layers: $(foreach l,$(LAYERS),$(call layer_lib,$(l)))
	@$(foreach l,$(LAYERS),DEPS_$(l)="$(LAYER_DEPS_$(l))") \
	  tools/check_layers.sh $(BUILD) $(LAYERS)
	@tools/check_cycles.sh $(BUILD)
	@tools/long_functions.sh --check >/dev/null && echo "long functions: none over 120 lines but the listed ones (tools/long_functions.sh)"

.PHONY: all deps demo test check-layers test-unit check-build valgrind bench eval eval-pages model model-selftrain \
        install clean format tools fuzz fuzz-build chaos test-slurm eval-real eval-fields

all: $(BIN) tools

$(BIN): $(MAIN_OBJ) $(call layer_libs,cli)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

tools: $(TOOL_BIN)

.SECONDEXPANSION:
$(BUILD)/tools/%: tools/%.c $$(call layer_libs,$$(call tool_layer,$$*))
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(call layer_libs,$(call tool_layer,$*)) $(LIBS)

$(BUILD)/tests/%: tests/unit/%.c tests/unit/test.h $$(call layer_libs,$$(call unit_layer,$$*))
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(call layer_libs,$(call unit_layer,$*)) $(LIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# Installing packages is this target's job (and the demo's), never a side
# effect of building or testing.
deps:
	@tools/deps.sh build test fuzz

# Build everything the suite needs in one build directory.
check-build: $(BIN) $(TEST_BIN) $(TOOL_BIN)

demo:
	@tools/deps.sh build test
	@$(SUBMAKE) all
	./inkpipe run configs/demo.yaml
	@echo "demo: text and hOCR are in out/demo/"; ls out/demo

# The whole suite: the normal build, then again under ASan + UBSan.
# The last line printed is "N passed, N failed".
test:
	@tools/deps.sh --check build test
	@$(SUBMAKE) check-build check-layers
	@$(SUBMAKE) BUILD=build-asan SANITIZE=address,undefined OPT="-O1 -g" check-build
	@tests/run.sh --suite plain build ./inkpipe --suite asan build-asan build-asan/inkpipe

# Unit tests only, normal build (quick loop while developing).
test-unit: check-build
	@tests/run.sh --unit-only --suite plain build ./inkpipe

# Slurm suite on a real one-node cluster (as root: installs munge and
# slurm-wlm if missing, starts and stops the daemons; see docs/slurm.md).
test-slurm: all
	@tests/slurm/run.sh $(BIN)

valgrind: check-build
	@tests/run.sh --valgrind --unit-only --suite valgrind build ./inkpipe

# CER/WER on composed pages of held-out writers, with and without the
# line-context step (tools/page_eval.sh, docs/context.md). Needs the
# Chars74K data ($(DATA)/chars74k-hnd or INKPIPE_CHARS74K) and a model;
# without the data it says so and is skipped. `make eval` ends with it.
eval-pages: $(BIN) $(BUILD)/tools/compose $(BUILD)/tools/cer
	@tools/page_eval.sh --build $(BUILD) --inkpipe $(BIN) \
	  --data $(or $(INKPIPE_CHARS74K),$(DATA)/chars74k-hnd); rc=$$?; \
	 [ $$rc -eq 0 ] || [ $$rc -eq 3 ]

install: $(BIN)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/inkpipe
	install -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/inkpipe
	install -m 0644 models/inkpipe.model $(DESTDIR)$(PREFIX)/share/inkpipe/inkpipe.model
	install -m 0644 models/en-fr.lm $(DESTDIR)$(PREFIX)/share/inkpipe/en-fr.lm
	install -d $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 0644 docs/inkpipe.1 $(DESTDIR)$(PREFIX)/share/man/man1/inkpipe.1
	install -m 0644 tools/inkpipe.bash-completion $(DESTDIR)$(PREFIX)/share/bash-completion/completions/inkpipe

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

# The bundled model: retrained from $(DATA) (Chars74K writers 001-040
# pictures + pen trajectories, 3000 of the first 8000 MNIST test digits
# per epoch, Hershey fonts, the Debian handwriting fonts of tools/deps.sh
# model rendered with FreeType) with a fixed seed; writers 041-045 and the
# last 2000 MNIST digits are never loaded. Then (MODEL_SELFTRAIN=1, the
# default) that model reads the unlabelled real name crops of
# $(DATA)/names-train (the gold set's left out), the readings that are
# known names give labelled glyphs, and the model is trained again from
# the start on the same recipe plus those glyphs (tools/selftrain.sh
# --scratch); MODEL_SELFTRAIN=0 stops after the first model. See
# docs/model.md. MODEL_TTF: outline fonts to add (--ttf); MODEL_TTF=
# trains without them.
DATA       ?= ../shared/data
MODEL_ARCH ?= c32b,p,c64b,p,c128b,p,d0.3,f256,d0.3,f62
MODEL_TTF  ?= $(HANDWRITING_TTF)
HANDWRITING_TTF := /usr/share/fonts/truetype/fifthhorseman \
              /usr/share/fonts/truetype/humor-sans \
              /usr/share/fonts/truetype/breip \
              /usr/share/fonts/truetype/femkeklaver \
              /usr/share/fonts/truetype/rufscript \
              /usr/share/fonts/truetype/sjfonts \
              /usr/share/fonts/opentype/bwht \
              /usr/share/fonts/opentype/comic-neue
MODEL_EPOCHS ?= 24
MODEL_ARGS ?= --epochs $(MODEL_EPOCHS) --arch $(MODEL_ARCH) --idx-quota 3000 --train-on-val
MODEL_SELFTRAIN ?= 1
MNIST_IDX  := $(DATA)/mnist-test/t10k-images-idx3-ubyte.gz \
              $(DATA)/mnist-test/t10k-labels-idx1-ubyte.gz
MODEL_FIRST = $(if $(filter 1,$(MODEL_SELFTRAIN)),$(BUILD)/model-first/inkpipe.model,models/inkpipe.model)
model: $(BIN) $(BUILD)/tools/selftrain_glyphs
	@test -d $(DATA)/chars74k-hnd -a -d $(DATA)/mnist-test || \
	  { echo "make model: needs $(DATA)/chars74k-hnd and $(DATA)/mnist-test (set DATA=...)"; exit 1; }
	@test "$(MODEL_SELFTRAIN)" != 1 -o -d $(DATA)/names-train/images || \
	  { echo "make model: needs $(DATA)/names-train (or MODEL_SELFTRAIN=0)"; exit 1; }
	@tools/deps.sh model
	@mkdir -p $(dir $(MODEL_FIRST)) && start=$$(date +%s); \
	OPENBLAS_NUM_THREADS=1 ./$(BIN) train --chars74k $(DATA)/chars74k-hnd \
	  --idx $(MNIST_IDX) --hershey /usr/share/hershey-fonts \
	  --val-writers 036-040 --test-writers 041-045 --seed 1 $(MODEL_ARGS) \
	  $(addprefix --ttf ,$(MODEL_TTF)) -o $(MODEL_FIRST) && \
	if [ "$(MODEL_SELFTRAIN)" = 1 ]; then \
	  tools/selftrain.sh --data $(DATA) --model $(MODEL_FIRST) \
	    --build $(BUILD) --inkpipe ./$(BIN) --out $(BUILD)/model-selftrain \
	    --scratch --epochs $(MODEL_EPOCHS) \
	    --train-args "--chars74k $(DATA)/chars74k-hnd --idx $(MNIST_IDX) \
	      --hershey /usr/share/hershey-fonts --arch $(MODEL_ARCH) \
	      --idx-quota 3000 $(addprefix --ttf ,$(MODEL_TTF))" && \
	  cp $(BUILD)/model-selftrain/inkpipe-selftrain.model models/inkpipe.model; \
	fi && \
	echo "make model: models/inkpipe.model in $$(( ($$(date +%s) - start) / 60 )) min $$(( ($$(date +%s) - start) % 60 )) s"

# Self-training on the unlabelled real name crops (tools/selftrain.sh,
# docs/model.md): the bundled model (or SELFTRAIN_FROM) reads
# $(DATA)/names-train (the gold set's crops, every 30th, are left out);
# readings that are known names give labelled glyphs; the model is
# fine-tuned on the make model recipe + those glyphs for SELFTRAIN_EPOCHS.
# Writes build/selftrain/inkpipe-selftrain.model; never models/ (measure
# it with make eval-real MODEL=..., then copy it by hand).
SELFTRAIN_FROM   ?= models/inkpipe.model
SELFTRAIN_EPOCHS ?= 3
SELFTRAIN_LR     ?= 0.0005
# SELFTRAIN_ARGS: more tools/selftrain.sh options, e.g. "--letters
# ABDEFGHNQRT --no-train-on-val --max-per-class 100" (docs/model.md).
SELFTRAIN_ARGS   ?=
model-selftrain: $(BIN) $(BUILD)/tools/selftrain_glyphs
	@tools/selftrain.sh --data $(DATA) --model $(SELFTRAIN_FROM) \
	  --build $(BUILD) --inkpipe ./$(BIN) --out $(BUILD)/selftrain \
	  --epochs $(SELFTRAIN_EPOCHS) --lr $(SELFTRAIN_LR) $(SELFTRAIN_ARGS) \
	  --train-args "--chars74k $(DATA)/chars74k-hnd --idx $(MNIST_IDX) \
	    --hershey /usr/share/hershey-fonts --idx-quota 3000 \
	    $(addprefix --ttf ,$(MODEL_TTF))"

# Writer-disjoint accuracy of the bundled model on the held-out writers and
# the held-out MNIST digits.
eval: $(BIN)
	@test -d $(DATA)/chars74k-hnd -a -d $(DATA)/mnist-test || \
	  { echo "make eval: needs $(DATA)/chars74k-hnd and $(DATA)/mnist-test (set DATA=...)"; exit 1; }
	OPENBLAS_NUM_THREADS=1 ./$(BIN) eval --model models/inkpipe.model \
	  --chars74k $(DATA)/chars74k-hnd --writers 041-045 \
	  --idx $(MNIST_IDX) --idx-holdout 2000
	@$(MAKE) --no-print-directory eval-pages

# Accuracy on material inkpipe did not make (issue 13; tools/eval_real.sh,
# docs/eval-real.md): Chars74K per writer with the trained-on writers named,
# the held-out MNIST digits, CoMNIST, the hand-labelled real name crops of
# NAMES_GOLD (kept outside the repository) as scanned and resized (50 to
# 200 %) beside tesseract, lexicon plausibility on all name crops, the
# crop law; HTML report build/eval-real/report.html.
# A part whose data is missing says so and is skipped (never an error).
# MODEL=FILE measures another model. EVAL_FOLDS=k also trains k
# writer-disjoint fold models with the make model recipe and FOLD_EPOCHS
# (cached in build/eval-real/folds/; about 30 s per epoch and fold).
# NAMES_LEXICON: the gold crops are also read with this per-field names
# lexicon (inkpipe ocr --lexicon); NAMES_LEXICON= skips that run.
# EVAL_PARTS=LIST runs only those parts (tools/eval_real.sh --parts).
# FOLD_GLYPHS: the self-training glyphs make model harvested, added to
# the fold recipe when they exist (the bundled model's recipe; without
# them the folds measure the first model's recipe: FOLD_GLYPHS=).
FOLD_GLYPHS ?= $(wildcard $(BUILD)/model-selftrain/selftrain.csv)
NAMES_GOLD  ?= ../devset/names-gold.tsv
NAMES_LEXICON ?= $(DATA)/names-train/names-lexicon.tsv
EVAL_FOLDS  ?= 0
FOLD_EPOCHS ?= 24
eval-real: $(BIN) $(BUILD)/tools/cer $(BUILD)/tools/eval_report $(BUILD)/tools/rec_model $(BUILD)/tools/compose
	@tools/eval_real.sh --build $(BUILD) --inkpipe $(BIN) --data $(DATA) \
	  --gold $(NAMES_GOLD) $(if $(MODEL),--model $(MODEL)) \
	  $(if $(NAMES_LEXICON),--names-lexicon $(NAMES_LEXICON)) \
	  $(if $(EVAL_PARTS),--parts $(EVAL_PARTS)) --folds $(EVAL_FOLDS) --fold-epochs $(FOLD_EPOCHS) \
	  --train-args "--idx $(MNIST_IDX) --hershey /usr/share/hershey-fonts \
	    --arch $(MODEL_ARCH) --idx-quota 3000 $(addprefix --ttf ,$(MODEL_TTF)) \
	    $(if $(FOLD_GLYPHS),--csv $(FOLD_GLYPHS))"

# Digit fields cut from forms (tools/field_eval.sh, docs/eval-real.md):
# FIELDS fields (default 60, seed FIELD_SEED, default 7) of the MNIST test
# digits the bundled model never trains on, in drawn boxes and combs,
# read with inkpipe ocr --charset digits three ways: each field alone cut
# tight, the box and comb fields cut with 40 px of paper around, and the
# same pasted ten to an A4 page; then open boxes (no dividers, the digits
# written freely, as on a census form) and dotted dividers the same three
# ways; then boxes and open boxes with their lines printed light (grey 190
# on 235, --rule-grey); prints the share read exactly per kind.
# Without $(DATA)/mnist-test it says so and is skipped.
FIELDS     ?= 60
FIELD_SEED ?= 7
eval-fields: $(BIN) $(BUILD)/tools/field_compose
	@if [ ! -f $(word 1,$(MNIST_IDX)) ] || [ ! -f $(word 2,$(MNIST_IDX)) ]; then \
	  echo "make eval-fields: no MNIST test files in $(DATA)/mnist-test (set DATA=...); skipped"; \
	else for how in "" "--margin 40 --kinds box,comb" "--page" \
	  "--kinds open" "--kinds open --margin 40" "--kinds open --page" \
	  "--kinds dotted" "--kinds dotted --margin 40" "--kinds dotted --page" \
	  "--rule-grey 190" "--kinds open --rule-grey 190"; do \
	  tools/field_eval.sh --idx $(MNIST_IDX) --fields $(FIELDS) --seed $(FIELD_SEED) $$how \
	  --inkpipe $(BIN) --build $(BUILD) $(if $(MODEL),--model $(MODEL)) || exit 1; done; fi

clean:
	rm -rf build build-* inkpipe

# ---- faults, hostile input, fuzzing (issue 6) -------------------------
# make chaos: the slow fault tests (tests/chaos/chaos_*.sh: kill -9 at
# random moments during a 200-page job; a worker's heartbeat on a long page).
chaos: check-build
	@tests/chaos/run.sh $(BUILD) $(BIN)

# make fuzz [FUZZ_SECONDS=60]: build tests/fuzz/fuzz_*.c with clang's
# libFuzzer + ASan + UBSan (objects in build-fuzz/) and run each target for
# FUZZ_SECONDS on its seeds (tests/fuzz/corpus/NAME/; the corpus grows in
# build-fuzz/corpus/NAME/, crashes land in build-fuzz/crash-NAME-*).
FUZZ_SECONDS ?= 60
fuzz:
	@tools/deps.sh fuzz
	@$(SUBMAKE) BUILD=build-fuzz CC=clang \
	    SANITIZE=fuzzer-no-link,address,undefined OPT="-O1 -g" fuzz-build
	@tests/fuzz/run.sh $(FUZZ_SECONDS) build-fuzz $(FUZZ_SRC:tests/fuzz/%.c=%)

fuzz-build: $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)

$(BUILD)/fuzz/%: tests/fuzz/%.c $$(call layer_libs,$$(call fuzz_layer,$$*))
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer $(ALL_LDFLAGS) -o $@ $< $(call layer_libs,$(call fuzz_layer,$*)) $(LIBS)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# Benchmark (prints numbers; not a test): inkpipe vs tesseract, ocrad and
# gocr on composed pages, stage times, CNN vs sgemm bound (docs/bench.md).
# BENCH_PAGES=N (default 10), BENCH_ROUNDS=R (default 2).
bench: all
	@tools/deps.sh bench
	@bench/bench.sh $(BUILD) $(BIN)

# Scaling: a 2,000-page job; time/page and worker RSS at 500/1000/2000
# pages, 1 vs 2 workers (docs/bench.md). BENCH_SCALE_PAGES=N.
.PHONY: bench-scale
bench-scale: all
	@bench/scale.sh $(BUILD) $(BIN)
