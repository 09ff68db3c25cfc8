#!/usr/bin/env bash
# Vendor AgenPlan's third-party front-end assets from the npm registry.
#
# Government networks are closed, so nothing is loaded from a CDN: every
# asset is copied into static/ at a pinned version, with its licence.
#
#   scripts/vendor_assets.sh           rebuild static/vendor/* and static/fonts/
#   scripts/vendor_assets.sh --check   rebuild in a temp dir and diff against
#                                      the committed files (exit 1 on drift)
#
# Needs: npm (only `npm pack`, no node_modules is created), tar, python3.
# Each tarball's sha512 integrity is checked against the pin below.
#
# To upgrade a package: change its version AND integrity
# (`npm view <name>@<version> dist.integrity`), run this script, review the diff.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATIC="$ROOT/static"

# name | version | integrity (sha512 from the registry)
PINS=(
  "bootstrap|5.3.9|sha512-20cU0rcfw8WdxtVbmfU+xT2EjvVTw9Ror/h1Qvd7DXCujRg8OO9mdBCsmTHdJFf3BuadmBNJtgIuUXsBqSkk/w=="
  "bootstrap-icons|1.13.2|sha512-fAU1Ly3dH7hwRg+CB8EZ0Vl0fF80zgXHeUVJyfUOKzoURr+TbwISbCW5tKUoQLERaWYG2emTCybcPbD96hdD1A=="
  "htmx.org|2.0.11|sha512-Thx/WtpeOQqSrqBCw/A1cwGJGg4UrVa3+sW0GmrM3p4gJgO89ecH4qtbnyzDDWFvBTqjnIMCgELTNt636dtamA=="
  "chart.js|4.6.1|sha512-hJyniucsFmq//EvXYvJ6c6mahPoI3kaxdjVH8awTaJ/fDNWeSqqqArixMJWkWNN6fcYvPU3HneSANFNYtRi61g=="
  "axe-core|4.14.1|sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
  "@fontsource/noto-sans|5.3.0|sha512-fBCog2PY7DiVVTEEqtI/Qdinx/knobHYfoGpjFXdfBX5RoJaBp1Prw2G75p0OIsdlMZg3cLo0c+YbIUYOxnQJw=="
)

MODE="write"
case "${1:-}" in
  "") ;;
  --check) MODE="check" ;;
  -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
OUT="$WORK/out"          # staged copy of static/
mkdir -p "$OUT/vendor" "$OUT/fonts"

version_of() {  # version_of NAME
  local p
  for p in "${PINS[@]}"; do
    IFS='|' read -r n v _ <<<"$p"
    if [[ "$n" == "$1" ]]; then echo "$v"; return; fi
  done
  echo "unknown package $1" >&2; exit 1
}

# fetch NAME VERSION INTEGRITY -> prints the extracted package dir
fetch() {
  local name="$1" version="$2" integrity="$3" dir meta tarball got
  dir="$WORK/pkg/${name//\//__}"
  mkdir -p "$dir"
  meta="$dir/pack.json"   # npm pack --json also lists every file: keep it off argv
  npm pack "${name}@${version}" --pack-destination "$dir" --json --silent --ignore-scripts >"$meta"
  read -r tarball got < <(python3 -c 'import json,sys; m=json.load(open(sys.argv[1]))[0]; print(m["filename"], m["integrity"])' "$meta")
  if [[ "$got" != "$integrity" ]]; then
    echo "integrity mismatch for ${name}@${version}: got $got, pinned $integrity" >&2
    exit 1
  fi
  tar -xzf "$dir/$tarball" -C "$dir"
  echo "$dir/package"
}

# Source maps are not shipped (size); drop the comments that point at them,
# otherwise ManifestStaticFilesStorage fails on the missing .map files.
strip_sourcemap() {
  sed -i -E -e '/^\/\/# sourceMappingURL=.*$/d' -e 's#/\*\# sourceMappingURL=[^*]*\*/##' "$1"
}

