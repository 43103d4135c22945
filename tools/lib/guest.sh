# shellcheck shell=bash
# tools/lib/guest.sh — the guest image: Debian's kernel, the unmodified
# pci_endpoint_test driver and pcitest built from Debian's kernel source, a
# busybox initramfs that runs a test plan and prints a transcript.
#
# Sourced by tools/cosim (which provides COSIM_ROOT, COSIM_CACHE, log_step, die);
# also works standalone:  bash -c '. tools/lib/guest.sh; cosim_build_guest'
#
# Defines
#   COSIM_GUEST_PACKAGES          Debian packages needed, except the headers
#                                 package whose name depends on the kernel
#   COSIM_GUEST_EXTRA_MODULES     kernel modules from the image package to load
#                                 in the guest before the driver (none needed
#                                 with Debian 12's kernel: see below)
#   cosim_guest_kver              print the kernel release (e.g. 6.1.0-56-amd64),
#                                 resolved from linux-image-amd64's dependency
#   cosim_guest_packages          print every package needed, one per line
#   cosim_guest_missing_packages  print the ones not installed
#   cosim_guest_install_packages  apt-get install the missing ones
#   cosim_build_guest             build (or reuse) the image; sets
#                                 COSIM_GUEST_KERNEL, COSIM_GUEST_INITRD,
#                                 COSIM_GUEST_KVER, COSIM_GUEST_DIR
#   cosim_guest_cmdline CONFIG [PLAN] [ARGS]
#                                 print the kernel command line
#   cosim_guest_qemu_args CONFIG [PLAN] [ARGS]
#                                 print QEMU arguments, one per line
#                                 (mapfile -t a < <(cosim_guest_qemu_args q35 smoke))
#   cosim_parse_transcript LOG    summarise a console log; exit status 0 all
#                                 passed, 1 a test failed, 2 no COSIM-END
#                                 (the guest crashed or hung)
#
# Environment:
#   COSIM_GUEST_KVER   kernel release to use instead of the resolved one
#   COSIM_GUEST_BOOT   pvh (default: boot the uncompressed vmlinux through its
#                      PVH entry, seconds faster under TCG) or bzimage (vmlinuz)
#   COSIM_GUEST_SMP    guest CPUs (default 12: 2048 MSI-X vectors need >= 11)
#   COSIM_GUEST_MEM    guest memory in MiB (default 1024; > 4096 puts DMA
#                      buffers above 4 GiB)
#   COSIM_NO_INSTALL=1 never run apt-get install; fail with the command instead
#
# Cache: $COSIM_CACHE/guest/kernel/<kver>/ (the image package, vmlinuz, vmlinux),
# $COSIM_CACHE/guest/src/<source version>/ (the few extracted source files),
# $COSIM_CACHE/guest/<kver>-<hash>/ (module, pcitest, initramfs, logs/), the
# hash covering this file, tools/guest/ and the versions of the packages used.
# A failed build leaves its logs in <kver>-<hash>.partial/logs/.

: "${COSIM_ROOT:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${COSIM_CACHE:=${XDG_CACHE_HOME:-$HOME/.cache}/cosim}"

declare -F log_step >/dev/null || log_step() { printf '==> %s\n' "$*" >&2; }
declare -F die >/dev/null || die() {
    printf 'error: %s\n' "$*" >&2
    exit 1
}

COSIM_GUEST_PACKAGES=(
    busybox-static # the initramfs userland (must be the static build)
    cpio gzip xz-utils
    gcc make libc6-dev # pcitest (static) and the module build
    linux-libc-dev     # uapi headers for pcitest (linux/ioctl.h)
    kmod               # modinfo, for extra modules' dependencies
)
# Modules of the image package to load before pci_endpoint_test, by name;
# dependencies are added. Debian 12's kernel has everything the guest needs
# built in (8250 console, devtmpfs, PCI MSI/MSI-X, intel-iommu + IRQ remapping,
# PCIe port bus, crc32), and pci_endpoint_test depends on no module.
COSIM_GUEST_EXTRA_MODULES=()

# Kernel release, e.g. 6.1.0-56-amd64.
cosim_guest_kver() {
    _cosim_guest_resolve_kver || return 1
    echo "$_COSIM_GUEST_KVER"
}

