# board.mk - boards/mps2-an386: the bare-metal firmware for QEMU's mps2-an386
#
# Included by the top-level Makefile after its own variables (BUILD, WARN,
# CORE_SRC):
#
#     -include boards/mps2-an386/board.mk
#
# Targets:
#     make mps2             both images (fetches Debian's wolfssl and lwip
#                           source packages into $(BUILD)/src-pkgs/ once,
#                           with boards/cortex-m4/build_image.sh --fetch)
#     make mps2-host        $(BUILD)/mps2-an386/host/stc-mps2.elf: the
#                           host's limits (boards/linux-host), for the diff
#                           against the POSIX CLI (tests/integration/qemu_lab.sh)
#     make mps2-board       $(BUILD)/mps2-an386/board/stc-mps2.elf: the
#                           appliance limits (boards/cortex-m4), RAM held to
#                           80 KB by the linker (mps2-board.ld); measured by
#                           make bench-mem (boards/mps2-an386/bench_mps2.sh)
#     make mps2-size        flash and RAM of each image by component
#
# Every object of an image is built for the profile: the core (src/*.c,
# C99, the project's warnings as errors) against stc_config.h, wolfSSL
# 5.5.4 against user_settings.h, lwIP 2.1.3 (core, IPv4, Ethernet: no
# netconn/sockets API) against lwipopts.h, port/lwip-raw and this
# directory's board code - all with -mcpu=cortex-m4 -mthumb -Os, one
# section per function and datum, linked with newlib-nano and
# --gc-sections. The profile is the macro STC_MPS2_HOST_LIMITS (those
# three headers switch on it); the two sets of objects never mix.
#
# Nothing here is part of `make` (all): building wolfSSL twice takes a few
# minutes and the sources come from the Debian mirror the first time.

MPS2_CROSS  ?= arm-none-eabi-
MPS2_DIR    := boards/mps2-an386
MPS2_BUILD  := $(BUILD)/mps2-an386
MPS2_SRCPKG := $(BUILD)/src-pkgs
MPS2_WS     := $(MPS2_SRCPKG)/wolfssl
MPS2_LW     := $(MPS2_SRCPKG)/lwip
MPS2_ARCH   := -mcpu=cortex-m4 -mthumb -mfloat-abi=soft
MPS2_COPT   := $(MPS2_ARCH) -Os -g -ffunction-sections -fdata-sections -fstack-usage
MPS2_HDR    := $(MPS2_DIR)/stc_config.h $(MPS2_DIR)/user_settings.h $(MPS2_DIR)/lwipopts.h \
               $(MPS2_DIR)/arch/cc.h boards/cortex-m4/user_settings.h \
               boards/cortex-m4/stc_config.h boards/linux-host/stc_config.h

# Per profile: macros, linker script. BOARD_ARENA_SIZE and BOARD_CA_MAX
# are main.c's buffers (the host profile's arena lives in PSRAM).
# MPS2_BOARD_DEFS / MPS2_BOARD_LDFLAGS add to the board profile (bench_mps2.sh
# builds its variants with them, each in a BUILD of its own).
MPS2_DEF_host  := -DSTC_MPS2_HOST_LIMITS -DBOARD_ARENA_SIZE=8388608 -DBOARD_CA_MAX=262144
MPS2_DEF_board := $(MPS2_BOARD_DEFS)
MPS2_LDF_board := $(MPS2_BOARD_LDFLAGS)
MPS2_LD_host   := $(MPS2_DIR)/mps2-host.ld
MPS2_LD_board  := $(MPS2_DIR)/mps2-board.ld

