#!/usr/bin/env bash
# The browser test needs Debian's Chromium at /usr/bin/chromium (playwright-core drives it; no browser
# download). Installs it with apt if it is missing; retries after 'apt-get update'.
set -u
[ -x /usr/bin/chromium ] && exit 0
echo "ensure-chromium: /usr/bin/chromium not found; installing Debian's chromium with apt-get" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1 \
  || { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null; } \
  || { echo "ensure-chromium: could not install chromium (apt-get failed); install it and re-run" >&2; exit 1; }
[ -x /usr/bin/chromium ] || { echo "ensure-chromium: chromium installed but /usr/bin/chromium is missing" >&2; exit 1; }
