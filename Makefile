# Tessera's two entry points, per the README's Quick start:
#   make run    installs what is missing (Debian packages, npm packages), builds and starts the app
#   make test   installs what the tests need, then runs every check and test
# Both work on a fresh Debian/Ubuntu machine, as root or through sudo.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# Builds live outside the clone so CI runs on the same machine reuse them;
# nothing depends on that cache being there.
export CARGO_TARGET_DIR ?= $(HOME)/.cache/tessera/target
export CARGO_TERM_COLOR ?= never
export DEBIAN_FRONTEND := noninteractive

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
CARGO ?= cargo
NPM ?= npm

# What building and running the app needs, and what the tests add to that.
# (libclang-dev: nokhwa generates its V4L2 webcam bindings with it; screen
# capture is pure Rust and needs no library)
APT_BUILD := build-essential pkg-config curl libwebkit2gtk-4.1-dev libssl-dev librsvg2-dev libxdo-dev libayatana-appindicator3-dev \
             libdbus-1-dev libclang-dev
APT_TEST := xvfb xauth x11-utils webkit2gtk-driver gnome-keyring dbus dbus-x11 libsecret-tools \
            xdotool xclip imagemagick python3-dbus python3-gi oathtool zbar-tools hyperfine syncthing keepassxc man-db appstream zsh fish \
            zenity desktop-file-utils \
            mutter xdg-desktop-portal xdg-desktop-portal-gnome at-spi2-core gir1.2-atspi-2.0 gir1.2-gtk-3.0

.PHONY: help run test bench bindings package package-check cli install-cli deps-build deps-test ui ui-check rust-check

help:
	@echo "make run      install what is missing, build and start Tessera"
	@echo "make test     install test tools, run every check and test"
	@echo "make bench    print benchmark tables (release build)"
	@echo "make bindings regenerate ui/src/bindings.ts from the Rust types"
	@echo "make package  build a .deb and an .rpm of the app and the CLI"
	@echo "make package-check  build it, install it with apt, start it, remove it"
	@echo "make cli      build the tessera CLI (static) and print where it is"
	@echo "make install-cli  copy it to \$$PREFIX/bin (default ~/.local/bin)"

# Installs only the Debian packages that are missing, so a ready machine
# never calls apt.
define apt_install
	@missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}\n' "$$p" 2>/dev/null | grep -q '^install ok installed' || echo "$$p"; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:" $$missing; \
	  $(SUDO) apt-get update -qq; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi
endef

deps-build:
	$(call apt_install,$(APT_BUILD))
	@command -v cargo >/dev/null || { echo "cargo is missing: install Rust from your distribution or rustup" >&2; exit 1; }
	@command -v npm >/dev/null || { echo "npm is missing: apt-get install nodejs npm" >&2; exit 1; }

deps-test: deps-build
	$(call apt_install,$(APT_TEST))
	@command -v tauri-driver >/dev/null || $(CARGO) install tauri-driver --locked
	@command -v cargo-deny >/dev/null || $(CARGO) install cargo-deny --locked

ui/node_modules/.package-lock.json: ui/package-lock.json
	cd ui && $(NPM) ci --no-audit --no-fund
	@touch $@

# The app embeds ui/dist, so the UI is built before any cargo build of the app.
ui: ui/node_modules/.package-lock.json
	cd ui && $(NPM) run build

run: deps-build ui
	$(CARGO) run -p tessera-app

ui-check: ui/node_modules/.package-lock.json
	cd ui && $(NPM) run typecheck && $(NPM) run lint && $(NPM) test

rust-check: deps-test ui
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings
	# cargo-deny reads the metadata of every platform's crates, which a build
	# here never downloads: fetch them first, or a fresh machine fails offline.
	$(CARGO) fetch --locked
	$(CARGO) deny --offline check licenses bans sources

# The page's TypeScript declarations of every command and payload, from the
# Rust types (src-tauri/ipc.rs). `make test` fails while they are stale.
bindings:
	TESSERA_WRITE_BINDINGS=1 $(CARGO) test --locked -p tessera-app --lib ipc::tests::the_typescript_bindings_are_current