# Sets _COSIM_GUEST_KVER (once per shell: apt-cache takes a second).
_cosim_guest_resolve_kver() {
    if [[ -n ${COSIM_GUEST_KVER:-} ]]; then
        _COSIM_GUEST_KVER=$COSIM_GUEST_KVER
        return 0
    fi
    [[ -n ${_COSIM_GUEST_KVER:-} ]] && return 0
    local dep
    dep=$(apt-cache depends linux-image-amd64 2>/dev/null |
        awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }') || true
    [[ -n $dep ]] || {
        echo "cannot resolve linux-image-amd64's kernel (run 'apt-get update' first)" >&2
        return 1
    }
    _COSIM_GUEST_KVER=${dep#linux-image-}
}

# "6.1" for "6.1.0-56-amd64": the linux-source-X.Y package.
_cosim_guest_srcseries() {
    local v=${1%%-*}
    echo "${v%.*}"
}

cosim_guest_packages() {
    local kver
    kver=$(cosim_guest_kver) || return 1
    printf '%s\n' "${COSIM_GUEST_PACKAGES[@]}" \
        "linux-source-$(_cosim_guest_srcseries "$kver")" "linux-headers-$kver"
}

cosim_guest_missing_packages() {
    local pkgs installed
    pkgs=$(cosim_guest_packages) || return 1
    # shellcheck disable=SC2086
    installed=$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' $pkgs 2>/dev/null |
        awk '$2 == "ii" { print $1 }') || true
    awk -v have="$installed" 'BEGIN { n = split(have, h, "\n"); for (i = 1; i <= n; i++) ok[h[i]] = 1 }
        NF && !ok[$0]' <<<"$pkgs"
}

