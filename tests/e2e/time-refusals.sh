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
