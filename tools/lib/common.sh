# shellcheck shell=bash
# common.sh - shared helpers of the cosim command: progress lines, errors,
# package installation. Sourced by tools/cosim.

: "${COSIM_ROOT:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${COSIM_CACHE:=${XDG_CACHE_HOME:-$HOME/.cache}/cosim}"

log_step() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }
log_info() { printf '    %s\n' "$*" >&2; }
die() {
    printf 'cosim: error: %s\n' "$*" >&2
    exit 1
}

# Packages the C++ build and tests need (SystemC and Verilator too: the TLM
# and RTL backends build against them).
COSIM_BASE_PACKAGES=(
    build-essential cmake ninja-build pkg-config git
    libzmq3-dev cppzmq-dev libprotobuf-dev protobuf-compiler
    libgtest-dev libgmock-dev libbenchmark-dev
    libsystemc-dev verilator
)

# Prints those of the named packages that are not installed (one dpkg-query call).
_cosim_missing() {
    (($#)) || return 0
    local installed
    installed=$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "$@" 2>/dev/null | awk '$2 == "ii" { print $1 }')
    printf '%s\n' "$@" | awk -v have="$installed" 'BEGIN { n = split(have, h, "\n"); for (i = 1; i <= n; i++) ok[h[i]] = 1 }
        NF && !ok[$0]'
}

# Installs exactly the missing packages: apt-get update once (only if anything
# is missing or the sources changed), then apt-get install. Quiet when nothing
# is missing.
cosim_setup() {
    local updated=0 missing=() guest_pkgs
    [[ $(id -u) == 0 ]] || COSIM_NO_ROOT=1
    # deb-src is needed for QEMU's source package; editing the sources needs an update.
    if [[ -z ${COSIM_NO_ROOT:-} ]]; then
        cosim_enable_deb_src || true
    fi
    _apt_update() {
        ((updated)) && return 0
        log_step "apt-get update"
        DEBIAN_FRONTEND=noninteractive apt-get update -q </dev/null >&2 || die "apt-get update failed"
        updated=1
    }
    if [[ ${COSIM_APT_UPDATE_NEEDED:-0} == 1 ]]; then _apt_update; fi
    mapfile -t missing < <(_cosim_missing "${COSIM_BASE_PACKAGES[@]}" "${COSIM_QEMU_PACKAGES[@]}" "${COSIM_GUEST_PACKAGES[@]}")
    # The kernel headers' name follows the kernel metapackage: resolving it needs package lists.
    if ! guest_pkgs=$(cosim_guest_packages 2>/dev/null); then
        _apt_update
        guest_pkgs=$(cosim_guest_packages) || die "cannot resolve the guest kernel version from linux-image-amd64"
    fi
    mapfile -t -O "${#missing[@]}" missing < <(_cosim_missing $guest_pkgs)
    mapfile -t missing < <(printf '%s\n' "${missing[@]}" | awk 'NF && !seen[$0]++')
    ((${#missing[@]})) || return 0
    if [[ -n ${COSIM_NO_ROOT:-} ]]; then
        die "missing packages: ${missing[*]}; as root run: apt-get install -y ${missing[*]}"
    fi
    if ! ((updated)) && [[ ${missing[*]} ]]; then _apt_update; fi
    log_step "installing ${#missing[@]} packages: ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null >&2 ||
        die "apt-get install failed for: ${missing[*]}"
}
