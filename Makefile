# signet - sign and verify container images in OCI registries.
#
#   make demo         install what is missing, build, and run the demo
#   make check        unit + integration tests (installs what is missing)
#   make sigstore-instance   the private Sigstore instance (a test tool,
#                     tests/tools/) the keyless integration tests use
#   make              build ./signet
#   make deps         install the Debian packages the project needs, and
#                     build its libcurl (tests/deps.sh)
#   make SANITIZE=address,undefined check
#   make valgrind     the integration tests with every signet under valgrind
#   make fuzz         libFuzzer targets (clang); make fuzz-run FUZZ_TIME=600
#   make interop      tests against cosign, notation, oras, crane
#   make bench        benchmark against the peers
#   make install PREFIX=/usr/local DESTDIR=   binary, man pages, bash
#                     completion, docker CLI plugin link; make uninstall
#
# Objects live in build/<variant>/ (plain, asan, valgrind, fuzz), so one
# variant never overwrites another's; each object's header dependencies
# come from the compiler (-MMD). ./signet is a copy of build/plain/signet.

VERSION   = 0.1.0
PREFIX   ?= /usr/local
CC       ?= cc
PKGS      = openssl jansson libsodium libcbor
# Headers only: PKCS#11 (libp11, p11-kit) and libmicrohttpd are opened at
# run time by the commands that use them (keys/p11dl.c, gate/mhd.c), so
# no other command maps them, nor GnuTLS through libmicrohttpd.
DL_PKGS   = libp11 p11-kit-1 libmicrohttpd
CFLAGS   ?= -O2 -g
WARN      = -Wall -Wextra -Werror -Wmissing-prototypes -Wshadow \
            -Wformat=2 -Wno-format-nonliteral
CPPFLAGS += -D_GNU_SOURCE -DSIGNET_VERSION='"$(VERSION)"' -I.
# p11-kit's proxy module: the default PKCS#11 module for token keys
P11_PROXY := $(shell pkg-config --variable=proxy_module p11-kit-1 2>/dev/null)
ifneq ($(P11_PROXY),)
CPPFLAGS += -DSIGNET_P11_PROXY='"$(P11_PROXY)"'
endif
# libcurl: the one `make deps` builds for HTTP(S) over OpenSSL only and
# links statically (tests/deps.sh says why), else Debian's shared one.
SIGNET_DEPS ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/signet-deps
CURL_DIR := $(realpath $(SIGNET_DEPS)/curl)
ifneq ($(wildcard $(CURL_DIR)/lib/libcurl.a),)
CURL_PC   = PKG_CONFIG_PATH=$(CURL_DIR)/lib/pkgconfig pkg-config
CURL_LIBS := $(CURL_DIR)/lib/libcurl.a \
             $(filter-out -L% -lcurl,$(shell $(CURL_PC) --static --libs libcurl))
else
CURL_PC   = pkg-config
CURL_DIR :=
CURL_LIBS := $(shell pkg-config --libs libcurl 2>/dev/null || echo -lcurl)
endif
# The sonames dlopen asks for: those of the libraries built against.
soname = $(shell readelf -d $$(pkg-config --variable=libdir $(1) \
	2>/dev/null)/$(2).so 2>/dev/null | \
	sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
SONAMES := LIBP11=$(call soname,libp11,libp11) \
           LIBP11KIT=$(call soname,p11-kit-1,libp11-kit) \
           LIBMHD=$(call soname,libmicrohttpd,libmicrohttpd)
CPPFLAGS += $(foreach s,$(SONAMES),$(if $(word 2,$(subst =, ,$(s))),\
	-DSIGNET_$(word 1,$(subst =, ,$(s)))='"$(word 2,$(subst =, ,$(s)))"'))
PKG_CFLAGS := $(shell $(CURL_PC) --cflags libcurl 2>/dev/null) \
              $(shell pkg-config --cflags $(PKGS) $(DL_PKGS) 2>/dev/null)
LDLIBS   += $(CURL_LIBS)
LDLIBS   += $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lssl -lcrypto -ljansson -lsodium -lcbor)
LDLIBS   += -ldl -pthread

# ---- the variant: which flags, which folder --------------------------------
ifneq ($(SANITIZE),)
VARIANT  ?= asan
else
VARIANT  ?= plain
endif
ifneq ($(SANITIZE),)
SAN_FLAGS = -fsanitize=$(SANITIZE) -fno-omit-frame-pointer \
            -fno-sanitize-recover=all
