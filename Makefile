# gupbench: what get_user_pages / pin_user_pages cost on this kernel.
#
#   make deps   install packages (Debian) and build libperf into .deps/
#   make        build build/gupbench
#   make run    deps + build + the quick matrix on the running kernel
#   make test   deps + build + every test; ends with "N passed, N failed"
#   make asan   the unit tests under ASan and UBSan (build-asan/)

CC      ?= gcc
CXX     ?= g++
PREFIX_DEPS := $(CURDIR)/.deps/prefix
PKGS    := liburing hwloc inih jansson benchmark numa
REV     := $(shell git -C $(CURDIR) describe --always --dirty 2>/dev/null || echo unknown)
GBVER   := $(shell pkg-config --modversion benchmark 2>/dev/null || echo unknown)

CPPFLAGS += -Ibenches -Irunners -I$(PREFIX_DEPS)/include -D_GNU_SOURCE \
	    -DGUPBENCH_REV='"$(REV)"' -MMD -MP
CFLAGS   ?= -O2 -g
CFLAGS   += -std=gnu11 -Wall -Wextra -Wno-unused-parameter
CXXFLAGS ?= -O2 -g
CXXFLAGS += -std=c++17 -Wall -Wextra -DGBSHIM_LIB_VERSION='"$(GBVER)"'
LDLIBS   += $(PREFIX_DEPS)/lib/libperf.a $(PREFIX_DEPS)/lib/libapi.a \
	    $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm

B := build
LIB_SRCS := $(filter-out runners/gupbench.c, $(wildcard benches/*.c runners/*.c))
LIB_OBJS := $(LIB_SRCS:%.c=$(B)/%.o) $(B)/benches/gbshim.o
UNIT     := $(patsubst tests/unit/%.c,$(B)/tests/unit/%,$(wildcard tests/unit/test_*.c))
SYS_C    := $(patsubst tests/sys/%.c,$(B)/tests/sys/%,$(wildcard tests/sys/test_*.c))

all: $(B)/gupbench $(UNIT) $(SYS_C)

$(B)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(B)/benches/gbshim.o: benches/gbshim.cc
	@mkdir -p $(@D)
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) -c $< -o $@

# meta.c records gupbench's revision: rebuild it whenever `git describe`
# changes (a commit, a dirty tree), not only when meta.c does.
$(B)/revision: FORCE
	@mkdir -p $(@D)
	@echo '$(REV)' | cmp -s - $@ || echo '$(REV)' >$@
$(B)/runners/meta.o: $(B)/revision

$(B)/libgupbench.a: $(LIB_OBJS)
	$(AR) rcs $@ $^

$(B)/gupbench: $(B)/runners/gupbench.o $(B)/libgupbench.a
	$(CXX) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/tests/%: $(B)/tests/%.o $(B)/libgupbench.a
	$(CXX) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcmocka

deps:
	@bash scripts/deps.sh

run: deps
	@$(MAKE) --no-print-directory all
	$(B)/gupbench run configs/quick.ini

test: deps
	@$(MAKE) --no-print-directory all
	@bash tests/run.sh

# The unit tests (config, CSV, statistics, compare, probe logic) and the
# analysis's end-to-end tests on fixture runs (compare, report, history)
# under AddressSanitizer and UndefinedBehaviorSanitizer, in build-asan/.
SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
asan: deps
	@$(MAKE) --no-print-directory B=build-asan CFLAGS="-O1 -g $(SAN)" \
		CXXFLAGS="-O1 -g $(SAN)" LDFLAGS="$(SAN)" all
	@bash tests/run.sh --sanitized build-asan

clean:
	rm -rf $(B) build-asan

.PHONY: all deps run test asan clean FORCE
-include $(shell find $(B) -name '*.d' 2>/dev/null)