# The fuzz crate is its own workspace (cargo-fuzz's layout); its tests
# replay the committed seeds and every input a fuzzer once failed on.
test: deps-test ui-check rust-check
	tests/with-desktop.sh $(CARGO) test --workspace --locked --no-fail-fast
	$(CARGO) test --manifest-path fuzz/Cargo.toml --locked

# The CLI as shipped: statically linked and position-dependent, so a
# `tessera gen` in a tester's loop starts without the dynamic loader and
# without relocating itself; that halves its start-up, which is most of its
# run time (crates/cli/benches/gen.rs compares it with oathtool). Only the
# CLI: the app links WebKitGTK and cannot be static.
HOST_TARGET := $(shell rustc -vV 2>/dev/null | sed -n 's/^host: //p')
STATIC_CLI := $(CARGO_TARGET_DIR)/static/$(HOST_TARGET)/release/tessera
PREFIX ?= $(HOME)/.local

cli: deps-build
	RUSTFLAGS="-C target-feature=+crt-static -C relocation-model=static" \
	  $(CARGO) build --release --locked -p tessera-cli --target $(HOST_TARGET) \
	  --target-dir $(CARGO_TARGET_DIR)/static
	@echo "built $(STATIC_CLI)"

install-cli: cli
	install -Dm755 $(STATIC_CLI) $(PREFIX)/bin/tessera
	@echo "installed $(PREFIX)/bin/tessera"

# zxing-cpp's Python package is a peer in the QR decoding table. The app's
# launch, memory and list timings run as an ignored release test under Xvfb.
# The gen bench measures the shipped (static) CLI beside cargo's build.
bench: deps-test ui cli
	@python3 -c 'import zxingcpp' 2>/dev/null || python3 -m pip install --quiet zxing-cpp || echo "zxing-cpp not installed: its column is left out"
	TESSERA_STATIC_CLI=$(STATIC_CLI) $(CARGO) bench --workspace --locked
	tests/with-desktop.sh $(CARGO) test --release --locked -p tessera-app --test e2e app::bench -- --ignored --nocapture

# A .deb of the app through the Tauri bundler. Its CLI comes from crates.io
# (cargo-tauri), not npm: the registry these machines reach lacks the macOS
# and Windows builds of @tauri-apps/cli, and `npm ci` refuses a lock file
# without them. The package carries the `tessera` CLI too (the static build),
# with its man pages and shell completions, generated here by the CLI itself
# into $(PACKAGING) (outside git) for tauri.conf.json's
# bundle.linux.deb.files to pick up; packaging/ holds what is written by hand.
PACKAGING := target/packaging

package: deps-build ui cli
	@command -v cargo-tauri >/dev/null || $(CARGO) install tauri-cli --version '^2' --locked
	rm -rf $(PACKAGING)
	mkdir -p $(PACKAGING)/man1 $(PACKAGING)/completions
	install -m755 $(STATIC_CLI) $(PACKAGING)/tessera
	$(PACKAGING)/tessera man --dir $(PACKAGING)/man1 >/dev/null
	gzip -9n $(PACKAGING)/man1/*.1
	$(PACKAGING)/tessera completions bash >$(PACKAGING)/completions/tessera.bash
	$(PACKAGING)/tessera completions zsh >$(PACKAGING)/completions/_tessera
	$(PACKAGING)/tessera completions fish >$(PACKAGING)/completions/tessera.fish
	$(CARGO) tauri build --bundles deb,rpm

# The .deb as a user meets it: metadata and files checked, installed with
# apt (which pulls its dependencies), started on a private display until
# its window shows, removed again; the .rpm's metadata and files read with
# rpm (Debian's `rpm` package). Needs root or sudo.
package-check: package deps-test
	$(call apt_install,rpm cpio)
	tests/deb-check.sh
	tests/rpm-check.sh