LDFLAGS  += -fsanitize=$(SANITIZE)
export LSAN_OPTIONS = suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0
endif
ALL_CFLAGS = -std=c11 $(WARN) $(CFLAGS) $(SAN_FLAGS) $(PKG_CFLAGS)
B          = build/$(VARIANT)

# ---- sources ----------------------------------------------------------------
LIB_DIRS = core formats keys registry sign verify gate
LIB_SRC  = $(wildcard $(LIB_DIRS:%=%/*.c))
CLI_SRC  = $(wildcard cli/*.c)
LIB_OBJ  = $(LIB_SRC:%.c=$(B)/%.o)
CLI_OBJ  = $(CLI_SRC:%.c=$(B)/%.o)
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:%.c=$(B)/%)

# A change of flags within one variant rebuilds it: stamp them.
STAMP = $(B)/.flags
$(shell mkdir -p $(B) && { echo '$(CC) $(ALL_CFLAGS) $(LDFLAGS)' | \
	cmp -s - $(STAMP) || echo '$(CC) $(ALL_CFLAGS) $(LDFLAGS)' > $(STAMP); })

ifeq ($(VARIANT),plain)
all: signet
else
all: $(B)/signet
endif

$(STAMP): ;

$(B)/%.o: %.c $(STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

# The built-in trusted root is placed in the binary by .incbin.
$(B)/keys/rootfile.o $(FUZZ_DIR)/keys/rootfile.o: \
	keys/production_trusted_root.json

$(B)/libsignet.a: $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

# The commands, as a library of their own: unit tests link them.
$(B)/libsignet-cli.a: $(CLI_OBJ)
	rm -f $@ && ar rcs $@ $^

$(B)/signet: $(B)/main.o $(B)/libsignet-cli.a $(B)/libsignet.a
	$(CC) $(LDFLAGS) -o $@ $(B)/main.o $(B)/libsignet-cli.a \
		$(B)/libsignet.a $(LDLIBS)
ifeq ($(CURL_DIR),)
	@echo "note: linked Debian's libcurl (25 more libraries, slower" \
		"start); 'make deps' builds the minimal one" >&2
endif

signet: build/plain/signet
	cp -f $< $@.tmp && mv -f $@.tmp $@

$(B)/tests/unit/test_%: tests/unit/test_%.c $(B)/libsignet-cli.a \
		$(B)/libsignet.a $(STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -Wno-missing-prototypes -MMD -MP \
		-o $@ $< $(B)/libsignet-cli.a $(B)/libsignet.a $(LDLIBS) -lcmocka

-include $(wildcard $(B)/*.d $(B)/*/*.d $(B)/tests/*/*.d)

deps:
	@sh tests/deps.sh

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; ./$$t; done

# A private, offline Sigstore instance (CA, CT and Rekor keys, TSA) for
# the keyless tests: test code, never linked into signet, and built
# without sanitizers in every variant (a short-lived tool that leaves its
# OpenSSL objects to exit).
SIGSTORE_INSTANCE = $(B)/tests/tools/sigstore_instance
$(SIGSTORE_INSTANCE): tests/tools/sigstore_instance.c $(STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -std=c11 $(WARN) $(CFLAGS) -MMD -MP -o $@ $< \
		$(shell pkg-config --libs openssl jansson 2>/dev/null || \
		echo -lcrypto -ljansson)

sigstore-instance: $(SIGSTORE_INSTANCE)

integration: all $(SIGSTORE_INSTANCE)
	@SIGNET=$(CURDIR)/$(B)/signet \
		SIGSTORE_INSTANCE=$(CURDIR)/$(SIGSTORE_INSTANCE) \
		bash tests/integration/run.sh

lint-man:
	@for m in man/*.[0-9]; do mandoc -Tlint -Wwarning $$m || exit 1; done; echo "man pages: lint clean"

# The shape of the code: no function over 100 lines, no two files that
# call each other (directly or round a longer circle).
lint-code: $(B)/libsignet.a $(B)/libsignet-cli.a $(B)/main.o
	@python3 tests/lint/shape.py --objects $(B) $(LIB_DIRS) cli main.c

check: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory lint-man
	@$(MAKE) --no-print-directory lint-code
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory fuzz-replay
	@$(MAKE) --no-print-directory integration

# One pass of the integration suite with every signet run under valgrind;
# any error report fails it (its own variant: valgrind and ASan do not mix).
valgrind:
	@$(MAKE) --no-print-directory VARIANT=valgrind SANITIZE= all
	@printf '#!/bin/sh\nexec valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --track-origins=yes "%s/build/valgrind/signet" "$$@"\n' "$(CURDIR)" > build/valgrind/valgrind-signet
	@chmod +x build/valgrind/valgrind-signet
	@CMD_TIMEOUT=600 SIGNET_TEST_PLAIN_KEYS=1 \
		SIGNET=$(CURDIR)/build/valgrind/valgrind-signet \
		bash tests/integration/run.sh $(VALGRIND_TESTS)

# Under valgrind a passphrase-protected key costs minutes of key
# derivation, so this pass uses unencrypted test keys and leaves out the
# key-file tests (t_10) and the timing-sensitive ones (concurrency,
# timeouts, the docker engine).
VALGRIND_TESTS = t_20_sign_verify.sh t_30_forgery.sh t_40_tls_auth.sh

# ---- fuzzing: tests/fuzz/fuzz_<name>.c, seeds in tests/fuzz/corpus/<name>/
# `make fuzz` builds libFuzzer binaries with clang from objects of their own
# in build/fuzz/; `make fuzz-replay` (part of check) runs every corpus
# through the same targets built with $(CC) in the current variant.
FUZZ_TARGETS = ref manifest simplesign bundle jws keys wwwauth b64 referrer \
               cose trustedroot rekor tsa
FUZZ_REPLAY  = $(FUZZ_TARGETS:%=$(B)/tests/fuzz/replay_%)
FUZZ_CC      = clang
FUZZ_DIR     = build/fuzz
FUZZ_BIN     = $(FUZZ_TARGETS:%=$(FUZZ_DIR)/fuzz_%)
FUZZ_CFLAGS  = -std=c11 $(filter-out -Werror,$(WARN)) -O1 -g \
               -fno-omit-frame-pointer -fno-sanitize-recover=all \
               -fsanitize=fuzzer-no-link,address,undefined $(PKG_CFLAGS)
FUZZ_OBJ     = $(LIB_SRC:%.c=$(FUZZ_DIR)/%.o)
FUZZ_TIME    = 60

$(FUZZ_DIR)/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -MMD -MP -c $< -o $@

$(FUZZ_DIR)/libsignet.a: $(FUZZ_OBJ)
	rm -f $@ && ar rcs $@ $^

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_DIR)/libsignet.a
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer -MMD -MP \
		-o $@ $< $(FUZZ_DIR)/libsignet.a $(LDLIBS)

$(B)/tests/fuzz/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c \
		$(B)/libsignet.a $(STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -o $@ $< tests/fuzz/replay.c \
		$(B)/libsignet.a $(LDLIBS)

-include $(wildcard $(FUZZ_DIR)/*/*.d $(FUZZ_DIR)/*.d)

fuzz: $(FUZZ_BIN)

fuzz-replay: $(FUZZ_REPLAY)
	@set -e; for t in $(FUZZ_TARGETS); do \
		./$(B)/tests/fuzz/replay_$$t tests/fuzz/corpus/$$t; done

# Each target for FUZZ_TIME seconds, one after the other; new inputs go to
# build/fuzz/corpus/<name>/, crashes to build/fuzz/ (the seeds stay as
# they are: copy what is worth keeping into tests/fuzz/corpus/ by hand).
fuzz-run: fuzz
	@set -e; for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_DIR)/corpus/$$t; \
		./$(FUZZ_DIR)/fuzz_$$t -max_total_time=$(FUZZ_TIME) \
			-rss_limit_mb=2048 -artifact_prefix=$(FUZZ_DIR)/$$t- \
			$(FUZZ_DIR)/corpus/$$t tests/fuzz/corpus/$$t; done

.PHONY: fuzz fuzz-replay fuzz-run

interop: all
	@SIGNET=$(CURDIR)/$(B)/signet bash tests/interop/run.sh

# The start-up floors `make bench` compares `signet version` with: one
# SHA-256 with OpenSSL, and an empty C program.
$(B)/bench/floor: tests/bench/floor.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -o $@ $< -lcrypto

$(B)/bench/empty: tests/bench/floor.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -DEMPTY -o $@ $<

bench: signet $(B)/bench/floor $(B)/bench/empty sigstore-instance
	@FLOOR=$(CURDIR)/$(B)/bench/floor EMPTY=$(CURDIR)/$(B)/bench/empty \
		bash tests/bench/bench.sh

# The README's first command: installs what is missing, builds, runs.
demo: deps
	@$(MAKE) --no-print-directory signet
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
	rm -rf build signet

.PHONY: all deps unit integration sigstore-instance lint-man lint-code check interop bench \
	demo install uninstall clean valgrind
