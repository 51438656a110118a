# signet - sign and verify container images in OCI registries.
#
#   make              build ./signet
#   make deps         install the Debian packages the project needs
#   make check        unit + integration tests (installs what is missing)
#   make SANITIZE=address,undefined check
#   make interop      tests against cosign, notation, oras, crane
#   make bench        benchmark against the peers
#   make install PREFIX=/usr/local DESTDIR=

VERSION   = 0.1.0
PREFIX   ?= /usr/local
CC       ?= cc
PKGS      = openssl libcurl jansson libsodium
CFLAGS   ?= -O2 -g
WARN      = -Wall -Wextra -Werror -Wmissing-prototypes -Wshadow \
            -Wformat=2 -Wno-format-nonliteral
CPPFLAGS += -D_GNU_SOURCE -DSIGNET_VERSION='"$(VERSION)"'
ALL_CFLAGS = -std=c11 $(WARN) $(CFLAGS) $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS   += $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lssl -lcrypto -lcurl -ljansson -lsodium)

ifneq ($(SANITIZE),)
ALL_CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS    += -fsanitize=$(SANITIZE)
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
	@$(MAKE) --no-print-directory integration

interop: signet
	@bash tests/interop/run.sh

bench: signet
	@bash tests/bench/bench.sh

demo: signet
	@bash tests/demo.sh

install: signet
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0755 signet $(DESTDIR)$(PREFIX)/bin/signet
	install -m 0644 man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/signet
	cd man && for m in *.1; do rm -f $(DESTDIR)$(PREFIX)/share/man/man1/$$m; done

clean:
	rm -f signet main.o $(LIB_OBJ) libsignet.a $(UNIT_BIN) $(BUILD_STAMP)

.PHONY: all deps unit integration lint-man check interop bench demo install uninstall clean
