# qemu.sh - builds QEMU (Debian 12's qemu source package) with our `cosim-pci`
# device into a cache outside the checkout. Sourced by tools/cosim; bash only.
#
# Defines:
#   COSIM_QEMU_PACKAGES        Debian packages needed to build and run QEMU
#   cosim_enable_deb_src       enable deb-src in the apt sources (0 = changed)
#   cosim_qemu_missing_packages  print the COSIM_QEMU_PACKAGES not installed
#   cosim_build_qemu           build (or find cached) qemu-system-x86_64;
#                              sets COSIM_QEMU_BIN, COSIM_QEMU_VERSION,
#                              COSIM_QEMU_KEY, COSIM_QEMU_DIR
#   cosim_qemu_firmware_args   print the -L options for Debian's firmware
#
# Cache layout ($COSIM_CACHE/qemu):
#   src/<version>/             apt-get source --download-only (.dsc + tarballs)
#   work/<version>/            unpacked, patched tree; build/ inside it. Kept so
#                              a change of cosim-pci.c alone rebuilds in seconds
#   <version>-<hash>/          one finished build: bin/qemu-system-x86_64,
#                              build.log, info. The key: Debian source version
#                              plus a hash of every file that shapes the binary
#   <version>-<hash>.log       the log of a build in progress or failed
#   .lock                      serialises concurrent builds (flock)

# Standalone use: tools/cosim normally provides these.
if ! declare -F log_step >/dev/null; then
    log_step() { printf '==> %s\n' "$*" >&2; }
fi
if ! declare -F die >/dev/null; then
    die() { printf 'error: %s\n' "$*" >&2; exit 1; }
fi
# Absolute, so hashing this file works whatever the caller's directory.
_COSIM_QEMU_SH=$(readlink -f "${BASH_SOURCE[0]}")
: "${COSIM_ROOT:=$(cd "$(dirname "$_COSIM_QEMU_SH")/../.." && pwd)}"
: "${COSIM_CACHE:=${XDG_CACHE_HOME:-$HOME/.cache}/cosim}"

COSIM_QEMU_PACKAGES=(
    # fetch and unpack the source package
    dpkg-dev xz-utils
    # toolchain and QEMU 7.2's build system
    build-essential pkg-config python3 python3-venv ninja-build meson flex bison
    # libraries of the minimal x86_64-softmmu build (zlib is mandatory in 7.2)
    libglib2.0-dev libpixman-1-dev zlib1g-dev libslirp-dev libfdt-dev
    # firmware at run time: the dfsg source ships no blobs (BIOS, option ROMs,
    # linuxboot_dma.bin, the NIC boot ROMs)
    seabios qemu-system-data ipxe-qemu
)

# Where Debian's packages above put the firmware. Also baked into the binary
# with --firmwarepath, so -L is only needed to add to or override these.
COSIM_QEMU_FIRMWARE_DIRS=(/usr/share/qemu /usr/share/seabios /usr/lib/ipxe/qemu)

COSIM_QEMU_SOURCE_PACKAGE=qemu
COSIM_APT_SOURCES=/etc/apt/sources.list.d/debian.sources

# Minimal build, as measured in shared/brief/build-notes.md. --disable-install-blobs
# because the dfsg tarball has none; firmware comes from Debian's packages.
COSIM_QEMU_CONFIGURE_ARGS=(
    --target-list=x86_64-softmmu
    --without-default-features
    --enable-kvm --enable-tcg --enable-slirp --enable-fdt=system
    --disable-docs --disable-werror --disable-install-blobs
    "--firmwarepath=$(IFS=:; echo "${COSIM_QEMU_FIRMWARE_DIRS[*]}")"
)

