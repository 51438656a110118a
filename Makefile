# signet - sign and verify container images in OCI registries.
#
#   make              build ./signet
#   make deps         install the Debian packages the project needs
#   make check        unit + integration tests (installs what is missing)
#   make SANITIZE=address,undefined check
#   make fuzz         libFuzzer targets (clang); make fuzz-run FUZZ_TIME=600
#   make interop      tests against cosign, notation, oras, crane
#   make bench        benchmark against the peers
#   make install PREFIX=/usr/local DESTDIR=   binary, man pages, bash
#                     completion, docker CLI plugin link; make uninstall

VERSION   = 0.1.0
PREFIX   ?= /usr/local
CC       ?= cc
PKGS      = openssl libcurl jansson libsodium libp11 p11-kit-1
CFLAGS   ?= -O2 -g
WARN      = -Wall -Wextra -Werror -Wmissing-prototypes -Wshadow \
            -Wformat=2 -Wno-format-nonliteral
CPPFLAGS += -D_GNU_SOURCE -DSIGNET_VERSION='"$(VERSION)"'
# p11-kit's proxy module: the default PKCS#11 module for token keys
P11_PROXY := $(shell pkg-config --variable=proxy_module p11-kit-1 2>/dev/null)
ifneq ($(P11_PROXY),)
CPPFLAGS += -DSIGNET_P11_PROXY='"$(P11_PROXY)"'
endif
ALL_CFLAGS = -std=c11 $(WARN) $(CFLAGS) $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS   += $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lssl -lcrypto -lcurl -ljansson -lsodium -lp11 -lp11-kit)
LDLIBS   += -pthread

ifneq ($(SANITIZE),)
ALL_CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS    += -fsanitize=$(SANITIZE)
export LSAN_OPTIONS = suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0
endif

