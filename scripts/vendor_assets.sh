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
# Needs: npm (only `npm pack`, no node_modules is created), tar, and a Python
# with fontTools + brotli (the project's .venv has both; or set $PYTHON).
# Each tarball's sha512 integrity is checked against the pin below.
#
# Fonts: Noto Sans static TTFs (Google Fonts build, in @expo-google-fonts/noto-sans)
# are subset with fontTools to latin + latin-ext into ONE file per style, as
# .ttf and .woff2. One file per style matters: WeasyPrint merges @font-face
# rules of the same family/weight/style split by unicode-range (fontsource's
# layout) into one PDF font and then prints wrong glyphs for the second subset.
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
  "swagger-ui-dist|5.35.0|sha512-U06rpMtW9V3XPGOBeamTUSr0Z09jMX4IJuANpE/EZbAhw0G8CgwrzU4YmXkn/h0wCDNsXdGarTNNHC3sU8yVUQ=="
  "axe-core|4.14.1|sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
  "@expo-google-fonts/noto-sans|0.4.2|sha512-zYD8G2ijWLxqmquoQgghNh/x9p0yxWwArD0oxO1oXY1qx5vOd4t0Kbhnu/Cx8RTy08OgA8RtxuULZFaXwVPnPw=="
)

MODE="write"
case "${1:-}" in
  "") ;;
  --check) MODE="check" ;;
  -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

PY="${PYTHON:-}"
if [[ -z "$PY" ]]; then
  if [[ -x "$ROOT/.venv/bin/python" ]]; then PY="$ROOT/.venv/bin/python"; else PY="python3"; fi
fi
if ! "$PY" -c 'import fontTools.subset, brotli' 2>/dev/null; then
  echo "$PY lacks fontTools/brotli: pip install fonttools brotli, or set PYTHON=" >&2
  exit 1
fi

# Google Fonts' latin + latin-ext unicode ranges.
FONT_UNICODES="U+0000-00FF,U+0131,U+0152-0153,U+02BB-02BC,U+02C6,U+02DA,U+02DC,U+0304,U+0308,U+0329,U+2000-206F,U+20AC,U+2122,U+2191,U+2193,U+2212,U+2215,U+FEFF,U+FFFD"
FONT_UNICODES+=",U+0100-02BA,U+02BD-02C5,U+02C7-02CC,U+02CE-02D7,U+02DD-02FF,U+1D00-1DBF,U+1E00-1E9F,U+1EF2-1EFF,U+2020,U+20A0-20AB,U+20AD-20C0,U+2113,U+2C60-2C7F,U+A720-A7FF"
# fontTools' default OpenType features plus the numeric/case ones the UI uses
# (tabular figures in KPI cards and tables).
FONT_FEATURES="tnum,lnum,pnum,onum,case,zero,frac,sups,subs,ordn,sinf,smcp,c2sc"

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
    swagger-ui-dist)
      d="$OUT/vendor/swagger-ui"; mkdir -p "$d"
      cp "$src/swagger-ui-bundle.js" "$src/swagger-ui.css" "$d/"
      cp "$src/LICENSE" "$d/LICENSE"
      strip_sourcemap "$d/swagger-ui-bundle.js"
      strip_sourcemap "$d/swagger-ui.css"
      ;;
    axe-core)
      d="$OUT/vendor/axe-core"; mkdir -p "$d"
      cp "$src/axe.min.js" "$d/"
      cp "$src/LICENSE" "$d/LICENSE"
      cp "$src/LICENSE-3RD-PARTY.txt" "$d/"
      ;;
    @expo-google-fonts/noto-sans)
      d="$OUT/fonts/noto-sans"; mkdir -p "$d"
      # source dir in the package -> file name stem
      for pair in 400Regular:NotoSans-Regular 400Regular_Italic:NotoSans-Italic \
                  700Bold:NotoSans-Bold 700Bold_Italic:NotoSans-BoldItalic; do
        srcdir="${pair%%:*}"; stem="${pair##*:}"
        for flavor in ttf woff2; do
          args=()
          [[ "$flavor" == woff2 ]] && args+=(--flavor=woff2)
          "$PY" -m fontTools.subset "$src/$srcdir/NotoSans_$srcdir.ttf" \
            --unicodes="$FONT_UNICODES" --layout-features+="$FONT_FEATURES" \
            --name-IDs='*' --notdef-outline "${args[@]}" \
            --output-file="$d/$stem.$flavor"
        done
      done
      cp "$src/LICENSE_FONT" "$d/OFL.txt"
      cat >"$OUT/fonts/fonts.css" <<CSS
