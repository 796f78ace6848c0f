#!/usr/bin/env bash
# Install the system packages the test suite needs: headless Chromium and its WebDriver,
# used by tests/test_replay_browser.py to load the offline HTML replay.
#
# Idempotent: does nothing when /usr/bin/chromium and /usr/bin/chromedriver exist.
# Needs root (or sudo) and Debian/Ubuntu's apt; run it before `pytest`:
#
#     bash scripts/install-test-deps.sh && pip install -e ".[test]"
set -euo pipefail

have() { [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; }

if have; then
    echo "install-test-deps: chromium and chromedriver already installed"
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-test-deps: apt-get not found; install chromium and chromedriver" \
         "with your system's package manager (need /usr/bin/chromium, /usr/bin/chromedriver)" >&2
    exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "install-test-deps: run as root (apt-get install needs it)" >&2
        exit 1
    fi
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends chromium chromium-driver

if ! have; then
    echo "install-test-deps: chromium installed but /usr/bin/chromium or" \
         "/usr/bin/chromedriver is missing" >&2
    exit 1
fi
echo "install-test-deps: $(/usr/bin/chromium --version 2>/dev/null || echo chromium)"