# Enable source packages by adding deb-src to the existing entries (deb822
# format, the Debian 12 default; a one-line sources.list is handled too).
# Idempotent. Returns 0 if it changed something (the caller must then run
# apt-get update), 1 if deb-src was already enabled. Also sets
# COSIM_APT_UPDATE_NEEDED=1/0 for callers running under `set -e`.
cosim_enable_deb_src() {
    COSIM_APT_UPDATE_NEEDED=0
    local f changed=0
    if [[ -f $COSIM_APT_SOURCES ]]; then
        if grep -qE '^Types:([[:space:]]+[a-z-]+)*[[:space:]]+deb([[:space:]]|$)' "$COSIM_APT_SOURCES" &&
           grep -E '^Types:' "$COSIM_APT_SOURCES" | grep -qvw 'deb-src'; then
            # Only stanzas that have "deb" but not yet "deb-src".
            sed -i -E '/^Types:/{/(^|[[:space:]])deb-src([[:space:]]|$)/!s/(^Types:.*[[:space:]]deb)([[:space:]]|$)/\1 deb-src\2/}' \
                "$COSIM_APT_SOURCES" || die "cannot edit $COSIM_APT_SOURCES (run as root)"
            changed=1
        fi
    fi
    for f in /etc/apt/sources.list; do
        [[ -f $f ]] || continue
        # For each active "deb URI suite comps" line without a deb-src twin, add one.
        local line src
        while IFS= read -r line; do
            src="deb-src${line#deb}"
            grep -qxF "$src" "$f" && continue
            printf '%s\n' "$src" >>"$f" || die "cannot edit $f (run as root)"
            changed=1
        done < <(grep -E '^deb[[:space:]]' "$f")
    done
    if ((changed)); then
        COSIM_APT_UPDATE_NEEDED=1
        return 0
    fi
    return 1
}

cosim_qemu_missing_packages() {
    local p
    for p in "${COSIM_QEMU_PACKAGES[@]}"; do
        [[ $(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null) == ii* ]] || echo "$p"
    done
}

cosim_qemu_firmware_args() {
    local d args=()
    for d in "${COSIM_QEMU_FIRMWARE_DIRS[@]}"; do
        [[ -d $d ]] && args+=(-L "$d")
    done
    printf '%s\n' "${args[*]}"
}

# The files whose content decides the binary. This file is included because
# it holds the tree edits and the configure line.
_cosim_qemu_inputs() {
    printf '%s\n' \
        "$COSIM_ROOT/qemu_frontend/qemu/cosim-pci.c" \
        "$COSIM_ROOT/qemu_frontend/include/cosim_frontend.h" \
        "$_COSIM_QEMU_SH"
}

_cosim_hash_files() {
    local f
    for f in "$@"; do
        [[ -f $f ]] || die "missing $f"
        printf '%s\n' "${f##*/}"
        cat "$f"
    done | sha256sum | cut -c1-12
}

# Prints the version (without epoch) that `apt-get source qemu` would fetch,
# e.g. 7.2+dfsg-7+deb12u18. Uses only the local package index.
_cosim_qemu_source_version() {
    local uris v
    uris=$(apt-get source --print-uris -qq "$COSIM_QEMU_SOURCE_PACKAGE" 2>/dev/null) || return 1
    v=$(sed -nE "s/^'[^']*' ${COSIM_QEMU_SOURCE_PACKAGE}_([^ ]+)\\.dsc .*/\\1/p" <<<"$uris")
    v=${v%%$'\n'*}
    [[ -n $v ]] || return 1
    echo "$v"
}

# The source version, enabling deb-src and updating the index once if needed.
_cosim_qemu_resolve_version() {
    local v
    if v=$(_cosim_qemu_source_version); then
        echo "$v"; return 0
    fi
    [[ $EUID -eq 0 ]] ||
        die "apt has no source package index for '$COSIM_QEMU_SOURCE_PACKAGE': as root, enable deb-src in $COSIM_APT_SOURCES and run apt-get update"
    cosim_enable_deb_src && log_step "enabled deb-src in the apt sources"
    log_step "apt-get update (source package index)"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null >&2 || die "apt-get update failed"
    v=$(_cosim_qemu_source_version) ||
        die "apt-get source cannot find '$COSIM_QEMU_SOURCE_PACKAGE' (is deb-src enabled in $COSIM_APT_SOURCES?)"
    echo "$v"
}

