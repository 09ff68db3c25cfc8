#!/usr/bin/env bash
# Install the Debian packages AgenPlan needs, if any are missing.
#
#   scripts/install_system_deps.sh [runtime|test]
#
# runtime: WeasyPrint's libraries (Pango, HarfBuzz and its font subsetter), a font for the
#          PDFs, and gettext for `manage.py compilemessages`.
# test:    runtime plus Chromium (Playwright drives /usr/bin/chromium) and poppler-utils
#          (pdftotext/pdftoppm, to read the rendered PDFs in tests).
#
# As root it runs `apt-get update` once and installs what is missing. As another user it
# prints the apt-get line to run and exits 1. The Dockerfile uses it too.
set -euo pipefail

mode="${1:-runtime}"

runtime_packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-dejavu-core gettext)
test_packages=(chromium poppler-utils)

case "$mode" in
    runtime) wanted=("${runtime_packages[@]}") ;;
    test) wanted=("${runtime_packages[@]}" "${test_packages[@]}") ;;
    *)
        echo "usage: $0 [runtime|test]" >&2
        exit 2
        ;;
esac

if ! command -v dpkg >/dev/null 2>&1; then
    echo "install_system_deps: no dpkg here (not Debian/Ubuntu); make sure these are" \
        "installed: ${wanted[*]}" >&2
    exit 0
fi

missing=()
for package in "${wanted[@]}"; do
    # `dpkg -s` also succeeds for removed packages whose config files remain: read Status.
    if ! dpkg -s "$package" 2>/dev/null | grep -q '^Status: install ok installed$'; then
        missing+=("$package")
    fi
done

if [ "${#missing[@]}" -eq 0 ]; then
    echo "install_system_deps: all $mode packages are installed."
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "install_system_deps: missing Debian packages: ${missing[*]}" >&2
    echo "Run:" >&2
    echo "  sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y" \
        "--no-install-recommends ${missing[*]}" >&2
    exit 1
fi

echo "install_system_deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends "${missing[@]}" </dev/null
