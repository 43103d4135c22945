# shellcheck shell=bash
# Cycle-approximate timing in lockstep (docs/time.md), sourced by cosim-e2e
# --script time-cycle [--model tlm:epf-test|rtl:epf-test] [run options...].
# A 1024000-byte COPY (a DMA read and a DMA write of every byte) is timed by
# the guest with ns resolution (COSIM-TIMING), in two runs that differ only in
# how long the device takes for it, by a known simulated time D:
#  - tlm:epf-test: DMA bandwidth unlimited (the guest's own overhead O), then
#    set so that the copy takes D = 50 ms (parameter dma_bw);
#  - rtl:epf-test: D from the clock period and the bus width: the RTL's AXI4
#    master moves 8 bytes a clock, so the copy is 2 x 1024000 / 8 = 256000
#    clocks, run at 1 ns (O) and at 200 ns; D = 256000 x 199 ns = 50.944 ms.
# Passes when the guest-measured durations differ by D within 10% of D.

time_cycle_main() { # LOG_DIR [--model M] [run options...]
    local dir=$1 model=tlm:epf-test
    shift
    local -a rest=()
    while (($#)); do
        if [[ $1 == --model ]]; then model=$2; shift 2; else rest+=("$1"); shift; fi
    done
    local bytes=1024000 base_params slow_params d_ps what
    case $model in
    tlm:*)
        local d_ms=${COSIM_CYCLE_D_MS:-50} bw
        # COPY moves every byte twice at dma_bw bytes per ns.
        bw=$(awk -v b=$bytes -v d="$d_ms" 'BEGIN { printf "%.8f", 2 * b / (d * 1e6) }')
        base_params="dma_bw=1000000;msi=1;msix=2"
        slow_params="dma_bw=$bw;msi=1;msix=2"
        d_ps=$((d_ms * 1000000000))
        what="dma_bw $bw B/ns against unlimited"
        ;;
    rtl:*)
        local clocks=$((2 * bytes / 8))
        base_params="clock=1ns;msi=1;msix=2"
        slow_params="clock=200ns;msi=1;msix=2"
        d_ps=$((clocks * 199000))
        what="$clocks clocks of the 64-bit AXI4 master at 200 ns against 1 ns"
        ;;
    *) echo "CHECK FAILED: time-cycle knows tlm:epf-test and rtl:epf-test, not '$model'" >&2; return 1 ;;
    esac
    local -a common=(--backend unix --model "$model" --machine pc --smp 1 --plan time-dma --time lockstep --quiet
        --host-arg --quantum --host-arg 100us "${rest[@]}")
    [[ $model == rtl:* ]] && common+=(--waves off)
    local rc=0
    cosim_run --log-dir "$dir/base" --name cycle-base "${common[@]}" --params "$base_params" || rc=$?
    ((rc == 0)) || { echo "CHECK FAILED: the run that measures the guest's overhead failed ($rc)" >&2; return 1; }
    cosim_run --log-dir "$dir/slow" --name cycle-slow "${common[@]}" --params "$slow_params" || rc=$?
    ((rc == 0)) || { echo "CHECK FAILED: the run with D added failed ($rc)" >&2; return 1; }
    # Median of the timed copies of each run.
    median() { grep -ao 'COSIM-TIMING copy-[^ ]* ns=[0-9]*' "$1/console.log" | sed 's/.*ns=//' | sort -n |
        awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "" }'; }
    local o m
    o=$(median "$dir/base")
    m=$(median "$dir/slow")
    [[ -n $o && -n $m ]] || { echo "CHECK FAILED: no COSIM-TIMING lines" >&2; return 1; }
    awk -v o="$o" -v m="$m" -v dps="$d_ps" -v what="$what" -v model="$model" 'BEGIN {
        dn = dps / 1000; err = m - (o + dn); if (err < 0) err = -err
        printf "%s: %s: D = %.3f ms simulated; guest overhead O = %.3f ms\n", model, what, dn / 1e6, o / 1e6
        printf "guest-measured copy = %.3f ms; expected O + D = %.3f ms; error %.3f ms = %.2f%% of D (limit 10%%)\n",
               m / 1e6, (o + dn) / 1e6, err / 1e6, 100 * err / dn
        exit (err <= dn / 10) ? 0 : 1 }' | tee "$dir/cycle.txt"
    local verdict=${PIPESTATUS[0]}
    ((verdict == 0)) || echo "CHECK FAILED: outside 10% of D" >&2
    return "$verdict"
}
