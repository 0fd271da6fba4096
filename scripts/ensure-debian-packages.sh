#!/usr/bin/env bash
# Install Debian packages the project needs when they are missing (as root directly,
# through sudo otherwise), like scripts/ensure-chromium.sh.
#   scripts/ensure-debian-packages.sh fonts   # the card's fonts (make setup)
#   scripts/ensure-debian-packages.sh ocr     # OCR and QR reading for the card tests (make test)
set -euo pipefail
case "${1:-}" in
    fonts) packages=(fonts-dejavu-core) ;;
    ocr) packages=(fonts-dejavu-core tesseract-ocr tesseract-ocr-vie zbar-tools) ;;
    *) echo "usage: $0 fonts|ocr" >&2; exit 2 ;;
esac
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0
echo "installing Debian packages: ${missing[*]}"
if [[ $(id -u) -eq 0 ]]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
elif command -v sudo >/dev/null 2>&1; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
    echo "error: install these Debian packages and rerun: ${missing[*]}" >&2
    exit 1
fi
