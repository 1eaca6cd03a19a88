#!/usr/bin/env bash
# Checks the .rpm that `make package` builds beside the .deb (the same
# Tauri bundler, written in Rust: no rpmbuild needed). This Debian machine
# cannot install it, so it reads it with `rpm` (Debian's package): the
# metadata, the dependencies it declares, and the same files the .deb
# carries (the app, the CLI, man pages, completions, desktop file, icons,
# AppStream metainfo). The CLI inside is run from the extracted payload.
#
#   tests/rpm-check.sh [path/to/tessera.rpm]
# Without a path it takes the newest .rpm under the Tauri bundle folder.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
target=${CARGO_TARGET_DIR:-$root/target}
rpm_file=${1:-$(ls -t "$target"/release/bundle/rpm/*.rpm 2>/dev/null | head -n1 || true)}
if [ -z "$rpm_file" ] || [ ! -f "$rpm_file" ]; then
  echo "rpm-check: no .rpm found (run make package)" >&2
  exit 1
fi
command -v rpm >/dev/null && command -v cpio >/dev/null || { echo "rpm-check: rpm and cpio are needed (apt-get install rpm cpio)" >&2; exit 1; }

echo "rpm-check: $rpm_file"
rpm -qp --qf 'name=%{NAME} version=%{VERSION} release=%{RELEASE} arch=%{ARCH} license=%{LICENSE}\n' "$rpm_file" 2>/dev/null
files=$(rpm -qpl "$rpm_file" 2>/dev/null)
requires=$(rpm -qp --requires "$rpm_file" 2>/dev/null)
status=0
for wanted in /usr/bin/tessera-app /usr/bin/tessera \
  /usr/share/man/man1/tessera.1.gz /usr/share/man/man1/tessera-import.1.gz \
  /usr/share/bash-completion/completions/tessera /usr/share/zsh/site-functions/_tessera \
  /usr/share/fish/vendor_completions.d/tessera.fish \
  /usr/share/metainfo/org.tessera.authenticator.metainfo.xml; do
  if ! grep -qx "$wanted" <<<"$files"; then
    echo "FAIL: the .rpm lacks $wanted" >&2
    status=1
  fi
done
grep -q '^/usr/share/applications/.*\.desktop$' <<<"$files" || { echo "FAIL: no desktop file in the .rpm" >&2; status=1; }
grep -q '^/usr/share/icons/hicolor/.*/apps/.*\.png$' <<<"$files" || { echo "FAIL: no icon in the .rpm" >&2; status=1; }
# The webview library is the one dependency the app cannot start without;
# the tray's AppIndicator is loaded at run time, so it must be declared.
grep -qi 'webkit2gtk4.1\|libwebkit2gtk-4.1' <<<"$requires" || { echo "FAIL: the .rpm does not require webkit2gtk 4.1: $requires" >&2; status=1; }
grep -q 'appindicator' <<<"$requires" || { echo "FAIL: the .rpm does not require the AppIndicator library: $requires" >&2; status=1; }

# The CLI from the payload runs (static, so it needs nothing installed).
scratch=$(mktemp -d -t tessera-rpm-check.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
# The header and payload digests first: the package is whole.
rpm -K --nosignature "$rpm_file" | grep -q 'digests OK' || { echo "FAIL: the .rpm's digests do not match" >&2; exit 1; }
# Debian's rpm2cpio (4.18) exits 1 on these packages after writing the
# whole payload (measured: the same bytes, and the digests above match),
# so cpio's status and the files it wrote are what is checked.
(cd "$scratch" && { rpm2cpio "$rpm_file" || true; } | cpio -idm --quiet)
"$scratch/usr/bin/tessera" --version
if [ "$status" -ne 0 ]; then
  echo "rpm-check: FAILED" >&2
  exit 1
fi
echo "rpm-check: ok ($(wc -l <<<"$files") files)"
