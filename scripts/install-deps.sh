#!/usr/bin/env bash
# Installs the Debian packages Actorflow builds and tests with; does nothing for those already present.
set -euo pipefail
packages=(
  build-essential cmake pkg-config ca-certificates
  libcaf-dev libcaf-openssl0.17 libssl-dev openssl libprotobuf-dev protobuf-compiler libhiredis-dev redis-server
  libspdlog-dev libgtest-dev libgmock-dev libbenchmark-dev libyaml-cpp-dev
  nlohmann-json3-dev libsqlite3-dev libcli11-dev libcpp-httplib-dev libssl-dev openssl chromium
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
