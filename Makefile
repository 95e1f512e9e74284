# starttls-check - build, test, install
#
#   make                  library, CLI (build/starttls-check), unit tests
#   make check            every test the machine can run (see tests/run_all.sh)
#   make unit             unit tests and fuzz-corpus replays only
#   make bench            benchmarks on a lab of its own (root; not in CI)
#   make fuzz FUZZ_SECONDS=60   libFuzzer targets (clang), each for a bounded time
#   make install PREFIX=/usr/local [DESTDIR=/staging]   CLI, headers, libstc.a,
#                         libstc.so, stc.pc, man page, bash completion
#   make uninstall PREFIX=/usr/local [DESTDIR=/staging]
#   BOARD=<dir under boards/> picks the limits header (default linux-host)

.DEFAULT_GOAL := all

BOARD    ?= linux-host
PREFIX   ?= /usr/local
BUILD    ?= build
CC       ?= cc
FUZZ_SECONDS ?= 60
SAN      ?=

WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2
CPPFLAGS += -Iinclude -Iinclude/stc -Iboards/$(BOARD) -Isrc -Iport/posix
OPT      ?= -O2 -g
CFLAGS   += $(OPT) -std=c99 $(WARN) $(SAN)
LDFLAGS  += $(SAN)
WOLF_LIBS := $(shell pkg-config --libs wolfssl 2>/dev/null || echo -lwolfssl)
IDN_LIBS  := $(shell pkg-config --libs libidn2 2>/dev/null || echo -lidn2)

