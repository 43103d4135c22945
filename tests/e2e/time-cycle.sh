# shellcheck shell=bash
# Cycle-approximate timing in lockstep (docs/time.md), sourced by cosim-e2e
# --script time-cycle. The TLM model's DMA bandwidth is set so that a
# 1024000-byte COPY (a DMA read and a DMA write of every byte) takes D of
# simulated time; the guest times the copy with ns resolution (COSIM-TIMING).
# The same plan with an unlimited bandwidth measures the guest's own overhead
# O. Passes when the guest-measured duration is O + D within 10% of D.

time_cycle_main() { # LOG_DIR [run options...]
    local dir=$1
    shift
    local d_ms=${COSIM_CYCLE_D_MS:-50} bytes=1024000
    # COPY moves every byte twice at dma_bw bytes per ns.
    local bw
    bw=$(awk -v b=$bytes -v d="$d_ms" 'BEGIN { printf "%.8f", 2 * b / (d * 1e6) }')
    local -a common=(--backend unix --model tlm:epf-test --machine pc --plan time-dma --time lockstep --quiet
        --host-arg --quantum --host-arg 100us "$@")
    local rc=0
    cosim_run --log-dir "$dir/unlimited" --name cycle-unlimited "${common[@]}" \
        --params "dma_bw=1000000;msi=1;msix=2" || rc=$?
    ((rc == 0)) || { echo "CHECK FAILED: the unlimited-bandwidth run failed ($rc)" >&2; return 1; }
    cosim_run --log-dir "$dir/slow-dma" --name cycle-slow-dma "${common[@]}" \
        --params "dma_bw=$bw;msi=1;msix=2" || rc=$?
    ((rc == 0)) || { echo "CHECK FAILED: the run with D = $d_ms ms failed ($rc)" >&2; return 1; }
    # Median of the timed copies of each run.
    median() { grep -ao 'COSIM-TIMING copy-[^ ]* ns=[0-9]*' "$1/console.log" | sed 's/.*ns=//' | sort -n |
        awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "" }'; }
    local o m
    o=$(median "$dir/unlimited")
    m=$(median "$dir/slow-dma")
    [[ -n $o && -n $m ]] || { echo "CHECK FAILED: no COSIM-TIMING lines" >&2; return 1; }
    awk -v o="$o" -v m="$m" -v d="$d_ms" -v bw="$bw" 'BEGIN {
        dn = d * 1e6; err = m - (o + dn); if (err < 0) err = -err
        printf "dma_bw %s B/ns: D = %d ms simulated; guest overhead O = %.3f ms (unlimited bandwidth)\n", bw, d, o / 1e6
        printf "guest-measured copy = %.3f ms; expected O + D = %.3f ms; error %.3f ms = %.2f%% of D (limit 10%%)\n",
               m / 1e6, (o + dn) / 1e6, err / 1e6, 100 * err / dn
        exit (err <= dn / 10) ? 0 : 1 }' | tee "$dir/cycle.txt"
    local verdict=${PIPESTATUS[0]}
    ((verdict == 0)) || echo "CHECK FAILED: outside 10% of D" >&2
    return "$verdict"
}