for pin in "${PINS[@]}"; do
  IFS='|' read -r name version integrity <<<"$pin"
  echo "fetching ${name}@${version}" >&2
  src="$(fetch "$name" "$version" "$integrity")"
  case "$name" in
    bootstrap)
      d="$OUT/vendor/bootstrap"; mkdir -p "$d/css" "$d/js"
      cp "$src/dist/css/bootstrap.min.css" "$d/css/"
      cp "$src/dist/js/bootstrap.bundle.min.js" "$d/js/"
      cp "$src/LICENSE" "$d/LICENSE"
      strip_sourcemap "$d/css/bootstrap.min.css"
      strip_sourcemap "$d/js/bootstrap.bundle.min.js"
      ;;
    bootstrap-icons)
      d="$OUT/vendor/bootstrap-icons"; mkdir -p "$d/fonts"
      cp "$src/font/bootstrap-icons.min.css" "$d/"
      cp "$src/font/fonts/bootstrap-icons.woff2" "$src/font/fonts/bootstrap-icons.woff" "$d/fonts/"
      cp "$src/LICENSE" "$d/LICENSE"
      ;;
    htmx.org)
      d="$OUT/vendor/htmx"; mkdir -p "$d"
      cp "$src/dist/htmx.min.js" "$d/"
      cp "$src/LICENSE" "$d/LICENSE"
      ;;
    chart.js)
      d="$OUT/vendor/chartjs"; mkdir -p "$d"
      cp "$src/dist/chart.umd.min.js" "$d/"
      cp "$src/LICENSE.md" "$d/LICENSE.md"
      strip_sourcemap "$d/chart.umd.min.js"
      ;;
    axe-core)
      d="$OUT/vendor/axe-core"; mkdir -p "$d"
      cp "$src/axe.min.js" "$d/"
      cp "$src/LICENSE" "$d/LICENSE"
      cp "$src/LICENSE-3RD-PARTY.txt" "$d/"
      ;;
    @fontsource/noto-sans)
      d="$OUT/fonts/noto-sans"; mkdir -p "$d"
      for subset in latin latin-ext; do
        for wght in 400 700; do
          for style in normal italic; do
            cp "$src/files/noto-sans-${subset}-${wght}-${style}.woff2" "$d/"
          done
        done
      done
      cp "$src/LICENSE" "$d/OFL.txt"
      # fonts.css: same unicode-range as fontsource, urls relative to fonts/.
      python3 - "$src" "$OUT/fonts/fonts.css" "$version" <<'PY'
import re, sys
src, dest, version = sys.argv[1], sys.argv[2], sys.argv[3]
out = [
    "/* Noto Sans (SIL OFL 1.1, see noto-sans/OFL.txt), from @fontsource/noto-sans "
    + version + ".\n   Generated by scripts/vendor_assets.sh - do not edit by hand.\n"
    "   latin + latin-ext subsets, weights 400/700, normal/italic; woff2 only\n"
    "   (all supported browsers and WeasyPrint read woff2). */\n"
]
for wght in ("400", "700"):
    for style in ("normal", "italic"):
        css = open(f"{src}/{wght}{'-italic' if style == 'italic' else ''}.css").read()
        for subset in ("latin-ext", "latin"):
            m = re.search(
                r"/\* noto-sans-" + subset + "-" + wght + "-" + style
                + r" \*/\s*@font-face\s*{[^}]*unicode-range:\s*([^;]+);", css)
            if not m:
                sys.exit(f"no {subset} {wght} {style} rule in fontsource css")
            out.append(
                f"\n/* noto-sans-{subset}-{wght}-{style} */\n"
                "@font-face {\n"
                "  font-family: 'Noto Sans';\n"
                f"  font-style: {style};\n"
                f"  font-weight: {wght};\n"
                "  font-display: swap;\n"
                f"  src: url('noto-sans/noto-sans-{subset}-{wght}-{style}.woff2') format('woff2');\n"
                f"  unicode-range: {m.group(1).strip()};\n"
                "}\n")
