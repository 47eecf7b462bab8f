#!/usr/bin/env bash
# Installs what the browser tests need, when it can: Debian's Chromium and
# axe-core from npm. Says plainly what it could not install; never fails the build.
set -u
cd "$(dirname "$0")/.."
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "browser-deps: installing Debian's chromium (for the browser tests)"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/tmp/p3-apt.log 2>&1 \
      || echo "browser-deps: could not install chromium (see /tmp/p3-apt.log): browser tests will be skipped"
  else
    echo "browser-deps: /usr/bin/chromium missing and not root: browser tests will be skipped"
  fi
fi
if [ ! -f node_modules/axe-core/axe.min.js ] && command -v npm >/dev/null; then
  npm install --no-save --no-audit --no-fund --silent axe-core@4 >/dev/null 2>&1 \
    || echo "browser-deps: could not install axe-core from npm: accessibility checks will be skipped"
fi
exit 0
