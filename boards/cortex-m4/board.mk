# board.mk - cross build of the core for boards/cortex-m4 (arm-none-eabi-gcc)
#
# Included by the top-level Makefile after its own variables (BUILD, WARN,
# CORE_SRC):
#
#     -include boards/cortex-m4/board.mk
#
# Targets:
#     make cross            the core (src/*.c) and port/lwip/port_lwip.c for
#                           the board, in $(BUILD)/cortex-m4/ (also part of
#                           `make` when the cross compiler is installed)
#     make size-cortex-m4   text/data/bss per object and the total
#     make image-cortex-m4  a linked firmware image with wolfSSL and lwIP
#                           built from Debian's source packages
#                           (boards/cortex-m4/build_image.sh; fetches them
#                           into $(BUILD)/src-pkgs/, needs the network)
#
# What it does and why:
# - Every core object is compiled again with this board's stc_config.h
#   (the layout of stc_check_t depends on it) and for the target:
#   -mcpu=cortex-m4 -mthumb -Os, one section per function and datum so a
#   firmware link can drop what it does not call, warnings are errors.
# - tls.c, cert.c and arena.c include wolfSSL's headers through src/wolf.h:
#   -DWOLFSSL_USER_SETTINGS makes them read boards/cortex-m4/user_settings.h
#   instead of the host library's <wolfssl/options.h>. The headers are
#   Debian's (/usr/include/wolfssl, the same 5.5.4 as the source package),
#   reached through a symlink in $(BUILD)/cortex-m4/inc: -I/usr/include
#   would put glibc's headers in front of newlib's.
# - port_lwip.c gets the board's lwipopts.h and arch/ headers (first on the
#   include path) and lwIP's own headers from /usr/include/lwip (Debian's
#   liblwip-dev, 2.1.3); -std=gnu11 as lwIP's headers want.
# - Nothing here links: an image needs wolfSSL and lwIP built for the
#   target, which build_image.sh does.

CM4_CROSS    ?= arm-none-eabi-
CM4_CC       := $(CM4_CROSS)gcc
CM4_SIZE     := $(CM4_CROSS)size
HAVE_CM4     := $(shell command -v $(CM4_CC) >/dev/null 2>&1 && echo 1)
CM4_DIR      := boards/cortex-m4
CM4_BUILD    := $(BUILD)/cortex-m4
CM4_WOLF_HDR ?= /usr/include/wolfssl
CM4_LWIP_HDR ?= /usr/include/lwip
CM4_ARCH     := -mcpu=cortex-m4 -mthumb
CM4_CFLAGS   := $(CM4_ARCH) -Os -ffunction-sections -fdata-sections $(WARN)
CM4_CPPFLAGS := -Iinclude -Iinclude/stc -I$(CM4_DIR) -Isrc -DWOLFSSL_USER_SETTINGS \
                -I$(CM4_BUILD)/inc
CM4_HDR      := $(CM4_DIR)/stc_config.h $(CM4_DIR)/user_settings.h
CM4_CORE_OBJ := $(CORE_SRC:%.c=$(CM4_BUILD)/%.o)
CM4_PORT_OBJ := $(if $(wildcard $(CM4_LWIP_HDR)/lwip/opt.h),$(CM4_BUILD)/port/lwip/port_lwip.o)
CM4_OBJ      := $(CM4_CORE_OBJ) $(CM4_PORT_OBJ)
CM4_LIB      := $(CM4_BUILD)/libstc.a
CM4_ALL      := $(if $(HAVE_CM4),$(if $(wildcard $(CM4_WOLF_HDR)/ssl.h),$(CM4_LIB) $(CM4_PORT_OBJ)))

.PHONY: cross size-cortex-m4 image-cortex-m4
all: $(CM4_ALL)

cross: $(CM4_LIB) $(CM4_PORT_OBJ)

# wolfSSL's headers without the rest of /usr/include.
$(CM4_BUILD)/inc/wolfssl:
	@mkdir -p $(dir $@)
	ln -sfn $(CM4_WOLF_HDR) $@

# The core, C99 as everywhere, for the target and against this board's limits.
$(CM4_BUILD)/src/%.o: src/%.c $(CM4_HDR) | $(CM4_BUILD)/inc/wolfssl
	@mkdir -p $(dir $@)
	$(CM4_CC) $(CM4_CPPFLAGS) -std=c99 $(CM4_CFLAGS) -MMD -MP -c $< -o $@

$(CM4_LIB): $(CM4_CORE_OBJ)
	rm -f $@ && $(CM4_CROSS)ar rcs $@ $^

# The lwIP port: the board's lwipopts.h and arch/ first, then lwIP's headers.
$(CM4_BUILD)/port/lwip/port_lwip.o: port/lwip/port_lwip.c port/lwip/stc_lwip.h \
        $(CM4_DIR)/stc_config.h $(CM4_DIR)/lwipopts.h $(CM4_DIR)/arch/cc.h $(CM4_DIR)/arch/sys_arch.h
	@mkdir -p $(dir $@)
	$(CM4_CC) $(CM4_CPPFLAGS) -Iport/lwip -I$(CM4_LWIP_HDR) -std=gnu11 $(CM4_CFLAGS) \
	    -MMD -MP -c $< -o $@

# Flash (text + data) and RAM (data + bss) of each object, and the sum.
# These are upper bounds: a firmware link with --gc-sections keeps only
# what is called (image-cortex-m4 prints the linked figures).
size-cortex-m4: $(CM4_OBJ)
	@echo "cortex-m4 objects ($(CM4_ARCH) -Os; flash = text + data, RAM = data + bss):"
	@$(CM4_SIZE) -t $(CM4_OBJ) | sed 's|$(CM4_BUILD)/||'

image-cortex-m4:
	sh $(CM4_DIR)/build_image.sh $(BUILD)
