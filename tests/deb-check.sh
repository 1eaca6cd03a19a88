#!/usr/bin/env bash
# Checks the .deb that `make package` builds the way a user meets it: its
# metadata and files (the AppStream metainfo validated), then installs it
# with apt (which pulls its dependencies), runs the `tessera` CLI and finds
# its man pages and completions, starts the installed app on a private
# display, waits for the Tessera window, and uninstalls it again. Needs root or sudo, and the test
# tools `make test` installs (Xvfb, dbus, gnome-keyring, xdotool).
#
#   tests/deb-check.sh [path/to/tessera.deb]
# Without a path it takes the newest .deb under the Tauri bundle folder.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")

# Second stage, inside tests/with-desktop.sh: start the installed app and
# wait for its window.
if [ "${1:-}" = "--launch" ]; then
  binary=$2
  scratch=$(mktemp -d -t tessera-deb-check.XXXXXX)
  # A vault of its own, so the check never touches the user's.
  TESSERA_VAULT="$scratch/vault.tessera" "$binary" >"$scratch/app.log" 2>&1 &
  app=$!
  window=""
  for _ in $(seq 1 150); do
    window=$(xdotool search --name '^Tessera$' 2>/dev/null | head -n1 || true)
    [ -n "$window" ] && break
    kill -0 "$app" 2>/dev/null || break
    sleep 0.2
  done
  status=0
  if [ -n "$window" ]; then
    echo "window: \"$(xdotool getwindowname "$window")\" (id $window), $(xdotool getwindowgeometry "$window" | grep -o 'Geometry: .*')"
    # The desktop file's StartupWMClass must match, or docks and task
    # bars do not tie the window to its launcher and icon.
    wm_class=$(xprop -id "$window" WM_CLASS | cut -d= -f2)
    echo "WM_CLASS:$wm_class"
    if [ -n "${3:-}" ] && ! grep -q "\"$3\"" <<<"$wm_class"; then
      echo "FAIL: WM_CLASS does not name $3 (the desktop file's StartupWMClass)" >&2
      status=1
    fi
    # Give the page a moment, then check the process is still up (a crash
    # after mapping the window would otherwise pass).
    sleep 2
    if kill -0 "$app" 2>/dev/null; then
      echo "running: pid $app, $(ps -o comm= --ppid "$app" | sort | uniq -c | awk '{printf "%s%s x%s", sep, $2, $1; sep=", "}') as children"
    else
      echo "FAIL: the app exited after showing its window" >&2
      status=1
    fi
  else
    echo "FAIL: no Tessera window within 30 s" >&2
    status=1
  fi
  kill "$app" 2>/dev/null || true
  wait "$app" 2>/dev/null || true
  if [ "$status" -ne 0 ]; then
    echo "--- app output" >&2
    cat "$scratch/app.log" >&2
  fi
  rm -rf "$scratch"
  exit "$status"
fi

SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
deb=${1:-}
if [ -z "$deb" ]; then
  target=${CARGO_TARGET_DIR:-$root/target}
  deb=$(ls -t "$target"/release/bundle/deb/*.deb 2>/dev/null | head -n1 || true)
fi
if [ -z "$deb" ] || [ ! -f "$deb" ]; then
  echo "no .deb found: run \`make package\` first, or give its path" >&2
  exit 2
fi
deb=$(cd "$(dirname "$deb")" && pwd)/$(basename "$deb")
failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

echo "== $deb ($(du -h "$deb" | cut -f1))"
field() { dpkg-deb -f "$deb" "$1"; }
package=$(field Package)
version=$(field Version)
depends=$(field Depends)
for name in Package Version Architecture Installed-Size Depends Section Priority Maintainer Description; do
  printf '%-15s %s\n' "$name:" "$(field "$name" | head -n1)"
done

# What the package should say, from the app's own configuration.
conf() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$root/tauri.conf.json" "$1"; }
expected_version=$(conf version)
app_id=$(conf identifier)
[ "$version" = "$expected_version" ] || fail "version $version, tauri.conf.json says $expected_version"
for dep in libwebkit2gtk-4.1-0 libgtk-3-0 libayatana-appindicator3-1; do
  grep -q "$dep" <<<"$depends" || fail "Depends lacks $dep"
done
[ -n "$(field Description)" ] || fail "no Description"

echo "== files"
# Members as the archive names them ("./usr/..." or "usr/..."), and as paths.
members=$(dpkg-deb -c "$deb" | awk '$1 !~ /^d/ {print $6}')
files=$(sed 's|^\./|/|; s|^\([^/]\)|/\1|' <<<"$members")
echo "$files"
binary=/usr/bin/$(conf mainBinaryName)
grep -qx "$binary" <<<"$files" || fail "no $binary (the app)"
# The CLI beside the app, with what a packaged command line brings.
cli=/usr/bin/tessera
metainfo_path=/usr/share/metainfo/$app_id.metainfo.xml
for path in "$cli" /usr/share/man/man1/tessera.1.gz /usr/share/man/man1/tessera-import.1.gz \
  /usr/share/man/man1/tessera-backup-enable.1.gz \
  /usr/share/bash-completion/completions/tessera /usr/share/zsh/vendor-completions/_tessera \
  /usr/share/fish/vendor_completions.d/tessera.fish "$metainfo_path"; do
  grep -qx "$path" <<<"$files" || fail "no $path"
done
desktop_path=$(grep -m1 '^/usr/share/applications/.*\.desktop$' <<<"$files" || true)
[ -n "$desktop_path" ] || fail "no .desktop file"
grep -q '^/usr/share/icons/hicolor/.*/apps/.*\.png$' <<<"$files" || fail "no icons in the hicolor theme"

if [ -n "$desktop_path" ]; then
  echo "== $desktop_path"
  member=$(grep -m1 "${desktop_path#/}\$" <<<"$members")
  desktop=$(dpkg-deb --fsys-tarfile "$deb" | tar -xO "$member")
  echo "$desktop"
  for key in Name Exec Icon Categories Comment; do
    grep -q "^$key=." <<<"$desktop" || fail "the desktop file has no $key"
  done
  if command -v desktop-file-validate >/dev/null; then
    tmp_desktop=$(mktemp --suffix=.desktop)
    printf '%s\n' "$desktop" >"$tmp_desktop"
    desktop-file-validate "$tmp_desktop" || fail "desktop-file-validate complained"
    rm -f "$tmp_desktop"
  fi
fi

# A member of the package as text.
member_text() {
  local member
  member=$(grep -m1 "${1#/}\$" <<<"$members")
  dpkg-deb --fsys-tarfile "$deb" | tar -xO "$member"
}

if grep -qx "$metainfo_path" <<<"$files"; then
  echo "== $metainfo_path"
  tmp_metainfo=$(mktemp -d)
  member_text "$metainfo_path" >"$tmp_metainfo/$app_id.metainfo.xml"
  command -v appstreamcli >/dev/null || fail "appstreamcli is missing (apt-get install appstream)"
  appstreamcli validate --no-net "$tmp_metainfo/$app_id.metainfo.xml" || fail "appstreamcli validate complained"
  # The metadata names the package's own id, version and launcher.
  metainfo=$(cat "$tmp_metainfo/$app_id.metainfo.xml")
  grep -q "<id>$app_id</id>" <<<"$metainfo" || fail "the metainfo's id is not $app_id"
  grep -q "<release version=\"$expected_version\"" <<<"$metainfo" || fail "the metainfo has no release $expected_version"
  if [ -n "$desktop_path" ]; then
    grep -q "<launchable type=\"desktop-id\">$(basename "$desktop_path")</launchable>" <<<"$metainfo" ||
      fail "the metainfo's launchable is not $(basename "$desktop_path")"
  fi
  rm -rf "$tmp_metainfo"
fi

# Installing over a copy the user already has would lose it on removal.
if dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
  echo "$package is installed already; not touching it. Remove it to run the install check." >&2
  exit 1
fi

echo "== install"
cleanup() {
  echo "== remove"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq "$package" >/dev/null && echo "removed $package"
}
trap cleanup EXIT
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$deb" >/dev/null
dpkg-query -W -f='${Package} ${Version} ${Status}\n' "$package"
[ -x "$binary" ] || fail "$binary is not installed or not executable"
if [ -n "$desktop_path" ] && [ -f "$desktop_path" ]; then
  exec_line=$(grep -m1 '^Exec=' "$desktop_path" | cut -d= -f2- | awk '{print $1}')
  command -v "$exec_line" >/dev/null || fail "the desktop file runs $exec_line, which is not on PATH"
fi

echo "== $cli"
if [ -x "$cli" ]; then
  cli_version=$("$cli" --version) || fail "$cli --version failed"
  echo "$cli_version"
  [ "$cli_version" = "tessera $expected_version" ] || fail "$cli --version says \"$cli_version\", not tessera $expected_version"
  # The shipped build is static: it runs without the dynamic loader.
  file_type=$(file -b "$cli" 2>/dev/null || true)
  [ -z "$file_type" ] || grep -q 'statically linked' <<<"$file_type" || fail "$cli is not the static build: $file_type"
  # A code without a vault: the CLI runs for real.
  # (RFC 6238's first SHA-1 vector.)
  code=$("$cli" gen --secret GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ --time 59 --digits 8) || fail "$cli gen failed"
  [ "$code" = "94287082" ] || fail "$cli gen printed $code, not 94287082"
else
  fail "$cli is not installed or not executable"
fi
for page in tessera tessera-import tessera-backup-enable; do
  where=$(man -w "$page" 2>/dev/null || true)
  echo "man -w $page: ${where:-(none)}"
  [ "$where" = "/usr/share/man/man1/$page.1.gz" ] || fail "man does not find $page(1)"
done
MANPAGER=cat MANWIDTH=100 man tessera-import 2>/dev/null | grep -q -- 'import-key-file' ||
  fail "man tessera-import does not show --import-key-file"
bash -c 'source /usr/share/bash-completion/completions/tessera && complete -p tessera' >/dev/null ||
  fail "the bash completion registers nothing for tessera"

echo "== start $binary"
wm_class=""
if [ -n "$desktop_path" ] && [ -f "$desktop_path" ]; then
  wm_class=$(grep -m1 '^StartupWMClass=' "$desktop_path" | cut -d= -f2- || true)
fi
"$here/with-desktop.sh" "$0" --launch "$binary" "$wm_class" || fail "the installed app did not start as it should"

if [ "$failures" -eq 0 ]; then
  echo "deb check passed"
else
  echo "deb check: $failures failure(s)" >&2
  exit 1
fi
