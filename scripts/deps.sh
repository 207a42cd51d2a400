#!/usr/bin/env bash
# Installs what tekichi needs on a fresh Debian machine, skipping what is already there.
# Sourced by scripts/run.sh and scripts/test.sh.
set -euo pipefail

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Debian packages: PROJ (the proj crate links libproj 9.1 through pkg-config); gdal-bin for
# ogrinfo, GDAL's OGC API – Features client, which the HTTP tests read the layers with;
# libgdal-dev for the layer importer (the gdal crate links GDAL 3.6 through pkg-config);
# libsqlite3-dev for the layer store (the same SQLite GDAL uses for GeoPackage);
# chromium and fonts-noto-cjk for the map UI's browser tests (Japanese text in screenshots
# and the PDF report).
APT_PACKAGES=(libproj-dev pkg-config clang python3 gdal-bin libgdal-dev libsqlite3-dev chromium fonts-noto-cjk)
command -v node >/dev/null 2>&1 || APT_PACKAGES+=(nodejs npm)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "==> apt-get install ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}"
fi

if ! command -v cargo >/dev/null 2>&1; then
  [ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
fi
command -v cargo >/dev/null 2>&1 || { echo "cargo not found: install Rust with rustup (https://rustup.rs)" >&2; exit 1; }
if command -v rustup >/dev/null 2>&1; then
  for c in rustfmt clippy; do
    rustup component list --installed 2>/dev/null | grep -q "^$c" || rustup component add "$c"
  done
fi

# The map UI's libraries (MapLibre GL JS, mapbox-gl-draw, qrcode-generator) and the browser
# test driver (playwright-core), exactly as locked in web/package-lock.json; `tekichi serve`
# serves them from web/node_modules. Reinstalled when the lock file is newer than the install.
if [ ! -f web/node_modules/.package-lock.json ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
  echo "==> npm ci (web/)"
  (cd web && npm ci --no-audit --no-fund --loglevel=error)
fi
