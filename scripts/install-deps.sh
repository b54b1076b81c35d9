#!/bin/sh
# Installs the Debian 12 packages clv needs to build its program, tests and demo, when missing.
set -e
packages="cmake g++ make libeigen3-dev libboost-dev doctest-dev libcli11-dev nlohmann-json3-dev python3 python3-pandas"
missing=""
for p in $packages; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
[ -z "$missing" ] && exit 0
sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
echo "installing:$missing"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing >/dev/null
