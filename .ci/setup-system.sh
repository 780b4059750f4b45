#!/usr/bin/env bash
# System packages the test suite runs for real, on a bare Debian 12 machine:
#   python3 -m pip  the installer the integration tests install through;
#   nginx, apache2  test/integration/webservers.test.ts runs the shipped docs/*.conf;
#   systemd         test/integration/systemd.test.ts runs systemd-analyze on systemd/*.
#                   Installing the package does not make systemd the init (that is
#                   systemd-sysv), so a container stays as it was;
#   prometheus-node-exporter  its textfile collector reads jubjub's metrics textfile
#                   (test/integration/metrics.test.ts); never started as a service.
# Idempotent: when everything is there it does not touch apt at all. It never starts a
# service: the tests run their own instances on 127.0.0.1, and packaged services would
# both want port 80 (on a systemd machine the second one's postinst would fail on it).
set -euo pipefail

have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ]; }

need=()
python3 -m pip --version >/dev/null 2>&1 || need+=(python3 python3-pip)
have nginx || need+=(nginx)
# apache2-bin ships the binary and the modules the test loads from there.
{ have apache2 && [ -e /usr/lib/apache2/modules/mod_rewrite.so ]; } || need+=(apache2)
have systemd-analyze || need+=(systemd)
# The metrics test has node_exporter's textfile collector read jubjub's textfile.
have prometheus-node-exporter || need+=(prometheus-node-exporter)

if [ "${#need[@]}" -eq 0 ]; then
  echo "setup-system: pip, nginx, apache2, systemd-analyze and node_exporter already installed"
  exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "setup-system: need root (or sudo) to install: ${need[*]}" >&2; exit 1; }
  sudo=(sudo)
fi

# Debian's way to keep maintainer scripts from starting services: invoke-rc.d and
# deb-systemd-invoke ask policy-rc.d, and 101 means "not allowed". Left alone if the
# machine already has one (container images usually do).
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
  "${sudo[@]}" chmod 0755 "$policy"
  trap '"${sudo[@]}" rm -f "$policy"' EXIT
fi

echo "setup-system: installing ${need[*]}"
apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get)
"${apt[@]}" update -qq
"${apt[@]}" install -y -qq --no-install-recommends "${need[@]}" >/dev/null
