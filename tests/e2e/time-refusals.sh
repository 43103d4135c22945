# shellcheck shell=bash
# Virtual time is refused, with a message, where it cannot work (docs/time.md,
# "KVM"): no guest boots, QEMU stops at the device's realize. Sourced by
# cosim-e2e --script time-refusals.

time_refusals_main() { # LOG_DIR
    local dir=$1 fails=0 out
    mkdir -p "$dir"
    # expect NAME PATTERN QEMU-ARGS...: QEMU must fail and print PATTERN.
    expect() {
        local name=$1 pattern=$2
        shift 2
        out=$(COSIM_FRONTEND_LIB=$COSIM_FRONTEND_LIB timeout 60 "$COSIM_QEMU_BIN" -M pc -display none -vga none \
            -net none -nodefaults -no-reboot "$@" 2>&1) && { echo "FAIL $name: QEMU started" >&2; fails=$((fails + 1)); return; }
        echo "$out" >"$dir/$name.log"
        if grep -q -- "$pattern" <<<"$out"; then
            echo "ok: $name: $(grep -- "$pattern" <<<"$out" | head -n 1)"
        else
            echo "FAIL $name: expected '$pattern', got: $out" >&2
            fails=$((fails + 1))
        fi
    }
    expect lockstep-without-icount "time=lockstep needs instruction counting" \
        -accel tcg -device cosim-pci,model=epf-test,time=lockstep
    expect unknown-mode "time=sometimes: expected off, freeze or lockstep" \
        -accel tcg -device cosim-pci,model=epf-test,time=sometimes
    expect bad-quantum "time-quantum=0us: expected a duration above zero" \
        -accel tcg -device cosim-pci,model=epf-test,time=freeze,time-quantum=0us
    expect bad-scale "time-scale=-2: expected a number K > 0" \
        -accel tcg -device cosim-pci,model=epf-test,time=freeze,time-scale=-2
    # KVM: only where QEMU can open it at all (the device refuses at realize,
    # before any guest code runs, so a hanging nested KVM is never reached).
    if [[ -r /dev/kvm && -w /dev/kvm ]]; then
        expect freeze-under-kvm "time=freeze needs TCG (-accel tcg): under KVM" \
            -accel kvm -device cosim-pci,model=epf-test,time=freeze
    else
        echo "skipped: freeze-under-kvm (no usable /dev/kvm here)"
    fi
    # A library of ABI 1.0 (no time services) under this 1.1 QEMU: refused by name.
    local old_lib=$dir/libcosim_frontend_abi10.so
    printf '%s\n' '#include <stddef.h>' '#include "cosim_frontend.h"' \
        'static const cosim_fe_api api = { COSIM_FE_ABI_MAJOR, 0, offsetof(cosim_fe_api, open_timed) };' \
        '__attribute__((visibility("default"))) const cosim_fe_api *cosim_fe_get_api(uint32_t m)' \
        '{ return m == COSIM_FE_ABI_MAJOR ? &api : NULL; }' >"$dir/abi10.c"
    if gcc -shared -fPIC -I"$COSIM_ROOT/qemu_frontend/include" -o "$old_lib" "$dir/abi10.c"; then
        expect abi-1.0-library "implements cosim frontend ABI 1.0, older than the 1.1 this QEMU needs" \
            -accel tcg -device "cosim-pci,lib=$old_lib,model=epf-test"
    else
        echo "FAIL abi-1.0-library: cannot build the stand-in library" >&2
        fails=$((fails + 1))
    fi
    # The runner refuses before starting anything.
    if out=$(cosim_run --log-dir "$dir/run-kvm" --name refusal --backend inproc --plan none --accel kvm \
        --time freeze 2>&1); then
        echo "FAIL run-kvm: cosim run --accel kvm --time freeze started" >&2
        fails=$((fails + 1))
    elif grep -q -- "--time freeze needs TCG" <<<"$out"; then
        echo "ok: run-kvm: $(grep -- "--time freeze needs TCG" <<<"$out")"
    else
        echo "FAIL run-kvm: $out" >&2
        fails=$((fails + 1))
    fi
    ((fails == 0))
}
