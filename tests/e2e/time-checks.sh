# shellcheck shell=bash
# Assertions of the virtual-time e2e tests (docs/time.md), on the logs of a
# run made by tests/e2e/cosim-e2e --expect NAME. Each prints what it checked
# and returns non-zero with the reason when the run does not show it.

_fail() { echo "CHECK FAILED: $*" >&2; return 1; }

# --time off with a slowed simulation: the harness must see the problem. The
# guest's driver waits 1 s of guest time for each interrupt, which here takes
# seconds of wall time, so every interrupt test reports NOT OKAY.
check_irq_timeouts() { # LOG_DIR RUN_STATUS
    local dir=$1 rc=$2 id line
    ((rc == 1)) || _fail "expected the run to report failed tests (status 1), got status $rc" || return 1
    for id in intx msi1 msix1; do
        line=$(grep -ao "COSIM-RESULT $id .*" "$dir/console.log" | head -n 1)
        [[ $line == "COSIM-RESULT $id NOT_OKAY"* ]] || _fail "$id: expected NOT_OKAY, got '${line:-no result}'" || return 1
        [[ $line == *"NOT OKAY"* ]] || _fail "$id: pcitest did not say NOT OKAY: '$line'" || return 1
        echo "ok: $line"
    done
    grep -q 'slowed on purpose: .*per-irq' "$dir/host.log" || _fail "the host was not slowed" || return 1
    grep -a 'time: mode off' "$dir/summary.txt" || _fail "no time figures in summary.txt" || return 1
}

# freeze / lockstep: everything passes, the guest kernel's watchdogs stayed
# quiet, the device was synchronised, and - when the host was slowed
# (MIN_FROZEN_S > 0) - guest time stood still for at least that long.
check_clean_kernel() { # LOG_DIR RUN_STATUS MODE [MIN_FROZEN_S]
    local dir=$1 rc=$2 mode=$3 min_frozen=${4:-0} pattern n
    ((rc == 0)) || _fail "expected every test OKAY (status 0), got status $rc" || return 1
    # The init prints the whole kernel log at the end with dmesg=all.
    n=$(grep -ac 'COSIM-DMESG' "$dir/console.log")
    ((n > 50)) || _fail "the guest's kernel log was not captured ($n lines)" || return 1
    pattern='soft lockup|rcu.*(stall|detected stalls)|blocked for more than|hung_task|clocksource.*(watchdog|unstable)|timekeeping watchdog|Marking clocksource'
    if grep -aiE "$pattern" "$dir/console.log"; then
        _fail "the guest kernel logged a watchdog warning (above)"
        return 1
    fi
    echo "ok: $n kernel log lines, no soft-lockup, RCU-stall, hung-task or clocksource-watchdog warning"
    local figures
    figures=$(grep -a "time: mode $mode" "$dir/summary.txt") || _fail "no time figures for mode $mode in summary.txt" || return 1
    echo "ok: $figures"
    if ((min_frozen > 0)); then
        # Interrupts took seconds of wall time each: guest time must have been frozen for them.
        [[ $figures =~ frozen\ ([0-9]+)\.[0-9]+\ s ]] && ((BASH_REMATCH[1] >= min_frozen)) ||
            _fail "guest time was frozen for less than $min_frozen s: $figures" || return 1
    fi
    [[ $figures =~ ,\ ([0-9]+)\ syncs ]] && ((BASH_REMATCH[1] > 0)) || _fail "no synchronisations: $figures" || return 1
}
