#!/usr/bin/env bash
# The browser test needs Debian's Chromium at /usr/bin/chromium (playwright-core drives it; no browser
# download). Installs it with apt if it is missing; retries after 'apt-get update'. Also installs a Chinese font
# (fonts-wqy-zenhei, 7.5 MB) if none is there, so that the test's screenshots show the lecture's sentence rather
# than boxes; that one is best effort (without it only the screenshots suffer).
set -u
SUDO=""
[ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
apt_install() {
  $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1 \
    || { $SUDO apt-get update -qq >/dev/null 2>&1 && $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1; }
}
if [ ! -x /usr/bin/chromium ]; then
  echo "ensure-chromium: /usr/bin/chromium not found; installing Debian's chromium with apt-get" >&2
  apt_install chromium || { echo "ensure-chromium: could not install chromium (apt-get failed); install it and re-run" >&2; exit 1; }
  [ -x /usr/bin/chromium ] || { echo "ensure-chromium: chromium installed but /usr/bin/chromium is missing" >&2; exit 1; }
fi
if command -v fc-list >/dev/null && [ -z "$(fc-list :lang=zh 2>/dev/null | head -1)" ]; then
  echo "ensure-chromium: no Chinese font; installing fonts-wqy-zenhei for the screenshots" >&2
  apt_install fonts-wqy-zenhei || echo "ensure-chromium: could not install fonts-wqy-zenhei; the screenshots will show boxes for Chinese" >&2
fi
exit 0