LIB_SRC  = $(wildcard core/*.c keys/*.c registry/*.c sign/*.c verify/*.c)
LIB_OBJ  = $(LIB_SRC:.c=.o)
HDRS     = $(wildcard core/*.h keys/*.h registry/*.h sign/*.h verify/*.h)
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:.c=)

# A sanitizer build must not mix with plain objects: stamp the flags.
BUILD_STAMP = .build-flags
$(shell echo '$(CC) $(ALL_CFLAGS) $(LDFLAGS)' | cmp -s - $(BUILD_STAMP) || echo '$(CC) $(ALL_CFLAGS) $(LDFLAGS)' > $(BUILD_STAMP))

all: signet

$(BUILD_STAMP): ;

%.o: %.c $(HDRS) $(BUILD_STAMP)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c $< -o $@

libsignet.a: $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

signet: main.o libsignet.a
	$(CC) $(LDFLAGS) -o $@ main.o libsignet.a $(LDLIBS)

tests/unit/test_%: tests/unit/test_%.c libsignet.a $(HDRS)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -Wno-missing-prototypes -o $@ $< libsignet.a $(LDLIBS) -lcmocka

deps:
	@sh tests/deps.sh

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; ./$$t; done

integration: signet
	@bash tests/integration/run.sh

lint-man:
	@for m in man/*.[0-9]; do mandoc -Tlint -Wwarning $$m || exit 1; done; echo "man pages: lint clean"

check: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory lint-man
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory fuzz-replay
	@$(MAKE) --no-print-directory integration

# One pass of the integration suite with every signet run under valgrind;
# any error report fails it (a plain build: valgrind and ASan do not mix).
valgrind:
	@$(MAKE) --no-print-directory SANITIZE= all
	@printf '#!/bin/sh\nexec valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --track-origins=yes "%s/signet" "$$@"\n' "$(CURDIR)" > tests/valgrind-signet
	@chmod +x tests/valgrind-signet
	@CMD_TIMEOUT=600 SIGNET_TEST_PLAIN_KEYS=1 \
		SIGNET=$(CURDIR)/tests/valgrind-signet \
		bash tests/integration/run.sh $(VALGRIND_TESTS)

# Under valgrind a passphrase-protected key costs minutes of key
# derivation, so this pass uses unencrypted test keys and leaves out the
# key-file tests (t_10) and the timing-sensitive ones (concurrency,
# timeouts, the docker engine).
VALGRIND_TESTS = t_20_sign_verify.sh t_30_forgery.sh t_40_tls_auth.sh

# ---- fuzzing: tests/fuzz/fuzz_<name>.c, seeds in tests/fuzz/corpus/<name>/
# `make fuzz` builds libFuzzer binaries with clang from objects of their own
# in build/fuzz/ (never mixed with the ones above); `make fuzz-replay` (part
# of check) runs every corpus through the same targets built with $(CC).
FUZZ_TARGETS = ref manifest simplesign bundle jws keys wwwauth b64
FUZZ_BIN     = $(FUZZ_TARGETS:%=tests/fuzz/fuzz_%)
FUZZ_REPLAY  = $(FUZZ_TARGETS:%=tests/fuzz/replay_%)
FUZZ_CC      = clang
FUZZ_DIR     = build/fuzz
FUZZ_CFLAGS  = -std=c11 $(filter-out -Werror,$(WARN)) -O1 -g \
               -fno-omit-frame-pointer -fno-sanitize-recover=all \
               -fsanitize=fuzzer-no-link,address,undefined \
               $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
FUZZ_OBJ     = $(LIB_OBJ:%=$(FUZZ_DIR)/%)
FUZZ_TIME    = 60
FUZZ_HDRS    = $(HDRS) tests/fuzz/fuzz.h

$(FUZZ_DIR)/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_DIR)/libsignet.a: $(FUZZ_OBJ)
	rm -f $@ && ar rcs $@ $^

tests/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_DIR)/libsignet.a $(FUZZ_HDRS)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< \
		$(FUZZ_DIR)/libsignet.a $(LDLIBS)

tests/fuzz/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c libsignet.a \
		     $(FUZZ_HDRS)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $< tests/fuzz/replay.c \
		libsignet.a $(LDLIBS)

fuzz: $(FUZZ_BIN)

fuzz-replay: $(FUZZ_REPLAY)
	@set -e; for t in $(FUZZ_TARGETS); do \
		./tests/fuzz/replay_$$t tests/fuzz/corpus/$$t; done

# Each target for FUZZ_TIME seconds, one after the other; new inputs go to
# build/fuzz/corpus/<name>/, crashes to build/fuzz/ (the seeds stay as
# they are: copy what is worth keeping into tests/fuzz/corpus/ by hand).
fuzz-run: fuzz
	@set -e; for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_DIR)/corpus/$$t; \
		./tests/fuzz/fuzz_$$t -max_total_time=$(FUZZ_TIME) \
			-rss_limit_mb=2048 -artifact_prefix=$(FUZZ_DIR)/$$t- \
			$(FUZZ_DIR)/corpus/$$t tests/fuzz/corpus/$$t; done

.PHONY: fuzz fuzz-replay fuzz-run

interop: signet
	@bash tests/interop/run.sh

bench: signet
	@bash tests/bench/bench.sh

demo: signet
	@bash tests/demo.sh

# docker finds CLI plugins in $(PREFIX)/lib/docker/cli-plugins (for
# /usr/local and /usr); the relative link survives DESTDIR staging.
PLUGIN_DIR = $(PREFIX)/lib/docker/cli-plugins
COMPL_DIR  = $(PREFIX)/share/bash-completion/completions
MAN1       = $(wildcard man/*.1)
MAN5       = $(wildcard man/*.5)

install: signet
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(COMPL_DIR) \
		$(DESTDIR)$(PLUGIN_DIR)
	install -m 0755 signet $(DESTDIR)$(PREFIX)/bin/signet
	install -m 0644 $(MAN1) $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 0644 $(MAN5) $(DESTDIR)$(PREFIX)/share/man/man5/
	./signet completion bash > $(DESTDIR)$(COMPL_DIR)/signet.tmp
	chmod 0644 $(DESTDIR)$(COMPL_DIR)/signet.tmp
	mv -f $(DESTDIR)$(COMPL_DIR)/signet.tmp $(DESTDIR)$(COMPL_DIR)/signet
	ln -sf ../../../bin/signet $(DESTDIR)$(PLUGIN_DIR)/docker-signet

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/signet
	rm -f $(DESTDIR)$(PLUGIN_DIR)/docker-signet
	rm -f $(DESTDIR)$(COMPL_DIR)/signet
	rm -f $(MAN1:man/%=$(DESTDIR)$(PREFIX)/share/man/man1/%)
	rm -f $(MAN5:man/%=$(DESTDIR)$(PREFIX)/share/man/man5/%)

clean:
	rm -f signet main.o $(LIB_OBJ) libsignet.a $(UNIT_BIN) $(BUILD_STAMP) tests/valgrind-signet
	rm -rf $(FUZZ_BIN) $(FUZZ_REPLAY) $(FUZZ_DIR)

.PHONY: all deps unit integration lint-man check interop bench demo install uninstall clean valgrind
