#!/bin/sh
# install_deps.sh - install the Debian 12 packages that building and testing
# starttls-check need (run as root). Safe to run again: apt skips what is there.
set -eu
pkgs="build-essential pkg-config libwolfssl-dev libidn2-dev ca-certificates
      clang libclang-rt-14-dev llvm valgrind python3 python3-jsonschema procps
      groff-base
      openssl iproute2 dnsutils ldnsutils nsd unbound postfix nginx-light curl
      bsdutils util-linux gnutls-bin libgnutls30 parallel
      liblwip-dev
      gcc-arm-none-eabi libnewlib-arm-none-eabi
      qemu-system-arm"
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -z "$missing" ]; then
    echo "install_deps: everything is installed"
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "install_deps: need root to install:$missing" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# Postfix asks how to configure the system's mail; the tests use a private
# instance and never the system one.
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
apt-get update -qq
# policy-rc.d 101: don't start the system-wide nsd/unbound/nginx/postfix
# services while installing; the lab runs its own private instances.
rcd=/usr/sbin/policy-rc.d
made_rcd=0
if [ ! -e "$rcd" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$rcd" && chmod +x "$rcd" && made_rcd=1
fi
apt-get install -y -qq --no-install-recommends $missing
[ "$made_rcd" -eq 1 ] && rm -f "$rcd"
echo "install_deps: installed$missing"
