#!/usr/bin/env bash
# Installs what the runtime tests need beyond npm dev dependencies (deno, bun, workerd and
# playwright-core come from `npm ci`): Debian's chromium, driven by playwright-core (never
# `playwright install`: browsers come from apt). Idempotent: returns at once when installed.
# Called by test/runtimes/chromium.test.ts; safe to run by hand.
set -euo pipefail

if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "install-runtimes: chromium is missing and this is not root: apt-get install chromium" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# Another apt run (a developer, CI) may hold the lock: wait for it rather than fail.
apt-get -o DPkg::Lock::Timeout=300 update -qq
apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends chromium >/dev/null
chromium --version
