#!/usr/bin/env bash
# Installs what GemGate needs on Debian 12 (bookworm), from Debian's archive only. Idempotent: when everything
# is already installed it changes nothing and needs no network.
#   install-deps.sh           build + run
#   install-deps.sh --test    also what the test suite needs
#   install-deps.sh --bench   also what bench/run.sh needs
set -euo pipefail

build_pkgs=(
  build-essential cmake ninja-build pkg-config
  qt6-base-dev libqt6opengl6-dev qt6-charts-dev libqt6sql6-sqlite qt6-tools-dev qt6-l10n-tools
  qtkeychain-qt6-dev libsecret-1-0 libssl-dev libyaml-cpp-dev node-llhttp libjwt-dev libsqlite3-dev tzdata
  prometheus-cpp-dev
  fonts-noto-cjk qt6-translations-l10n
)
test_pkgs=(dbus gnome-keyring libsecret-1-0 xvfb xauth ca-certificates pebble)
bench_pkgs=(nginx-light wrk)

# promtool (tests/monitoring_check.sh) is taken out of Debian's prometheus package without installing the package:
# installing it would start a Prometheus server on :9090 (GemGate's default admin port) and pull in many JS packages.
promtool=/usr/local/lib/gemgate-test-tools/promtool

want=("${build_pkgs[@]}")
need_node=0
need_promtool=0
for arg in "$@"; do
  case "$arg" in
    --test) want+=("${test_pkgs[@]}"); need_node=1; need_promtool=1 ;;
    --bench) want+=("${bench_pkgs[@]}") ;;
    *) echo "usage: $0 [--test] [--bench]" >&2; exit 2 ;;
  esac
done
# The SDK test drives the official npm package with Node.js; use the machine's node when it has one.
if [ "$need_node" = 1 ] && ! command -v node >/dev/null 2>&1; then
  want+=(nodejs npm)
fi

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if [ "$need_promtool" = 1 ] && "$promtool" --version >/dev/null 2>&1; then
  need_promtool=0
fi
if [ "${#missing[@]}" -eq 0 ] && [ "$need_promtool" = 0 ]; then
  echo "install-deps: everything is installed"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  $sudo apt-get update -q
  $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if [ "$need_promtool" = 1 ]; then
  echo "install-deps: installing $promtool (unpacked from the prometheus package, which is not installed)"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  # apt-get download needs the package lists; on a fresh machine they may still be empty.
  if ! (cd "$tmp" && apt-get download -q -o APT::Sandbox::User="$(id -un)" prometheus); then
    $sudo apt-get update -q
    (cd "$tmp" && apt-get download -q -o APT::Sandbox::User="$(id -un)" prometheus)
  fi
  dpkg-deb -x "$tmp"/prometheus_*.deb "$tmp/root"
  $sudo install -D -m 0755 "$tmp/root/usr/bin/promtool" "$promtool"
  "$promtool" --version
fi
