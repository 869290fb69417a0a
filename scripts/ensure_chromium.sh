#!/bin/sh
# Make sure a Chromium the browser test can drive is installed.
# - Found ($CHROMIUM or /usr/bin/chromium): print its version, exit 0.
# - Missing and we are root on Debian/Ubuntu: apt-get install chromium, exit 0.
# - Missing otherwise: explain how to install it, exit 1.
# As root with apt-get it also adds an emoji font (the exercises print ✅ and ❌), so the
# screenshots show what students see; without it the test still works.
set -eu

CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
EMOJI_FONT=fonts-noto-color-emoji

can_apt() {
    [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1
}

apt_install() {
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

if [ ! -x "$CHROMIUM" ]; then
    if can_apt; then
        echo "Chromium is missing: installing Debian's package (apt-get install chromium)..."
        apt_install chromium "$EMOJI_FONT"
    else
        cat >&2 <<MSG
The browser test needs Chromium, and $CHROMIUM was not found.
Install it, then run 'make test-browser' again:
  Debian:  sudo apt-get install chromium $EMOJI_FONT
  Ubuntu:  sudo snap install chromium   (then: CHROMIUM=/snap/bin/chromium make test-browser)
  Other:   any Chromium or Google Chrome build works; point CHROMIUM at its executable.
MSG
        exit 1
    fi
    if [ ! -x "$CHROMIUM" ]; then
        echo "apt-get finished but $CHROMIUM is still missing." >&2
        exit 1
    fi
elif can_apt && ! dpkg -s "$EMOJI_FONT" >/dev/null 2>&1; then
    echo "Adding an emoji font for the screenshots (apt-get install $EMOJI_FONT)..."
    apt_install "$EMOJI_FONT" || echo "Could not install $EMOJI_FONT; screenshots show boxes for emoji."
fi

# Debian's wrapper script prints a harmless shell warning on stderr: hide it.
echo "Chromium found: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