MPS2_WS_SRC := $(addprefix src/,internal.c ssl.c tls.c tls13.c keys.c wolfio.c) \
               $(patsubst $(MPS2_WS)/%,%,$(wildcard $(MPS2_WS)/wolfcrypt/src/*.c))
MPS2_LW_SRC := $(patsubst $(MPS2_LW)/%,%,$(wildcard $(MPS2_LW)/src/core/*.c \
               $(MPS2_LW)/src/core/ipv4/*.c)) src/netif/ethernet.c
MPS2_OWN_SRC := port/lwip-raw/port_lwip_raw.c $(MPS2_DIR)/board.c $(MPS2_DIR)/lan9118.c \
                $(MPS2_DIR)/main.c

.PHONY: mps2 mps2-fetch mps2-host mps2-board mps2-size

mps2: mps2-fetch
	$(MAKE) --no-print-directory BUILD=$(BUILD) mps2-host mps2-board

# The sources: boards/cortex-m4/build_image.sh's fetch step (private apt
# configuration, nothing of the system's touched); a no-op once there.
mps2-fetch:
	@sh boards/cortex-m4/build_image.sh --fetch $(BUILD) >/dev/null

# mps2_profile P - the objects, library archives and image of profile P
define mps2_profile
MPS2_$(1)_WS_OBJ  := $$(MPS2_WS_SRC:%.c=$(MPS2_BUILD)/$(1)/wolfssl/%.o)
MPS2_$(1)_LW_OBJ  := $$(MPS2_LW_SRC:%.c=$(MPS2_BUILD)/$(1)/lwip/%.o)
MPS2_$(1)_CORE_OBJ := $$(CORE_SRC:%.c=$(MPS2_BUILD)/$(1)/%.o)
MPS2_$(1)_OWN_OBJ := $$(MPS2_OWN_SRC:%.c=$(MPS2_BUILD)/$(1)/%.o)
MPS2_$(1)_ELF     := $(MPS2_BUILD)/$(1)/stc-mps2.elf

mps2-$(1): $$(MPS2_$(1)_ELF)

$(MPS2_BUILD)/$(1)/wolfssl/%.o: $(MPS2_WS)/%.c $(MPS2_HDR)
	@mkdir -p $$(dir $$@)
	$(MPS2_CROSS)gcc $(MPS2_COPT) -w $(MPS2_DEF_$(1)) -DWOLFSSL_USER_SETTINGS \
	    -I$(MPS2_DIR) -I$(MPS2_WS) -c $$< -o $$@

$(MPS2_BUILD)/$(1)/lwip/%.o: $(MPS2_LW)/%.c $(MPS2_HDR)
	@mkdir -p $$(dir $$@)
	$(MPS2_CROSS)gcc $(MPS2_COPT) -std=gnu11 -w $(MPS2_DEF_$(1)) -I$(MPS2_DIR) \
	    -I$(MPS2_LW)/src/include -c $$< -o $$@

# the core: C99 and the project's warnings, as on every target
$(MPS2_BUILD)/$(1)/src/%.o: src/%.c $(MPS2_HDR)
	@mkdir -p $$(dir $$@)
	$(MPS2_CROSS)gcc $(MPS2_COPT) -std=c99 $(WARN) $(MPS2_DEF_$(1)) -DWOLFSSL_USER_SETTINGS \
	    -Iinclude -Iinclude/stc -I$(MPS2_DIR) -Isrc -I$(MPS2_WS) -MMD -MP -c $$< -o $$@

# the port and the board: gnu11 for lwIP's headers
$(MPS2_BUILD)/$(1)/%.o: %.c $(MPS2_HDR) $(MPS2_DIR)/board.h port/lwip-raw/stc_lwip_raw.h
	@mkdir -p $$(dir $$@)
	$(MPS2_CROSS)gcc $(MPS2_COPT) -std=gnu11 $(WARN) $(MPS2_DEF_$(1)) -Iinclude -Iinclude/stc \
	    -I$(MPS2_DIR) -Iport/lwip-raw -I$(MPS2_LW)/src/include -MMD -MP -c $$< -o $$@

$(MPS2_BUILD)/$(1)/libwolfssl.a: $$(MPS2_$(1)_WS_OBJ)
	rm -f $$@ && $(MPS2_CROSS)ar rcs $$@ $$^
$(MPS2_BUILD)/$(1)/liblwip.a: $$(MPS2_$(1)_LW_OBJ)
	rm -f $$@ && $(MPS2_CROSS)ar rcs $$@ $$^
$(MPS2_BUILD)/$(1)/libstc.a: $$(MPS2_$(1)_CORE_OBJ)
	rm -f $$@ && $(MPS2_CROSS)ar rcs $$@ $$^

$$(MPS2_$(1)_ELF): $$(MPS2_$(1)_OWN_OBJ) $(MPS2_BUILD)/$(1)/libstc.a \
        $(MPS2_BUILD)/$(1)/libwolfssl.a $(MPS2_BUILD)/$(1)/liblwip.a $(MPS2_LD_$(1)) $(MPS2_DIR)/mps2.ld
	$(MPS2_CROSS)gcc $(MPS2_ARCH) -T $(MPS2_LD_$(1)) -L$(MPS2_DIR) -nostartfiles $(MPS2_LDF_$(1)) \
	    --specs=nano.specs --specs=nosys.specs -Wl,--gc-sections -Wl,--no-warn-rwx-segments \
	    -Wl,-Map=$(MPS2_BUILD)/$(1)/image.map -o $$@ $$(MPS2_$(1)_OWN_OBJ) \
	    $(MPS2_BUILD)/$(1)/libstc.a $(MPS2_BUILD)/$(1)/libwolfssl.a \
	    $(MPS2_BUILD)/$(1)/liblwip.a -lm -lc_nano -lgcc
endef
$(eval $(call mps2_profile,host))
$(eval $(call mps2_profile,board))

mps2-size: mps2
	@for p in host board; do echo "$$p profile:"; \
	    $(MPS2_CROSS)size $(MPS2_BUILD)/$$p/stc-mps2.elf; \
	    python3 $(MPS2_DIR)/mapsize.py $(MPS2_BUILD)/$$p/image.map; done

# The port's host test (port/lwip-raw/test): lwIP NO_SYS=1 built for this
# machine with the loopback netif, the port against raw-API servers on
# 127.0.0.1, a fake clock. Needs only the lwip source package.
LWRT_BUILD  := $(BUILD)/lwip-raw-test
LWRT_LW_OBJ := $(MPS2_LW_SRC:%.c=$(LWRT_BUILD)/lwip/%.o)
LWRT_BIN    := $(LWRT_BUILD)/test_lwip_raw
.PHONY: test-lwip-raw

$(LWRT_BUILD)/lwip/%.o: $(MPS2_LW)/%.c port/lwip-raw/test/lwipopts.h port/lwip-raw/test/arch/cc.h
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O1 -g -w $(SAN) -Iport/lwip-raw/test -I$(MPS2_LW)/src/include -c $< -o $@

$(LWRT_BIN): port/lwip-raw/test/test_lwip_raw.c port/lwip-raw/port_lwip_raw.c \
        port/lwip-raw/stc_lwip_raw.h $(LWRT_LW_OBJ)
	$(CC) -std=gnu11 -O1 -g $(WARN) $(SAN) -Iinclude -Iinclude/stc -Iboards/linux-host \
	    -Iport/lwip-raw -Iport/lwip-raw/test -I$(MPS2_LW)/src/include -o $@ \
	    port/lwip-raw/test/test_lwip_raw.c port/lwip-raw/port_lwip_raw.c $(LWRT_LW_OBJ)

test-lwip-raw: mps2-fetch
	@$(MAKE) --no-print-directory -s BUILD=$(BUILD) $(LWRT_BIN) && $(LWRT_BIN)
