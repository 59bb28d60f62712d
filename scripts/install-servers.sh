#!/usr/bin/env bash
# Installs the real nginx (with the stream module) and HAProxy from Debian's packages, for the
# tests that compare flowpin's nginx and haproxy systems with the binaries' own decisions
# (test/systems/*.real.test.ts). Idempotent: returns at once when both are installed.
# The packages' own services are not started here (policy-rc.d) and are stopped if running:
# the tests start their own instances on loopback with generated configurations.
set -euo pipefail

have() { command -v nginx >/dev/null 2>&1 && command -v haproxy >/dev/null 2>&1 && [ -e /usr/lib/nginx/modules/ngx_stream_module.so ]; }
have && exit 0
if [ "$(id -u)" != "0" ]; then
  echo "install-servers: nginx/haproxy missing and this is not root: apt-get install nginx libnginx-mod-stream haproxy" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# Keep apt from starting the packages' default services (port 80 and the like).
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
chmod +x /usr/sbin/policy-rc.d
trap 'rm -f /usr/sbin/policy-rc.d' EXIT
# Another apt run (a developer, CI) may hold the lock: wait for it rather than fail.
apt-get -o DPkg::Lock::Timeout=300 update -qq
apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends nginx libnginx-mod-stream haproxy >/dev/null
nginx -v 2>&1
haproxy -v | head -1
