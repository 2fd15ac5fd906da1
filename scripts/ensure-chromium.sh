#!/usr/bin/env bash
# Makes sure Debian's chromium is installed for the browser test of the HTML reports
# (playwright-core drives it; no browser download). Installs it when running as root,
# otherwise fails with the exact command to run. Never skips the browser test silently.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = "0" ]; then
  echo "ensure-chromium: installing Debian's chromium for the browser test..." >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  [ -x /usr/bin/chromium ] && exit 0
fi
echo "ensure-chromium: /usr/bin/chromium is missing; the HTML report test needs it. Run: sudo apt-get update && sudo apt-get install -y chromium" >&2
exit 1
