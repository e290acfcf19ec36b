#!/usr/bin/env bash
# `apt install ./lapor-*.deb` into a clean Debian 12 root file system (mmdebstrap minbase), then
# checks what the packages promise: programs, data, units that pass `systemd-analyze verify`, the
# lapor user, /var/lib/lapor 0700, the conffile, first-boot secrets 0600, clean removal.
#   tests/image/install_test.sh DEBS_DIR APT_CACHE_DIR WORK_DIR
set -euo pipefail
debs=$(cd "$1" && pwd)
cache=$2
work=$3
mkdir -p "$cache"
rm -rf "$work"
mkdir -p "$work"
root="$work/root"
fail=0
t0=$(date +%s)
mmdebstrap --variant=minbase --mode=root --format=directory --quiet \
    --aptopt='APT::Install-Recommends "false"' \
    --include=systemd,ca-certificates \
    --skip=download/empty \
    --setup-hook='mkdir -p "$1"/var/cache/apt/archives' \
    --setup-hook="sync-in '$cache' /var/cache/apt/archives/" \
    --customize-hook="mkdir -p \"\$1\"/tmp/debs" \
    --customize-hook="copy-in $(printf '%s ' "$debs"/*.deb) /tmp/debs" \
    --customize-hook='chroot "$1" sh -c "cd /tmp/debs && DEBIAN_FRONTEND=noninteractive apt-get install -y -q ./lapor-*.deb" > "$1"/tmp/apt.log 2>&1 || { cat "$1"/tmp/apt.log; exit 1; }' \
    --customize-hook="sync-out /var/cache/apt/archives '$cache'" \
    bookworm "$root" \
    "deb http://deb.debian.org/debian bookworm main" \
    "deb http://deb.debian.org/debian-security bookworm-security main"
echo "install-test: rootfs with the packages in $(( $(date +%s) - t0 )) s"

ok() { echo "ok   $1"; }
bad() { echo "FAIL $1"; fail=1; }
in_root() { chroot "$root" "$@"; }
expect() {  # expect NAME COMMAND...
    local name=$1
    shift
    if "$@"; then ok "$name"; else bad "$name"; fi
}

for p in lapor-kiosk lapor-syncd lapor-ctl lapor-hwtest lapor-sandbox lapor-linkemu; do
    expect "/usr/bin/$p" test -x "$root/usr/bin/$p"
done
expect "every program finds its libraries" bash -c \
    "! chroot '$root' sh -c 'ldd /usr/bin/lapor-*' | grep -q 'not found'"
expect "regions, catalog, translations" test -s "$root/usr/share/lapor/regions.bin" -a \
    -s "$root/usr/share/lapor/data/catalog.json" -a -s "$root/usr/share/lapor/po/kiosk.id.po"
expect "lapor user" in_root id lapor
mode=$(in_root stat -c %a:%U /var/lib/lapor 2>&1)  # the chroot's user names
expect "/var/lib/lapor 0700 lapor ($mode)" test "$mode" = 700:lapor
expect "/etc/lapor/lapor.toml is a conffile" grep -qx /etc/lapor/lapor.toml \
    "$root/var/lib/dpkg/info/lapor-common.conffiles"
expect "units enabled" test -L "$root/etc/systemd/system/multi-user.target.wants/lapor-syncd.service" \
    -a -L "$root/etc/systemd/system/graphical.target.wants/lapor-kiosk.service"
# verify checks each unit's syntax and that the programs it starts exist.
if out=$(in_root sh -c 'systemd-analyze verify /lib/systemd/system/lapor-*.service \
        /lib/systemd/system/lapor-*.timer' 2>&1); then
    ok "systemd-analyze verify"
else
    echo "$out"
    bad "systemd-analyze verify"
fi
expect "config parses (lapor-ctl reads it)" bash -c "chroot '$root' lapor-ctl init-secrets"
expect "secrets 0600 root" test "$(in_root stat -c %a:%U /var/lib/lapor/keys/store.key)" = 600:root -a \
    "$(in_root stat -c %a:%U /var/lib/lapor/keys/device.key)" = 600:root
before=$(sha256sum "$root/var/lib/lapor/keys/store.key")
in_root lapor-ctl init-secrets >/dev/null
expect "init-secrets never replaces a key" test "$before" = "$(sha256sum "$root/var/lib/lapor/keys/store.key")"
echo 'office_hours_note = 1' >> "$root/etc/lapor/lapor.toml"
in_root sh -c 'DEBIAN_FRONTEND=noninteractive apt-get remove -y -q lapor-testing lapor-kiosk lapor-syncd lapor-tools lapor-common' >/dev/null
expect "remove keeps the edited conffile and the state" test -f "$root/etc/lapor/lapor.toml" -a \
    -f "$root/var/lib/lapor/keys/store.key"
rm -rf "$work"
[ $fail = 0 ] && echo "install-test: all checks passed" || echo "install-test: FAILED"
exit $fail
