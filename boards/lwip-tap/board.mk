# board.mk - build rules for starttls-check-lwip (boards/lwip-tap)
#
# Meant to be included by the top-level Makefile after its own variables
# (CC, CFLAGS, LDFLAGS, BUILD, CORE_SRC, WARN, WOLF_LIBS):
#
#     -include boards/lwip-tap/board.mk
#     all: $(LWIP_TAP_ALL)          (empty when lwIP is not installed)
#
# It can also be tried without touching the Makefile:
#
#     make -f Makefile -f boards/lwip-tap/board.mk build/starttls-check-lwip
#
# What it does and why:
# - The core (src/*.c) is compiled again with THIS board's stc_config.h:
#   the layout of stc_check_t depends on STC_MAX_CONN/STC_MAX_DNS, so
#   objects built for linux-host must not be mixed in. They go to their own
#   directory and library, $(BUILD)/lwip-tap/libstc.a, still as C99.
# - port/lwip/port_lwip.c and boards/lwip-tap/main.c include lwIP headers,
#   which need -std=gnu11 (under strict C99/C11 lwip/arch.h redefines
#   ssize_t); the -std= of CFLAGS is replaced for them.
# - Flags: `pkg-config --cflags --libs lwip` (-I/usr/include/lwip -llwip),
#   -lpthread (lwIP's unix port runs the tcpip and tapif threads), wolfSSL.
#   No libidn2: this program takes A-labels only.

HAVE_LWIP := $(shell pkg-config --exists lwip 2>/dev/null && echo 1)

LWIP_TAP_DIR      := boards/lwip-tap
LWIP_TAP_BUILD    := $(BUILD)/lwip-tap
LWIP_TAP_CPPFLAGS := -Iinclude -Iinclude/stc -I$(LWIP_TAP_DIR) -Isrc -Iport/lwip
LWIP_CFLAGS       := $(shell pkg-config --cflags lwip 2>/dev/null)
LWIP_LIBS         := $(shell pkg-config --libs lwip 2>/dev/null || echo -llwip) -lpthread
LWIP_TAP_CORE_OBJ := $(CORE_SRC:%.c=$(LWIP_TAP_BUILD)/%.o)
LWIP_TAP_LIB      := $(LWIP_TAP_BUILD)/libstc.a
LWIP_TAP_SRC      := $(LWIP_TAP_DIR)/main.c port/lwip/port_lwip.c
LWIP_TAP_HDR      := $(LWIP_TAP_DIR)/stc_config.h port/lwip/stc_lwip.h
LWIP_TAP_BIN      := $(BUILD)/starttls-check-lwip
LWIP_TAP_ALL      := $(if $(HAVE_LWIP),$(LWIP_TAP_BIN))

.PHONY: lwip-tap
lwip-tap: $(LWIP_TAP_BIN)

# The core again, against this board's limits (C99 as everywhere).
$(LWIP_TAP_BUILD)/src/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(LWIP_TAP_CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(LWIP_TAP_LIB): $(LWIP_TAP_CORE_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

# The port and the board's main: gnu11 for lwIP's headers.
$(LWIP_TAP_BIN): $(LWIP_TAP_SRC) $(LWIP_TAP_HDR) $(LWIP_TAP_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LWIP_TAP_CPPFLAGS) $(LWIP_CFLAGS) $(filter-out -std=%,$(CFLAGS)) -std=gnu11 \
	    $(LDFLAGS) -o $@ $(LWIP_TAP_SRC) $(LWIP_TAP_LIB) $(LWIP_LIBS) $(WOLF_LIBS)