open(dest, "w").write("".join(out))
PY
      ;;
    *) echo "no copy rule for $name" >&2; exit 1 ;;
  esac
done

cat >"$OUT/vendor/VERSIONS.md" <<EOF
# Vendored front-end assets

Generated by \`scripts/vendor_assets.sh\` from the npm registry (no CDN is used:
government networks are closed). Versions are pinned exactly and each tarball's
sha512 integrity is checked. Re-run the script to reproduce; run it with
\`--check\` to verify that the committed files match the pins.

| package (npm) | version | licence | files (under static/) |
| --- | --- | --- | --- |
| bootstrap | $(version_of bootstrap) | MIT | vendor/bootstrap/css/bootstrap.min.css, vendor/bootstrap/js/bootstrap.bundle.min.js, vendor/bootstrap/LICENSE |
| bootstrap-icons | $(version_of bootstrap-icons) | MIT | vendor/bootstrap-icons/bootstrap-icons.min.css, vendor/bootstrap-icons/fonts/bootstrap-icons.woff2, vendor/bootstrap-icons/fonts/bootstrap-icons.woff, vendor/bootstrap-icons/LICENSE |
| htmx.org | $(version_of htmx.org) | 0BSD | vendor/htmx/htmx.min.js, vendor/htmx/LICENSE |
| chart.js | $(version_of chart.js) | MIT | vendor/chartjs/chart.umd.min.js, vendor/chartjs/LICENSE.md |
| axe-core | $(version_of axe-core) | MPL-2.0 | vendor/axe-core/axe.min.js, vendor/axe-core/LICENSE, vendor/axe-core/LICENSE-3RD-PARTY.txt (browser tests only) |
| @fontsource/noto-sans | $(version_of @fontsource/noto-sans) | OFL-1.1 | fonts/noto-sans/*.woff2 (latin, latin-ext; 400/700; normal/italic), fonts/noto-sans/OFL.txt, fonts/fonts.css |

Notes:

- The files are byte-for-byte the upstream dist files, except that the
  \`sourceMappingURL\` comments are removed from bootstrap.min.css,
  bootstrap.bundle.min.js and chart.umd.min.js: source maps are not shipped
  (size), and Django's ManifestStaticFilesStorage fails on a comment that
  points at a missing map.
- axe-core (MPL-2.0) is used only by the browser accessibility tests; it is
  not loaded by any production page.
- No TTF is shipped: @fontsource/noto-sans provides woff2/woff only. WeasyPrint
  (via fontTools + brotli) and all supported browsers read woff2.
- fonts/fonts.css is generated from the fontsource CSS (same unicode-range).
EOF

if [[ "$MODE" == "check" ]]; then
  rc=0
  for p in vendor/bootstrap vendor/bootstrap-icons vendor/htmx vendor/chartjs vendor/axe-core \
           vendor/VERSIONS.md fonts/noto-sans fonts/fonts.css; do
    diff -r "$OUT/$p" "$STATIC/$p" >/dev/null 2>&1 || { echo "drift: static/$p" >&2; rc=1; }
  done
  [[ $rc -eq 0 ]] && echo "vendored assets match the pinned versions" >&2
  exit $rc
fi

mkdir -p "$STATIC/vendor" "$STATIC/fonts"
for p in vendor/bootstrap vendor/bootstrap-icons vendor/htmx vendor/chartjs vendor/axe-core fonts/noto-sans; do
  rm -rf "${STATIC:?}/$p"
  cp -R "$OUT/$p" "$STATIC/$p"
done
cp "$OUT/vendor/VERSIONS.md" "$STATIC/vendor/VERSIONS.md"
cp "$OUT/fonts/fonts.css" "$STATIC/fonts/fonts.css"
echo "vendored into $STATIC (see static/vendor/VERSIONS.md)" >&2
