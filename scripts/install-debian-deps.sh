#!/usr/bin/env bash
# Installs the Debian packages the tests use, only when a command they provide is missing.
# Real components, not mocks: Knot and BIND for real truncation, musl 1.2.3 and glibc for real
# getaddrinfo results, iproute2 for the network namespaces the truth tests run in, chromium for the
# status page, promtool (package prometheus) to check the metrics exposition and the alert rules,
# prometheus and alertmanager (+ amtool, package prometheus-alertmanager) for the alert routing tests.
# kubectl (kustomize) is not packaged in Debian 12: the deploy tests need it preinstalled.
set -euo pipefail

# command -> Debian package
declare -A NEEDED=(
  [knotd]=knot
  [named]=bind9
  [dig]=bind9-dnsutils
  [musl-gcc]=musl-tools
  [ip]=iproute2
  [gcc]=gcc
  [chromium]=chromium
  [promtool]=prometheus
  [amtool]=prometheus-alertmanager
)
missing=()
for cmd in "${!NEEDED[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || [ -x "/usr/sbin/$cmd" ] || missing+=("${NEEDED[$cmd]}")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages: ${missing[*]}; run as root or: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "installing Debian packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The packaged servers start themselves on port 53 of the host; the tests run their own copies in
# network namespaces, so stop the system ones (they would only hold port 53 and memory).
for svc in knot named prometheus prometheus-alertmanager; do
  systemctl disable --now "$svc" 2>/dev/null || service "$svc" stop 2>/dev/null || true
done