# Our edits to the pristine (Debian-patched) tree. Each is idempotent and
# checks that its anchor exists, so a QEMU whose files moved fails loudly.
_cosim_qemu_edit_tree() {
    local tree=$1
    # 1. The device: built when the machine has PCI, on by default, like edu.
    if ! grep -q '^config COSIM_PCI' "$tree/hw/misc/Kconfig"; then
        cat >>"$tree/hw/misc/Kconfig" <<'EOF'

config COSIM_PCI
    bool
    default y if PCI_DEVICES
    depends on PCI && MSI_NONBROKEN
EOF
    fi
    if ! grep -q 'CONFIG_COSIM_PCI' "$tree/hw/misc/meson.build"; then
        grep -q "files('edu.c')" "$tree/hw/misc/meson.build" || die "hw/misc/meson.build: anchor edu.c not found"
        sed -i "/files('edu.c')/a softmmu_ss.add(when: 'CONFIG_COSIM_PCI', if_true: files('cosim-pci.c'))" \
            "$tree/hw/misc/meson.build"
    fi
    # 2. The dfsg tarball lacks the edk2 blobs that pc-bios/meson.build
    #    unpacks (build-notes.md). Debian's skip-meson-pc-bios.diff already
    #    stops meson from entering pc-bios/; should a source package not carry
    #    that patch, skip the edk2 block instead. Firmware comes from Debian's
    #    packages either way.
    if grep -q "^subdir('pc-bios')" "$tree/meson.build" &&
       ! grep -q 'if false and unpack_edk2_blobs' "$tree/pc-bios/meson.build"; then
        grep -q '^if unpack_edk2_blobs' "$tree/pc-bios/meson.build" || die "pc-bios/meson.build: anchor unpack_edk2_blobs not found"
        sed -i 's/^if unpack_edk2_blobs/if false and unpack_edk2_blobs/' "$tree/pc-bios/meson.build"
    fi
    # 3. Fair round-robin under -icount (lockstep with more than one vCPU).
    #    With -icount every vCPU runs in one thread, and QEMU 7.2 gives the
    #    first vCPU of each round the whole budget up to the next timer
    #    deadline. A vCPU that spins (Linux's BSP waiting for an AP during SMP
    #    bring-up, or any IPI wait) uses all of it; the next vCPU then gets a
    #    budget of 0, the timer runs, and the round starts again with the
    #    spinner: the guest livelocks at "x86: Booting SMP configuration".
    #    Our edit: each round computes one share, half the time to the
    #    deadline, and no vCPU runs past its share (nor past a deadline armed
    #    meanwhile), so a spinner leaves the next vCPUs at least half. Halted
    #    vCPUs use none of theirs and a PAUSE ends a vCPU's turn, so in
    #    practice every vCPU that has work runs each round. QEMU 8.1 fixed the
    #    same livelock upstream by dividing by the number of vCPUs; with 12
    #    vCPUs those slices are so short that 7.2's x86 TCG corrupted the
    #    guest's EFLAGS in about 4 boots of 10 here (general protection and
    #    double faults with reserved EFLAGS bits set), against 0 of 20 boots
    #    and a clean 2185-test matrix with halves (docs/time.md).
    local icount_c="$tree/accel/tcg/tcg-accel-ops-icount.c"
    local icount_h="$tree/accel/tcg/tcg-accel-ops-icount.h"
    local rr_c="$tree/accel/tcg/tcg-accel-ops-rr.c"
    if ! grep -q 'icount_round_budget' "$icount_h"; then
        grep -q '^void icount_prepare_for_run(CPUState \*cpu);' "$icount_h" &&
            grep -q '^void icount_prepare_for_run(CPUState \*cpu)$' "$icount_c" &&
            grep -q '^    cpu->icount_budget = icount_get_limit();$' "$icount_c" &&
            grep -q '^                    icount_prepare_for_run(cpu);$' "$rr_c" &&
            grep -q '^        while (cpu && cpu_work_list_empty(cpu) && !cpu->exit_request) {$' "$rr_c" ||
            die "accel/tcg: anchors for the icount round-robin edit not found"
        sed -i 's/^void icount_prepare_for_run(CPUState \*cpu);/void icount_prepare_for_run(CPUState *cpu, int64_t round_budget);\nint64_t icount_round_budget(int ncpus);/' "$icount_h"
        sed -i -e 's/^void icount_prepare_for_run(CPUState \*cpu)$/void icount_prepare_for_run(CPUState *cpu, int64_t round_budget)/' \
            -e 's/^    cpu->icount_budget = icount_get_limit();$/    cpu->icount_budget = MIN(round_budget, icount_get_limit());/' "$icount_c"
        cat >>"$icount_c" <<'EOF'

/* cosim: each vCPU's share of one round-robin round (see cosim's qemu.sh). */
int64_t icount_round_budget(int ncpus)
{
    int64_t limit = icount_get_limit();

    return ncpus > 1 && limit >= 2 ? limit / 2 : limit;
}
EOF
        sed -i 's/^                    icount_prepare_for_run(cpu);$/                    icount_prepare_for_run(cpu, round_budget);/' "$rr_c"
        sed -i '/^        while (cpu && cpu_work_list_empty(cpu) && !cpu->exit_request) {$/i\
        /* cosim: at most half the time to the deadline per vCPU */\
        int64_t round_budget = 0;\
        if (icount_enabled()) {\
            CPUState *each;\
            int ncpus = 0;\
            CPU_FOREACH(each) {\
                ncpus++;\
            }\
            round_budget = icount_round_budget(ncpus);\
        }\
' "$rr_c"
    fi
    # 4. Under TCG without -icount, the guest's TSC follows QEMU's virtual
    #    clock (1 GHz), as it follows the instruction count under -icount.
    #    Stock 7.2 runs it from the host's TSC instead, so freezing guest time
    #    (cosim-pci time=freeze, cpu_disable_ticks) stopped two clocks read
    #    one after the other: a preemption between the reads skewed the TSC
    #    against the HPET and the guest's clocksource watchdog marked the TSC
    #    unstable. With one clock, freeze can stop guest time around every
    #    BAR read (docs/time.md).
    local ops_c="$tree/accel/tcg/tcg-accel-ops.c"
    if ! grep -q 'cosim: the guest TSC follows the virtual clock' "$ops_c"; then
        grep -q '^    ops->supports_guest_debug = tcg_supports_guest_debug;$' "$ops_c" &&
            grep -q '^#include "sysemu/cpu-timers.h"$' "$ops_c" ||
            die "accel/tcg/tcg-accel-ops.c: anchors for the TSC edit not found"
        sed -i '/^    ops->supports_guest_debug = tcg_supports_guest_debug;$/i\
    /* cosim: the guest TSC follows the virtual clock (see cosim'"'"'s qemu.sh) */\
    if (!icount_enabled()) {\
        ops->get_elapsed_ticks = cpu_get_clock;\
    }\
' "$ops_c"
    fi
}

