#!/usr/bin/env bash
# Runs a command inside a private desktop session, as the tests need it on a
# machine with no display: an Xvfb display, a D-Bus session bus, and an
# unlocked gnome-keyring answering the Secret Service API. Everything it
# starts is private to this run and stopped when the command ends.
#
#   tests/with-desktop.sh cargo test --workspace
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: $0 COMMAND [ARG...]" >&2
  exit 2
fi

if [ -z "${TESSERA_DESKTOP_SESSION:-}" ]; then
  export TESSERA_DESKTOP_SESSION=1
  exec dbus-run-session -- "$0" "$@"
fi

session_dir=$(mktemp -d -t tessera-desktop.XXXXXX)
xvfb_pid=""
cleanup() {
  if [ -n "$xvfb_pid" ]; then kill "$xvfb_pid" 2>/dev/null || true; fi
  if [ -n "${GNOME_KEYRING_PID:-}" ]; then kill "$GNOME_KEYRING_PID" 2>/dev/null || true; fi
  # The document portal (started on demand by GTK) mounts a FUSE file system
  # in the runtime folder; unmount it so the folder can go.
  if mountpoint -q "$session_dir/runtime/doc" 2>/dev/null; then
    fusermount -uz "$session_dir/runtime/doc" 2>/dev/null || umount -l "$session_dir/runtime/doc" 2>/dev/null || true
  fi
  rm -rf "$session_dir" 2>/dev/null || true
}
trap cleanup EXIT

# A display of its own: Xvfb picks a free number and writes it to fd 3.
Xvfb -displayfd 3 -screen 0 1920x1080x24 -nolisten tcp -noreset 3>"$session_dir/display" 2>"$session_dir/xvfb.log" &
xvfb_pid=$!
for _ in $(seq 1 100); do
  [ -s "$session_dir/display" ] && break
  sleep 0.1
done
if [ ! -s "$session_dir/display" ]; then
  echo "with-desktop: Xvfb did not start:" >&2
  cat "$session_dir/xvfb.log" >&2
  exit 1
fi
export DISPLAY=":$(head -n1 "$session_dir/display")"
unset WAYLAND_DISPLAY

# A keyring of its own, created and unlocked without a prompt. HOME stays as
# it is (cargo and rustup live there); only the XDG folders move.
mkdir -p "$session_dir/data" "$session_dir/config" "$session_dir/runtime"
chmod 700 "$session_dir/runtime"
export XDG_DATA_HOME="$session_dir/data" XDG_CONFIG_HOME="$session_dir/config" XDG_RUNTIME_DIR="$session_dir/runtime"
eval "$(printf 'tessera-test' | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL GNOME_KEYRING_PID 2>/dev/null || true
# The desktop portal's backends: GTK's (and the keyring's), as on a desktop
# other than GNOME. GNOME's backend is installed for the Wayland tests, which
# run it on a compositor and bus of their own; here xdg-desktop-portal 1.16
# would pick it (it has no portals.conf) though no GNOME Shell runs.
mkdir -p "$session_dir/portals"
for portal in gtk gnome-keyring; do
  if [ -e "/usr/share/xdg-desktop-portal/portals/$portal.portal" ]; then
    ln -s "/usr/share/xdg-desktop-portal/portals/$portal.portal" "$session_dir/portals/"
  fi
done
export XDG_DESKTOP_PORTAL_DIR="$session_dir/portals"
# Services D-Bus starts on demand (the desktop portal, for one) must see the
# same display, folders and portal backends.
dbus-update-activation-environment DISPLAY XDG_DATA_HOME XDG_CONFIG_HOME XDG_RUNTIME_DIR XDG_DESKTOP_PORTAL_DIR 2>/dev/null || true

echo "with-desktop: DISPLAY=$DISPLAY, D-Bus session and gnome-keyring running" >&2
status=0
"$@" || status=$?
cleanup
trap - EXIT
exit "$status"
