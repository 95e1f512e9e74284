# starttls-check - build, test, install
#
#   make                  library, CLI (build/starttls-check), unit tests
#   make check            every test the machine can run (see tests/run_all.sh)
#   make unit             unit tests and fuzz-corpus replays only
#   make fuzz FUZZ_SECONDS=60   libFuzzer targets (clang), each for a bounded time
#   make install PREFIX=/usr/local
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

.PHONY: all check unit fuzz install clean smoke-nolibc deps demo check-asan
SERVER    := $(BUILD)/smtp-test-server
DNSSERVER := $(BUILD)/dns-test-server
all: $(CLI) $(UNIT_BIN) $(REPLAY_BIN) $(SERVER) $(DNSSERVER) $(LWIP_TAP_ALL)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

# The CLI needs POSIX and GNU declarations (getaddrinfo, getrandom, ...).
$(BUILD)/port/posix/%.o: CFLAGS += -D_GNU_SOURCE

$(LIB): $(CORE_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

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

fuzz: $(FUZZ_BIN)
	@sh tests/fuzz/run_fuzz.sh $(BUILD) $(FUZZ_SECONDS)

# The core must build with no OS header at all: compile it freestanding
# against the public headers only (wolfSSL's headers are the one exception).
smoke-nolibc:
	@mkdir -p $(BUILD)/smoke
	for f in $(CORE_SRC); do \
	  $(CC) $(CPPFLAGS) -std=c99 $(WARN) -ffreestanding -fsyntax-only $$f || exit 1; done
	@echo "core compiles freestanding"

install: $(CLI)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/include/stc $(DESTDIR)$(PREFIX)/lib
	install -m 755 $(CLI) $(DESTDIR)$(PREFIX)/bin/starttls-check
	install -m 644 include/stc/*.h $(DESTDIR)$(PREFIX)/include/stc/
	# the limits the library was built with: stc_check_t's layout depends on them
	install -m 644 boards/$(BOARD)/stc_config.h $(DESTDIR)$(PREFIX)/include/stc/
	install -m 644 $(LIB) $(DESTDIR)$(PREFIX)/lib/

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