/* Noto Sans 400/700, normal/italic, latin + latin-ext; SIL OFL 1.1, see
   noto-sans/OFL.txt. Generated by scripts/vendor_assets.sh (from
   @expo-google-fonts/noto-sans ${version}) - do not edit by hand.
   One file per style on purpose: WeasyPrint mis-renders fonts split by
   unicode-range. The .ttf files are also there for non-CSS consumers. */
CSS
      for spec in "400 normal NotoSans-Regular" "400 italic NotoSans-Italic" \
                  "700 normal NotoSans-Bold" "700 italic NotoSans-BoldItalic"; do
        read -r wght style stem <<<"$spec"
        cat >>"$OUT/fonts/fonts.css" <<CSS

@font-face {
  font-family: 'Noto Sans';
  font-style: ${style};
  font-weight: ${wght};
  font-display: swap;
  src: url('noto-sans/${stem}.woff2') format('woff2'),
       url('noto-sans/${stem}.ttf') format('truetype');
}
CSS
      done
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
| swagger-ui-dist | $(version_of swagger-ui-dist) | Apache-2.0 | vendor/swagger-ui/swagger-ui-bundle.js, vendor/swagger-ui/swagger-ui.css, vendor/swagger-ui/LICENSE (the API's documentation page, /api/v1/docs/) |
| axe-core | $(version_of axe-core) | MPL-2.0 | vendor/axe-core/axe.min.js, vendor/axe-core/LICENSE, vendor/axe-core/LICENSE-3RD-PARTY.txt (browser tests only) |
| @expo-google-fonts/noto-sans (Noto Sans 2.015) | $(version_of @expo-google-fonts/noto-sans) | OFL-1.1 (fonts); MIT (package code, not shipped) | fonts/noto-sans/NotoSans-{Regular,Italic,Bold,BoldItalic}.{woff2,ttf}, fonts/noto-sans/OFL.txt, fonts/fonts.css |

Notes:

- The CSS/JS files are byte-for-byte the upstream dist files, except that the
  \`sourceMappingURL\` comments are removed from bootstrap.min.css,
  bootstrap.bundle.min.js, chart.umd.min.js and Swagger UI's files: source maps are not shipped
  (size), and Django's ManifestStaticFilesStorage fails on a comment that
  points at a missing map.
- axe-core (MPL-2.0) is used only by the browser accessibility tests; it is
  not loaded by any production page.
- Noto Sans is subset (fontTools $("$PY" -c 'import fontTools; print(fontTools.version)')) from the package's
  full static TTFs to the latin + latin-ext ranges, one file per style, as
  .woff2 (browsers, WeasyPrint) and .ttf (other PDF tools). The OFL allows
  this; Noto Sans has no Reserved Font Name. Kept OpenType features: the
  fontTools defaults plus ${FONT_FEATURES}.
  Fonts split by unicode-range (as @fontsource ships them) are avoided on
  purpose: WeasyPrint merges same-style faces into one PDF font and then
  prints wrong glyphs for the second subset.
- fonts/fonts.css is generated (weights 400/700, normal/italic).
- \`--check\` rebuilds the fonts too; a different fontTools/brotli version can
  give different font bytes without any real change.
EOF

if [[ "$MODE" == "check" ]]; then
  rc=0
  for p in vendor/bootstrap vendor/bootstrap-icons vendor/htmx vendor/chartjs vendor/swagger-ui vendor/axe-core \
           vendor/VERSIONS.md fonts/noto-sans fonts/fonts.css; do
    diff -r "$OUT/$p" "$STATIC/$p" >/dev/null 2>&1 || { echo "drift: static/$p" >&2; rc=1; }
  done
  [[ $rc -eq 0 ]] && echo "vendored assets match the pinned versions" >&2
  exit $rc
fi

mkdir -p "$STATIC/vendor" "$STATIC/fonts"
for p in vendor/bootstrap vendor/bootstrap-icons vendor/htmx vendor/chartjs vendor/swagger-ui vendor/axe-core fonts/noto-sans; do
  rm -rf "${STATIC:?}/$p"
  cp -R "$OUT/$p" "$STATIC/$p"
done
cp "$OUT/vendor/VERSIONS.md" "$STATIC/vendor/VERSIONS.md"
cp "$OUT/fonts/fonts.css" "$STATIC/fonts/fonts.css"
echo "vendored into $STATIC (see static/vendor/VERSIONS.md)" >&2