cosim_guest_install_packages() {
    local missing
    missing=$(cosim_guest_missing_packages) || return 1
    [[ -z $missing ]] && return 0
    missing=${missing//$'\n'/ } # one line
    if [[ ${COSIM_NO_INSTALL:-0} == 1 || $(id -u) != 0 ]]; then
        die "missing packages: $missing; install them with: apt-get install -y $missing"
    fi
    log_step "installing $missing"
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing >&2 ||
        die "apt-get install failed (try 'apt-get update' first)"
}

# Run a build step with its output in a log; on failure show the tail.
_cosim_guest_run() { # LOG CMD...
    local log=$1
    shift
    if ! "$@" >>"$log" 2>&1; then
        echo "---- last lines of $log ----" >&2
        tail -n 25 "$log" >&2
        die "guest build step failed: $* (log: $log)"
    fi
}

# Download and unpack the kernel image package (cached by kernel release).
_cosim_guest_kernel() { # KVER -> sets _KDIR
    local kver=$1
    local kdir=$COSIM_CACHE/guest/kernel/$kver
    _KDIR=$kdir
    [[ -f $kdir/.done ]] && return 0
    log_step "guest: downloading linux-image-$kver"
    rm -rf "$kdir"
    mkdir -p "$kdir/dl"
    # apt drops privileges to _apt for downloads: let it write there.
    chmod 777 "$kdir/dl"
    local log=$kdir/download.log
    (cd "$kdir/dl" && apt-get download "linux-image-$kver") >"$log" 2>&1 || {
        tail -n 15 "$log" >&2
        die "apt-get download linux-image-$kver failed (log: $log)"
    }
    local deb
    deb=$(find "$kdir/dl" -name "linux-image-${kver}_*.deb" | head -n1) || true
    [[ -f $deb ]] || die "no .deb after apt-get download (log: $log)"
    mv "$deb" "$kdir/linux-image.deb"
    rmdir "$kdir/dl"
    dpkg-deb -f "$kdir/linux-image.deb" Version >"$kdir/version"
    dpkg-deb -c "$kdir/linux-image.deb" | awk '{ print $6 }' >"$kdir/contents"
    (cd "$kdir" && dpkg-deb --fsys-tarfile linux-image.deb |
        tar -x "./boot/vmlinuz-$kver" "./boot/config-$kver") >>"$log" 2>&1 ||
        die "cannot unpack vmlinuz from linux-image-$kver (log: $log)"
    mv "$kdir/boot/vmlinuz-$kver" "$kdir/vmlinuz"
    mv "$kdir/boot/config-$kver" "$kdir/config"
    rmdir "$kdir/boot"
    touch "$kdir/.done"
}

# The same kernel, uncompressed: QEMU boots an ELF vmlinux that carries the PVH
# entry note (Debian's has CONFIG_PVH=y) directly, skipping the firmware's
# real-mode boot and the XZ decompression, which take seconds under TCG.
# Sets _KERNEL to vmlinux, or to vmlinuz where that does not work.
_cosim_guest_pvh() { # KDIR
    local kdir=$1 off
    _KERNEL=$kdir/vmlinuz
    [[ ${COSIM_GUEST_BOOT:-pvh} == pvh ]] || return 0
    if [[ ! -f $kdir/.pvh-checked ]]; then
        rm -f "$kdir/vmlinux"
        # The payload is the first XZ stream in the bzImage that unpacks to an ELF.
        # shellcheck disable=SC2013
        for off in $(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$kdir/vmlinuz" | cut -d: -f1); do
            # (xz stops at the stream's end: no pipe, or tail's SIGPIPE fails pipefail)
            if xz -dc --single-stream <(tail -c +$((off + 1)) "$kdir/vmlinuz") >"$kdir/vmlinux.tmp" 2>/dev/null &&
                [[ $(head -c 4 "$kdir/vmlinux.tmp" | od -An -tx1 | tr -d ' ') == 7f454c46 ]]; then
                # XEN_ELFNOTE_PHYS32_ENTRY (18): the PVH entry point.
                if LC_ALL=C readelf -n "$kdir/vmlinux.tmp" 2>/dev/null |
                    awk '$1 == "Xen" && /0x00000012|PHYS32/ { f = 1 } END { exit !f }'; then
                    mv "$kdir/vmlinux.tmp" "$kdir/vmlinux"
                fi
                break
            fi
        done
        rm -f "$kdir/vmlinux.tmp"
        touch "$kdir/.pvh-checked"
    fi
    if [[ -f $kdir/vmlinux ]]; then _KERNEL=$kdir/vmlinux; fi
}

# Extract only the files we need from Debian's kernel source tarball (cached by
# the source package's version).
_cosim_guest_sources() { # KVER -> sets _SDIR
    local series tarball ver sdir
    series=$(_cosim_guest_srcseries "$1")
    tarball=/usr/src/linux-source-$series.tar.xz
    [[ -f $tarball ]] || die "$tarball not found (package linux-source-$series)"
    ver=$(dpkg-query -W -f='${Version}' "linux-source-$series")
    sdir=$COSIM_CACHE/guest/src/linux-source-$series-$ver
    _SDIR=$sdir
    [[ -f $sdir/.done ]] && return 0
    log_step "guest: extracting pci_endpoint_test.c, pcitest.c, pcitest.h from $(basename "$tarball")"
    rm -rf "$sdir"
    mkdir -p "$sdir"
    local top=linux-source-$series
    _cosim_guest_run "$sdir/extract.log" tar -xJf "$tarball" -C "$sdir" --strip-components=1 \
        "$top/drivers/misc/pci_endpoint_test.c" \
        "$top/include/uapi/linux/pcitest.h" \
        "$top/tools/pci/pcitest.c" \
        "$top/Makefile"
    touch "$sdir/.done"
}

# The files whose content decides the image (plus kernel and package versions).
_cosim_guest_hash() { # KVER
    local f
    {
        echo "kver $1"
        dpkg-query -W -f='${Package} ${Version}\n' busybox-static libc6-dev gcc \
            "linux-source-$(_cosim_guest_srcseries "$1")" "linux-headers-$1" 2>/dev/null || true
        echo "extra ${COSIM_GUEST_EXTRA_MODULES[*]}"
        for f in tools/lib/guest.sh \
            $(cd "$COSIM_ROOT" && find tools/guest examples -type f \
                \( -path 'tools/guest/*' -o -path 'examples/*/guest/*' -o -path 'examples/*/*.h' \) |
                LC_ALL=C sort); do
            echo "file $f"
            cat "$COSIM_ROOT/$f"
        done
    } | sha256sum | cut -c1-12
}

# Copy COSIM_GUEST_EXTRA_MODULES (and what they depend on) out of the image
# package; writes load.order in dependency order.
_cosim_guest_extra_modules() { # KVER KDIR DESTDIR LOG
    local kver=$1 kdir=$2 dest=$3 log=$4
    : >"$dest/load.order"
    ((${#COSIM_GUEST_EXTRA_MODULES[@]})) || return 0
    local tmp=$dest/.pkg
    mkdir -p "$tmp"
    local -A done_=()
    _cosim_guest_add_mod() {
        local name=$1 path dep
        [[ -n ${done_[$name]:-} ]] && return 0
        done_[$name]=1
        path=$(grep -E "/${name//[-_]/[-_]}\.ko(\.xz|\.zst)?$" "$kdir/contents" | head -n1) || true
        [[ -n $path ]] || die "module $name not in linux-image-$kver"
        (cd "$tmp" && dpkg-deb --fsys-tarfile "$kdir/linux-image.deb" | tar -x "$path") >>"$log" 2>&1 ||
            die "cannot extract $path (log: $log)"
        for dep in $(modinfo -F depends "$tmp/$path" | tr ',' ' '); do
            _cosim_guest_add_mod "$dep"
        done
        case $path in
        *.xz) xz -dc "$tmp/$path" >"$dest/$name.ko" ;;
        *.zst) zstd -dqc "$tmp/$path" >"$dest/$name.ko" ;;
        *) cp "$tmp/$path" "$dest/$name.ko" ;;
        esac
        echo "$name" >>"$dest/load.order"
    }
    local m
    for m in "${COSIM_GUEST_EXTRA_MODULES[@]}"; do _cosim_guest_add_mod "$m"; done
    rm -rf "$tmp"
}

cosim_build_guest() {
    local kver hash out
    _cosim_guest_resolve_kver || die "cannot resolve the guest kernel version"
    kver=$_COSIM_GUEST_KVER
    cosim_guest_install_packages
    _cosim_guest_kernel "$kver"
    _cosim_guest_pvh "$_KDIR"
    hash=$(_cosim_guest_hash "$kver")
    out=$COSIM_CACHE/guest/$kver-$hash
    COSIM_GUEST_KVER=$kver
    COSIM_GUEST_DIR=$out
    COSIM_GUEST_KERNEL=$_KERNEL
    COSIM_GUEST_INITRD=$out/initramfs.cpio.gz
    export COSIM_GUEST_KVER COSIM_GUEST_DIR COSIM_GUEST_KERNEL COSIM_GUEST_INITRD
    if [[ -f $out/.done ]]; then
        log_step "guest: $kver-$hash (cached)"
        return 0
    fi
    mkdir -p "$COSIM_CACHE/guest"
    (
        flock 9
        [[ -f $out/.done ]] && exit 0
        _cosim_guest_build_image "$kver" "$_KDIR" "$out"
    ) 9>"$COSIM_CACHE/guest/.lock" || exit $?
    [[ -f $out/.done ]] || die "guest build failed"
}

_cosim_guest_build_image() { # KVER KDIR OUT
    local kver=$1 kdir=$2 out=$3
    local work=$out.partial
    local headers=/usr/src/linux-headers-$kver
    [[ -d $headers ]] || die "$headers missing (package linux-headers-$kver)"
    _cosim_guest_sources "$kver"
    local sdir=$_SDIR

    log_step "guest: building image $(basename "$out")"
    rm -rf "$work"
    mkdir -p "$work/logs" "$work/module" "$work/uapi/linux" "$work/root"
    local L=$work/logs

    # The driver, out of tree, unchanged.
    cp "$sdir/drivers/misc/pci_endpoint_test.c" "$work/module/"
    echo 'obj-m += pci_endpoint_test.o' >"$work/module/Kbuild"
    log_step "guest: building pci_endpoint_test.ko against $kver headers"
    _cosim_guest_run "$L/module.log" make -C "$headers" M="$work/module" modules
    local vermagic
    vermagic=$(modinfo -F vermagic "$work/module/pci_endpoint_test.ko")
    [[ $vermagic == "$kver "* ]] || die "module vermagic '$vermagic' does not match $kver"

    # pcitest, static, against the uapi header of the same tree as the driver.
    cp "$sdir/include/uapi/linux/pcitest.h" "$work/uapi/linux/"
    if ! cmp -s "$sdir/include/uapi/linux/pcitest.h" /usr/include/linux/pcitest.h; then
        echo "note: linux-libc-dev's pcitest.h differs; using the source tree's" >>"$L/pcitest.log"
    fi
    log_step "guest: building pcitest (static)"
    _cosim_guest_run "$L/pcitest.log" gcc -O2 -static -I "$work/uapi" \
        -o "$work/pcitest" "$sdir/tools/pci/pcitest.c"
    # Our own guest programs: tools/guest/*.c, and each example device's
    # user-space test (examples/*/guest/*.c, which include their device's
    # register header from the folder above). foo_bar.c becomes /bin/foo-bar.
    local c progs=()
    for c in "$COSIM_ROOT"/tools/guest/*.c "$COSIM_ROOT"/examples/*/guest/*.c; do
        [[ -f $c ]] || continue
        local prog
        prog=$(basename "$c" .c)
        prog=${prog//_/-}
        _cosim_guest_run "$L/helpers.log" gcc -O2 -static -Wall -I "$work/uapi" \
            -I "$(dirname "$c")/.." -o "$work/bin-$prog" "$c"
        progs+=("$prog")
    done

    # The initramfs.
    log_step "guest: assembling initramfs"
    local r=$work/root bb=/bin/busybox
    [[ -x $bb ]] || die "$bb missing (package busybox-static)"
    local lddout
    lddout=$(LC_ALL=C ldd "$bb" 2>&1) || true
    [[ $lddout == *"not a dynamic"* ]] ||
        die "$bb is not statically linked (install busybox-static, not busybox)"
    mkdir -p "$r"/{bin,dev,proc,sys,tmp,run,cosim/plans,lib/modules/cosim}
    cp "$bb" "$r/bin/busybox"
    local a
    for a in $("$bb" --list); do
        [[ $a == busybox ]] || ln -sf busybox "$r/bin/$a"
    done
    install -m 755 "$work/pcitest" "$r/bin/pcitest"
    for c in "${progs[@]}"; do install -m 755 "$work/bin-$c" "$r/bin/$c"; done
    install -m 755 "$COSIM_ROOT/tools/guest/init" "$r/init"
    cp "$COSIM_ROOT"/tools/guest/plans/*.plan "$r/cosim/plans/"
    cp "$work/module/pci_endpoint_test.ko" "$r/lib/modules/cosim/"
    _cosim_guest_extra_modules "$kver" "$kdir" "$r/lib/modules/cosim" "$L/modules.log"
    echo "$kver" >"$r/cosim/kver"
    # A console node for the kernel to open before init mounts devtmpfs (init
    # reopens it anyway, so building as non-root only loses early messages).
    mknod -m 600 "$r/dev/console" c 5 1 2>/dev/null || true
    find "$r" -exec touch -h -d @0 {} +
    (cd "$r" && find . -print0 | LC_ALL=C sort -z |
        cpio --null -o -H newc --reproducible -R 0:0 2>>"$L/cpio.log" |
        gzip -9n >"$work/initramfs.cpio.gz") ||
        die "initramfs assembly failed (log: $L/cpio.log)"

    cp "$work/module/pci_endpoint_test.ko" "$work/"
    rm -rf "$work/root"
    {
        echo "kver=$kver"
        echo "kernel_package=linux-image-$kver $(cat "$kdir/version")"
        echo "source=$sdir"
        echo "built=$(date -u +%FT%TZ)"
    } >"$work/info"
    touch "$work/.done"
    rm -rf "$out"
    mv "$work" "$out"
    log_step "guest: $(basename "$out") ($(du -h "$out/initramfs.cpio.gz" | cut -f1) initramfs)"
}

# ---- running it -------------------------------------------------------------

# Guest CPUs. On `pcitest -i 2` the driver allocates and requests every MSI-X
# vector the device offers (up to 2048); x86 Linux gives a device about 194
# vectors per CPU (measured: request_irq fails at vector 195 with one CPU), so
# 2048 vectors need at least 11 CPUs: 12 leaves room for the other devices.
# A device with few MSI-X vectors (model parameter) boots faster with -smp 1.
: "${COSIM_GUEST_SMP:=12}"
: "${COSIM_GUEST_MEM:=1024}"

cosim_guest_cmdline() { # CONFIG [PLAN] [ARGS]
    local config=$1 plan=${2:-none} args=${3:-}
    local cl="console=ttyS0 panic=-1 quiet loglevel=4 mitigations=off"
    case $config in
    pc) ;;
    q35) cl+=" intel_iommu=on" ;;
    *) die "unknown guest config '$config' (pc, q35)" ;;
    esac
    cl+=" cosim.plan=$plan"
    [[ -n $args ]] && cl+=" cosim.args=$args"
    echo "$cl"
}

# QEMU arguments for the machine and the guest image, one per line. The caller
# adds the accelerator, the serial console and the device (after these, since
# intel-iommu must come before the PCI devices it translates for).
cosim_guest_qemu_args() { # CONFIG [PLAN] [ARGS]
    local config=$1
    local cmdline
    cmdline=$(cosim_guest_cmdline "$@") || return 1
    [[ -n ${COSIM_GUEST_KERNEL:-} && -n ${COSIM_GUEST_INITRD:-} ]] ||
        die "cosim_guest_qemu_args: run cosim_build_guest first"
    case $config in
    # i440fx, conventional PCI, no IOMMU: MSI gets one vector only.
    pc) printf '%s\n' -M pc ;;
    # MSI 2..32 need interrupt remapping: intel-iommu,intremap=on plus the
    # kernel's intel_iommu=on (DMA then goes through the vIOMMU too).
    q35) printf '%s\n' -M q35 -device intel-iommu,intremap=on ;;
    esac
    printf '%s\n' -smp "$COSIM_GUEST_SMP"
    printf '%s\n' -m "$COSIM_GUEST_MEM" -display none -vga none -net none -no-reboot \
        -kernel "$COSIM_GUEST_KERNEL" -initrd "$COSIM_GUEST_INITRD" -append "$cmdline"
}

# Summarise a console log. Exit 0: all passed; 1: a test failed; 2: the
# transcript is incomplete (no COSIM-BEGIN or no COSIM-END: crash or hang).
cosim_parse_transcript() { # LOG
    local log=$1
    [[ -r $log ]] || {
        echo "no console log: $log" >&2
        return 2
    }
    awk '
    function group(id) {
        if (id ~ /^bar[0-9]/) return "bar"
        if (id ~ /^msix[0-9]/) return "msix"
        if (id ~ /^msi[0-9]/) return "msi"
        if (id ~ /^(read|write|copy)-/) { split(id, p, "-"); return p[1] "-" p[2] (id ~ /-dma-/ ? "-dma" : "") }
        return id
    }
    { sub(/\r$/, ""); i = index($0, "COSIM-"); if (i == 0) next; line = substr($0, i) }
    line ~ /^COSIM-BEGIN / { begin = line; next }
    line ~ /^COSIM-END / { end = line; next }
    line ~ /^COSIM-RESULT / {
        n = split(line, f, " ")
        id = f[2]; st = f[3]; t = f[4] + 0
        g = group(id)
        if (!(g in seen)) { seen[g] = 1; order[++ng] = g }
        total[g]++; secs[g] += t
        if (st == "OKAY") { ok[g]++; pass++ }
        else {
            bad[g]++; fail++
            extra = ""
            for (k = 5; k <= n; k++) extra = extra " " f[k]
            failed[++nf] = sprintf("  %-22s %8.2fs%s", id, t, extra)
        }
        next
    }
    END {
        if (begin != "") print begin
        printf "%-18s %6s %6s %6s %9s\n", "group", "tests", "pass", "fail", "seconds"
        for (k = 1; k <= ng; k++) {
            g = order[k]
            printf "%-18s %6d %6d %6d %9.2f\n", g, total[g], ok[g] + 0, bad[g] + 0, secs[g]
        }
        printf "%-18s %6d %6d %6d\n", "total", pass + fail, pass + 0, fail + 0
        if (nf) { print "failed:"; for (k = 1; k <= nf; k++) print failed[k] }
        if (begin == "") { print "INCOMPLETE: no COSIM-BEGIN (the guest did not reach init)"; exit 2 }
        if (end == "") { print "INCOMPLETE: no COSIM-END (the guest crashed or hung)"; exit 2 }
        print end
        if (end ~ /aborted=/) exit 2
        if (match(end, /pass=[0-9]+/)) ep = substr(end, RSTART + 5, RLENGTH - 5) + 0
        if (match(end, /fail=[0-9]+/)) ef = substr(end, RSTART + 5, RLENGTH - 5) + 0
        if (ep != pass + 0 || ef != fail + 0) {
            printf "INCOMPLETE: the guest counted pass=%d fail=%d, the log shows %d and %d (lost console lines?)\n", ep, ef, pass, fail
            exit 2
        }
        if (fail > 0) exit 1
        exit 0
    }' "$log"
}