CORE_SRC  := $(sort $(wildcard src/*.c))
CORE_OBJ  := $(CORE_SRC:%.c=$(BUILD)/%.o)
POSIX_SRC := port/posix/port_posix.c port/posix/csv.c
POSIX_OBJ := $(POSIX_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ   := $(patsubst %.c,$(BUILD)/%.o,$(wildcard port/posix/cli*.c))
LIB       := $(BUILD)/libstc.a
CLI       := $(BUILD)/starttls-check

UNIT_SRC  := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRC  := $(sort $(wildcard tests/fuzz/fuzz_*.c))
REPLAY_BIN := $(FUZZ_SRC:tests/fuzz/fuzz_%.c=$(BUILD)/tests/replay_%)
FUZZ_BIN  := $(FUZZ_SRC:tests/fuzz/fuzz_%.c=$(BUILD)/fuzz/fuzz_%)
FAKE_SRC  := $(wildcard tests/fake/fake_port.c)
FAKE_OBJ  := $(FAKE_SRC:%.c=$(BUILD)/%.o)

# Board builds beyond the host (each board.mk says what it adds).
-include boards/lwip-tap/board.mk
-include boards/cortex-m4/board.mk
-include boards/mps2-an386/board.mk

.PHONY: all check unit fuzz install clean smoke-nolibc deps demo check-asan peers bench
SERVER    := $(BUILD)/smtp-test-server
DNSSERVER := $(BUILD)/dns-test-server
all: $(CLI) $(UNIT_BIN) $(REPLAY_BIN) $(SERVER) $(DNSSERVER) $(LWIP_TAP_ALL)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

# The CLI needs POSIX and GNU declarations (getaddrinfo, getrandom, ...).
$(BUILD)/port/posix/%.o: CFLAGS += -D_GNU_SOURCE

# libstc.a: the core and the POSIX port (an installed program needs both to
# check a domain). csv.c stays with the CLI: it has no public header.
# The member list is kept in a file that changes only with the list, so an
# archive made from another list is remade, and nothing else is.
LIB_PORT_OBJ := $(BUILD)/port/posix/port_posix.o
LIB_OBJ      := $(CORE_OBJ) $(LIB_PORT_OBJ)
$(BUILD)/libstc.members: FORCE
	@mkdir -p $(dir $@)
	@echo '$(LIB_OBJ)' | cmp -s - $@ || echo '$(LIB_OBJ)' >$@
$(LIB): $(LIB_OBJ) $(BUILD)/libstc.members
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $(LIB_OBJ)
.PHONY: FORCE

# libstc.so: the same code built -fPIC in a directory of its own.
# File name from STC_VERSION_STRING; the soname carries SOMAJOR, which must
# go up with every change of the ABI: a public function's signature, or the
# layout or size of a public struct (stc_check_t, stc_engine_t, stc_job_t,
# stc_posix_t...), which the limits in boards/$(BOARD)/stc_config.h decide
# too. Only the functions the public headers declare are exported.
VERSION   := $(shell sed -n 's/^.define STC_VERSION_STRING "\(.*\)"$$/\1/p' include/stc/stc.h)
SOMAJOR   := 0
SONAME    := libstc.so.$(SOMAJOR)
SHLIB     := $(BUILD)/libstc.so.$(VERSION)
PIC_OBJ   := $(CORE_SRC:%.c=$(BUILD)/pic/%.o) $(BUILD)/pic/port/posix/port_posix.o
PUB_HDR   := include/stc/stc.h include/stc/stc_port.h port/posix/stc_posix.h
all: $(SHLIB)

$(BUILD)/pic/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -fPIC -MMD -MP -c $< -o $@
$(BUILD)/pic/port/posix/%.o: CFLAGS += -D_GNU_SOURCE

# the export list: every function the public headers declare (the
# preprocessor drops comments and the usage examples in them)
$(BUILD)/pic/libstc.map: $(PUB_HDR)
	@mkdir -p $(dir $@)
	printf '#include "stc/stc.h"\n#include "stc_posix.h"\n' | $(CC) $(CPPFLAGS) -E -P - \
	  | grep -o '[ *]stc_[a-z0-9_]*(' | tr -d ' *(' | sort -u \
	  | { echo '{ global:'; sed 's/.*/  &;/'; echo 'local: *; };'; } >$@.tmp && mv $@.tmp $@

$(SHLIB): $(PIC_OBJ) $(BUILD)/pic/libstc.map
	$(CC) -shared $(LDFLAGS) -Wl,-soname,$(SONAME) -Wl,--version-script,$(BUILD)/pic/libstc.map \
	    -Wl,--no-undefined -o $@ $(PIC_OBJ) $(WOLF_LIBS)
	ln -sf $(notdir $@) $(BUILD)/$(SONAME)
	ln -sf $(SONAME) $(BUILD)/libstc.so

$(CLI): $(CLI_OBJ) $(POSIX_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(POSIX_OBJ) $(LIB) $(WOLF_LIBS) $(IDN_LIBS)

$(BUILD)/tests/test_%: tests/unit/test_%.c $(LIB) $(POSIX_OBJ) $(FAKE_OBJ) tests/unit/unit.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests -D_GNU_SOURCE $(CFLAGS) $(LDFLAGS) -o $@ $< $(FAKE_OBJ) $(POSIX_OBJ) $(LIB) $(WOLF_LIBS)

# Replay drivers: each fuzz target linked with a main() that runs its corpus.
$(BUILD)/tests/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -D_GNU_SOURCE $(CFLAGS) $(LDFLAGS) -o $@ $< tests/fuzz/replay.c $(LIB) $(WOLF_LIBS)

# libFuzzer builds (clang), core compiled with the fuzzer's instrumentation.
FUZZ_CFLAGS := -std=c99 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(CORE_SRC)
	@mkdir -p $(dir $@)
	clang $(CPPFLAGS) $(FUZZ_CFLAGS) -o $@ $< $(CORE_SRC) $(WOLF_LIBS)

# Test fixture: a scriptable STARTTLS server (well-behaved and hostile modes).
$(SERVER): tests/fake/smtp_server.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O1 -g $(WARN) $(SAN) -o $@ $< $(WOLF_LIBS)

# Test fixture: a DNS server with hostile modes (pointer loops, TC, wrong ID...).
$(DNSSERVER): tests/fake/dns_server.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O1 -g $(WARN) $(SAN) -o $@ $<

unit: $(UNIT_BIN) $(REPLAY_BIN)
	@sh tests/run_unit.sh $(BUILD)

check: all
	@sh tests/run_all.sh $(BUILD)

# The unit and integration tests again under ASan + UBSan (own build dir).
check-asan:
	$(MAKE) BUILD=build-asan SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" OPT="-O1 -g" \
	    STC_SKIP_TESTS="valgrind_cli.sh qemu_lab.sh" STC_SKIP_WHY="valgrind cannot run ASan binaries, and the firmware image is not a host binary: make check runs both" check

deps:
	sh tests/install_deps.sh

bench-mem: all
	@sh tests/bench/bench_mem.sh $(BUILD)

demo: $(CLI)
	sh tests/lab/demo.sh $(BUILD)

# The checker beside testssl.sh on every TLS listener of the lab (root; not CI).
peers: all
	BUILD=$(BUILD) bash tests/peers/peers.sh

# Latency beside testssl.sh and posttls-finger, scaling to 10,000 domains,
# instructions per check; on a lab of its own (root; figures, no asserts; not CI).
bench: all
	BUILD=$(BUILD) bash tests/bench/bench.sh

fuzz: $(FUZZ_BIN)
	@sh tests/fuzz/run_fuzz.sh $(BUILD) $(FUZZ_SECONDS)

# The core must build with no OS header at all: compile it freestanding
# against the public headers only (wolfSSL's headers are the one exception).
smoke-nolibc:
	@mkdir -p $(BUILD)/smoke
	for f in $(CORE_SRC); do \
	  $(CC) $(CPPFLAGS) -std=c99 $(WARN) -ffreestanding -fsyntax-only $$f || exit 1; done
	@echo "core compiles freestanding"

# Where `make install` puts things (DESTDIR is prepended, for staging).
BINDIR     ?= $(PREFIX)/bin
INCLUDEDIR ?= $(PREFIX)/include
LIBDIR     ?= $(PREFIX)/lib
PCDIR      ?= $(LIBDIR)/pkgconfig
MANDIR     ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
LDCONFIG   ?= ldconfig
# stc.pc: a static link needs wolfSSL, and Debian's libwolfssl.a needs
# libm (pow, log) and pthreads, which its wolfssl.pc does not list. They go
# in Libs.private in that order: "Requires.private: wolfssl" would put
# wolfSSL after our -lm (pkg-config's order), and the public headers need
# none of wolfSSL's Cflags.
PC_LIBS_PRIVATE := $(strip $(WOLF_LIBS)) -lm -lpthread
INSTALL_HDR := $(wildcard include/stc/*.h) port/posix/stc_posix.h boards/$(BOARD)/stc_config.h

.PHONY: uninstall
install: $(CLI) $(LIB) $(SHLIB)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(INCLUDEDIR)/stc $(DESTDIR)$(LIBDIR) \
	    $(DESTDIR)$(PCDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(BASHCOMPDIR)
	install -m 755 $(CLI) $(DESTDIR)$(BINDIR)/starttls-check
	# the public headers, the POSIX port's, and the limits the library was
	# built with: the layout of stc_check_t and the others depends on them
	install -m 644 $(INSTALL_HDR) $(DESTDIR)$(INCLUDEDIR)/stc/
	install -m 644 $(LIB) $(DESTDIR)$(LIBDIR)/libstc.a
	install -m 755 $(SHLIB) $(DESTDIR)$(LIBDIR)/
	ln -sf $(notdir $(SHLIB)) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libstc.so
	sed -e 's|@PREFIX@|$(PREFIX)|; s|@LIBDIR@|$(LIBDIR)|; s|@INCLUDEDIR@|$(INCLUDEDIR)|' \
	    -e 's|@VERSION@|$(VERSION)|; s|@LIBS_PRIVATE@|$(PC_LIBS_PRIVATE)|' \
	    port/posix/stc.pc.in >$(DESTDIR)$(PCDIR)/stc.pc
	chmod 644 $(DESTDIR)$(PCDIR)/stc.pc
	install -m 644 port/posix/starttls-check.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 644 port/posix/starttls-check.bash $(DESTDIR)$(BASHCOMPDIR)/starttls-check
	# the dynamic linker's cache, on a real install by root (not when staging)
	if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" -eq 0 ]; then $(LDCONFIG) || true; fi

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/starttls-check
	rm -f $(addprefix $(DESTDIR)$(INCLUDEDIR)/stc/,$(notdir $(INSTALL_HDR)))
	rmdir $(DESTDIR)$(INCLUDEDIR)/stc 2>/dev/null || true
	rm -f $(DESTDIR)$(LIBDIR)/libstc.a $(DESTDIR)$(LIBDIR)/libstc.so \
	    $(DESTDIR)$(LIBDIR)/$(SONAME) $(DESTDIR)$(LIBDIR)/$(notdir $(SHLIB))
	rm -f $(DESTDIR)$(PCDIR)/stc.pc $(DESTDIR)$(MANDIR)/man1/starttls-check.1 \
	    $(DESTDIR)$(BASHCOMPDIR)/starttls-check

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