# What the prepared tree depends on besides the version: the edits and the
# configure line (not the rest of this file, so editing a log line does not
# cost a full rebuild).
_cosim_qemu_recipe_hash() {
    { declare -f _cosim_qemu_edit_tree; printf '%s\n' "${COSIM_QEMU_CONFIGURE_ARGS[@]}"; } |
        sha256sum | cut -c1-12
}

# Copies our sources into the tree, touching only files whose content changed
# so ninja recompiles only what it must.
_cosim_qemu_copy_device() {
    local tree=$1 src dst
    for src in "$COSIM_ROOT/qemu_frontend/qemu/cosim-pci.c" "$COSIM_ROOT/qemu_frontend/include/cosim_frontend.h"; do
        dst="$tree/hw/misc/${src##*/}"
        cmp -s "$src" "$dst" || cp "$src" "$dst" || die "cannot copy $src into $tree"
    done
}

cosim_build_qemu() {
    local root="$COSIM_CACHE/qemu" version hash key dir log
    mkdir -p "$root" || die "cannot create $root"

    # Serialise builds sharing the cache; the lock is held until we return.
    exec {_cosim_qemu_lock_fd}>"$root/.lock" || die "cannot open $root/.lock"
    if ! flock -n "$_cosim_qemu_lock_fd"; then
        log_step "waiting for another QEMU build ($root/.lock)"
        flock "$_cosim_qemu_lock_fd" || die "cannot lock $root/.lock"
    fi

    version=$(_cosim_qemu_resolve_version) || die "cannot resolve the QEMU source version"
    local inputs
    mapfile -t inputs < <(_cosim_qemu_inputs)
    hash=$(_cosim_hash_files "${inputs[@]}") || die "cannot hash our QEMU inputs"
    key="$version-$hash"
    dir="$root/$key"
    COSIM_QEMU_VERSION=$version
    COSIM_QEMU_KEY=$key
    COSIM_QEMU_DIR=$dir
    if [[ -x $dir/bin/qemu-system-x86_64 ]]; then
        COSIM_QEMU_BIN="$dir/bin/qemu-system-x86_64"
        log_step "QEMU $key is cached"
        _cosim_qemu_unlock
        return 0
    fi

    local missing
    missing=$(cosim_qemu_missing_packages | tr '\n' ' ')
    [[ -z $missing ]] || die "packages needed to build QEMU are missing: $missing(install them with apt-get install)"

    log=$root/$key.log
    : >"$log"
    local t0=$SECONDS

    # Fetch: the orig tarball, Debian's patches and the .dsc that ties them.
    local src="$root/src/$version"
    local dsc="$src/${COSIM_QEMU_SOURCE_PACKAGE}_$version.dsc"
    if [[ ! -f $dsc ]]; then
        log_step "fetching Debian source package $COSIM_QEMU_SOURCE_PACKAGE $version"
        rm -rf "$src.tmp" && mkdir -p "$src.tmp"
        # Let apt download as its unprivileged _apt user, as it prefers.
        [[ $EUID -eq 0 ]] && id _apt >/dev/null 2>&1 && chown _apt "$src.tmp"
        # Same index as _cosim_qemu_source_version, so the same candidate.
        (cd "$src.tmp" && apt-get source --download-only -q "$COSIM_QEMU_SOURCE_PACKAGE") >>"$log" 2>&1 ||
            _cosim_qemu_fail "$log" "apt-get source $COSIM_QEMU_SOURCE_PACKAGE failed"
        [[ -f $src.tmp/${dsc##*/} ]] ||
            _cosim_qemu_fail "$log" "apt-get source did not fetch ${dsc##*/} (did the index change meanwhile?)"
        rm -rf "$src" && mv "$src.tmp" "$src"
    fi

    # Unpack with dpkg-source, which applies debian/patches as Debian's own
    # build does: our QEMU is Debian's QEMU (security fixes included) + one
    # device. The tree is reused across shim changes; a new version, tree edit
    # or configure line starts from a fresh unpack.
    local tree="$root/work/$version" recipe
    recipe=$(_cosim_qemu_recipe_hash)
    if [[ ! -f $tree/.cosim-recipe || $(<"$tree/.cosim-recipe") != "$recipe" ]]; then
        log_step "unpacking and patching QEMU $version"
        rm -rf "$tree"
        mkdir -p "$root/work"
        dpkg-source --no-check -x "$dsc" "$tree" >>"$log" 2>&1 ||
            _cosim_qemu_fail "$log" "dpkg-source -x $dsc failed"
        rm -f "$root/work/"*.orig.tar.* # dpkg-source's copy; src/ has the original
        _cosim_qemu_edit_tree "$tree"
        _cosim_qemu_copy_device "$tree"
        log_step "configuring (x86_64-softmmu, minimal)"
        mkdir -p "$tree/build"
        (cd "$tree/build" &&
            ../configure "${COSIM_QEMU_CONFIGURE_ARGS[@]}" "--with-pkgversion=Debian $version, cosim") >>"$log" 2>&1 ||
            _cosim_qemu_fail "$log" "QEMU configure failed"
        echo "$recipe" >"$tree/.cosim-recipe"
    else
        _cosim_qemu_copy_device "$tree"
    fi

    local jobs
    jobs=${COSIM_JOBS:-$(nproc 2>/dev/null || echo 2)}
    # Our file first: a mistake in it shows in seconds, not after minutes of
    # QEMU, and a missing object means the Kconfig/meson edit did not take.
    local obj
    # (awk reads to the end: an early exit would SIGPIPE ninja under pipefail)
    obj=$(ninja -C "$tree/build" -t targets all 2>/dev/null | awk -F: '$1 ~ /cosim-pci\.c\.o$/ && !n++ { print $1 }')
    [[ -n $obj ]] || _cosim_qemu_fail "$log" "cosim-pci.c is not part of the QEMU build (CONFIG_COSIM_PCI off?)"
    log_step "compiling cosim-pci.c"
    ninja -C "$tree/build" -j "$jobs" "$obj" </dev/null >>"$log" 2>&1 ||
        _cosim_qemu_fail "$log" "cosim-pci.c does not compile"
    log_step "building qemu-system-x86_64 with $jobs jobs (log: $log)"
    ninja -C "$tree/build" -j "$jobs" qemu-system-x86_64 </dev/null >>"$log" 2>&1 ||
        _cosim_qemu_fail "$log" "QEMU build failed"

    # Install atomically: a directory with bin/ is a finished build.
    rm -rf "$dir.tmp" "$dir"
    mkdir -p "$dir.tmp/bin"
    cp "$tree/build/qemu-system-x86_64" "$dir.tmp/bin/" || _cosim_qemu_fail "$log" "cannot install into $dir"
    {
        echo "source-package: $COSIM_QEMU_SOURCE_PACKAGE $version"
        echo "inputs-hash: $hash"
        printf 'input: %s\n' "${inputs[@]}"
        echo "configure: ${COSIM_QEMU_CONFIGURE_ARGS[*]}"
        echo "built: $(date -u +%Y-%m-%dT%H:%M:%SZ) in $((SECONDS - t0)) s"
    } >"$dir.tmp/info"
    mv "$log" "$dir.tmp/build.log"
    mv "$dir.tmp" "$dir"
    _cosim_qemu_prune "$root" "$key"

    COSIM_QEMU_BIN="$dir/bin/qemu-system-x86_64"
    log_step "QEMU $key built in $((SECONDS - t0)) s"
    _cosim_qemu_unlock
}

_cosim_qemu_unlock() {
    if [[ -n ${_cosim_qemu_lock_fd:-} ]]; then
        exec {_cosim_qemu_lock_fd}>&-
        unset _cosim_qemu_lock_fd
    fi
}

_cosim_qemu_fail() {
    local log=$1 msg=$2
    {
        echo "---- last lines of $log ----"
        tail -n 30 "$log"
        echo "---- full log: $log ----"
    } >&2
    _cosim_qemu_unlock
    die "$msg (log: $log)"
}

# Keeps the newest builds (this one and two more): each shim edit makes a new
# one of ~60 MB. Never returns non-zero: callers run under set -e.
_cosim_qemu_prune() {
    local root=$1 keep=$2 d n=0
    while IFS= read -r d; do
        d=${d%/}
        [[ $d == "$root/$keep" || $d == *.tmp ]] && continue
        n=$((n + 1))
        if ((n > 2)); then rm -rf "$d"; fi
    done < <(ls -1dt "$root"/*-*/ 2>/dev/null)
    return 0
}
