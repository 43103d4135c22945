# shellcheck shell=bash
# run.sh - one co-simulation run: start the device host (unless the model runs
# in-process), boot the guest in QEMU with cosim-pci, run a test plan under a
# watchdog, stream progress, keep every log, judge the transcript.
# Used by `cosim run`, `cosim demo` and the end-to-end tests (tests/e2e).

cosim_run_usage() {
    cat <<'TXT'
usage: tools/cosim run [options]
  --backend B        inproc            native model inside QEMU (model=)
                     unix | ipc | tcp  model served by cosim-host over unix:// (direct
                                       Unix sockets), ipc:// (ZeroMQ) or tcp://127.0.0.1
                     (default ipc)
  --model SPEC       model the host serves (default native:epf-test)
  --params P         model parameters "k=v;k=v" (e.g. "bar5=64k;msix=64")
  --param K=V        one model parameter (repeatable; adds to --params)
  --plan NAME        guest test plan: full, smoke, bars, irq, transfers, none (default smoke)
  --machine M        q35 (PCIe root port, intel-iommu with interrupt remapping) or pc
                     (i440fx, conventional PCI); default q35
  --accel A          tcg (default), kvm, or auto (kvm if /dev/kvm works, else tcg)
  --smp N            guest CPUs (default $COSIM_GUEST_SMP, else 12: 2048 MSI-X vectors need >= 11)
  --timeout S        watchdog for the whole run in seconds (default 1800)
  --name NAME        run name, used for the log directory (default: backend-plan)
  --log-dir DIR      keep logs here (default build/runs/NAME-TIMESTAMP)
  --kernel FILE      boot this kernel instead of the built one
  --initrd FILE      use this initramfs instead of the built one
  --append TEXT      extra kernel command line
  --guest-args A     cosim.args for the guest's init (e.g. "timeout=60,verbose=1")
  --qemu-arg ARG     extra QEMU argument (repeatable)
  --host-arg ARG     extra cosim-host argument (repeatable)
  --fallback MODEL   cosim-pci fallback= (default none)
  --waves W          rtl:* models: fst (default), vcd or off. The host records the run's
                     last stretch (a whole-run trace under a size cap, oldest segments
                     dropped) into LOGDIR/waves/; kept when the run fails, deleted when
                     it passes. Model parameters waves=... override this.
  --waves-cap SIZE   size cap of that recording (default 64M; k/M/G)
  --time MODE        virtual time (docs/time.md): off (default; guest time runs with the
                     host clock), freeze (guest time stops while the device simulation is
                     behind; TCG), lockstep (TCG with -icount; guest and device within a quantum)
  --time-quantum D   largest guest/device drift while the device is busy (default 100us)
  --time-scale K     guest time = K x device time (default 1)
  --slow SPEC        make the host's simulation slower in wall-clock terms, e.g. per-irq=2s,
                     per-sim-us=1ms, per-access=10us (cosim-host --slow; not with inproc)
  --quiet            print only the summary
Logs: console.log (guest serial), qemu.log, host.log, cmdline.txt, summary.txt,
      waves/ (rtl:* models, failed runs).
The summary ends with the run's time figures: wall, guest virtual and device
simulated time, time spent frozen, number of synchronisations.
Exit status: 0 all tests OKAY, 1 a test failed, 2 the guest crashed or hung.
TXT
}

# Prints a free TCP port on 127.0.0.1.
_cosim_free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

_cosim_kvm_usable() {
    # Nested KVM on these machines opens but can hang at boot: probe a tiny
    # guest with a short timeout rather than trusting /dev/kvm.
    [[ -r /dev/kvm && -w /dev/kvm ]] || return 1
    timeout 20 "$COSIM_QEMU_BIN" -accel kvm -M q35 -display none -vga none -net none -no-reboot \
        -kernel "$COSIM_GUEST_KERNEL" -initrd "$COSIM_GUEST_INITRD" \
        -append "console=ttyS0 panic=-1 cosim.plan=none quiet" -serial stdio -m 256 2>/dev/null |
        grep -q 'COSIM-END'
}

# Streams the transcript as the guest prints it: every result except the long
# MSI/MSI-X sweeps, which report every 256th vector and any failure.
_cosim_follow() { # LOGFILE PID
    tail -n +1 -F --pid="$2" "$1" 2>/dev/null | awk '
        { sub(/\r$/, ""); i = index($0, "COSIM-"); if (!i) next; l = substr($0, i) }
        l ~ /^COSIM-BEGIN/ { print "    guest: " substr(l, 13); fflush(); next }
        l ~ /^COSIM-LOG/ { if (l !~ /dmesg-(begin|end)/) { print "    guest: " substr(l, 11); fflush() } next }
        l ~ /^COSIM-RESULT/ {
            split(l, f, " ")
            if (f[2] ~ /^msix?[0-9]+$/ && f[3] == "OKAY") {
                n = f[2]; sub(/^msix?/, "", n)
                if (n % 256 != 0 && !(f[2] ~ /^msi[0-9]/ && n == 32)) next
                printf "    %-24s %s (%s s) ... vectors 1..%s so far\n", f[2], f[3], f[4], n; fflush(); next
            }
            printf "    %-24s %-9s %s s", f[2], f[3], f[4]
            for (k = 5; k <= length(f); k++) printf " %s", f[k]
            printf "\n"; fflush(); next
        }
        l ~ /^COSIM-END/ { print "    guest: " substr(l, 11); fflush() }'
}

cosim_run() {
    local backend=ipc model=native:epf-test params= plan=smoke machine=q35 accel=tcg
    local timeout_s=1800 name= log_dir= kernel= initrd= append= guest_args= fallback=none quiet=0
    local waves=fst waves_cap=64M
    local qemu_extra=() host_extra=() time_mode=off time_quantum= time_scale= slow= smp_given=0
    while (($#)); do
        case $1 in
            --backend) backend=$2; shift ;;
            --model) model=$2; shift ;;
            --params) params=$2; shift ;;
            --param) params+="${params:+;}$2"; shift ;;
            --plan) plan=$2; shift ;;
            --machine) machine=$2; shift ;;
            --accel) accel=$2; shift ;;
            --smp) COSIM_GUEST_SMP=$2; smp_given=1; shift ;;
            --timeout) timeout_s=$2; shift ;;
            --name) name=$2; shift ;;
            --log-dir) log_dir=$2; shift ;;
            --kernel) kernel=$2; shift ;;
            --initrd) initrd=$2; shift ;;
            --append) append=$2; shift ;;
            --guest-args) guest_args=$2; shift ;;
            --qemu-arg) qemu_extra+=("$2"); shift ;;
            --host-arg) host_extra+=("$2"); shift ;;
            --fallback) fallback=$2; shift ;;
            --waves) waves=$2; shift ;;
            --waves-cap) waves_cap=$2; shift ;;
            --time) time_mode=$2; shift ;;
            --time-quantum) time_quantum=$2; shift ;;
            --time-scale) time_scale=$2; shift ;;
            --slow) slow=$2; shift ;;
            --quiet) quiet=1 ;;
            *) cosim_run_usage >&2; die "run: unknown option '$1'" ;;
        esac
        shift
    done
    case $backend in inproc | unix | ipc | tcp) ;; *) die "run: --backend must be inproc, unix, ipc or tcp (got '$backend')" ;; esac
    case $machine in q35 | pc) ;; *) die "run: --machine must be q35 or pc (got '$machine')" ;; esac
    case $waves in fst | vcd | off) ;; *) die "run: --waves must be fst, vcd or off (got '$waves')" ;; esac
    [[ $timeout_s =~ ^[0-9]+$ ]] || die "run: --timeout must be whole seconds (got '$timeout_s')"
    [[ ${COSIM_GUEST_SMP:-12} =~ ^[1-9][0-9]*$ ]] || die "run: --smp must be a number of CPUs (got '$COSIM_GUEST_SMP')"
    case $time_mode in off | freeze | lockstep) ;; *) die "run: --time must be off, freeze or lockstep (got '$time_mode')" ;; esac
    [[ -z $slow || $backend != inproc ]] || die "run: --slow slows cosim-host; use a host backend (unix, ipc, tcp)"
    if [[ $time_mode != off ]]; then
        # Guest time is frozen by stopping QEMU's tick counters, which a KVM
        # guest does not use: these modes need TCG (docs/time.md, "KVM").
        [[ $accel != kvm ]] || die "run: --time $time_mode needs TCG: under KVM the guest's TSC runs in hardware and cannot be frozen (use --time off with KVM)"
        if [[ $accel == auto ]]; then
            log_info "--time $time_mode needs TCG: not probing KVM"
            accel=tcg
        fi
    fi
    # Under -icount all vCPUs take turns in one thread. Our QEMU build ends the
    # SMP bring-up livelock of 7.2, but 7.2's TCG still corrupts a guest's
    # EFLAGS now and then with several vCPUs under -icount (docs/time.md):
    # lockstep runs one vCPU unless --smp says otherwise.
    if [[ $time_mode == lockstep && $smp_given == 0 ]]; then
        COSIM_GUEST_SMP=1
    fi
    [[ -f $COSIM_ROOT/tools/guest/plans/$plan.plan || -n $initrd ]] ||
        die "run: unknown plan '$plan' (have: $(cd "$COSIM_ROOT/tools/guest/plans" && ls | sed 's/\.plan$//' | tr '\n' ' '))"
    [[ -n $kernel ]] && COSIM_GUEST_KERNEL=$kernel
    [[ -n $initrd ]] && COSIM_GUEST_INITRD=$initrd
    [[ -x ${COSIM_QEMU_BIN:-} ]] || die "run: QEMU is not built (tools/cosim build)"
    [[ -f ${COSIM_FRONTEND_LIB:-} ]] || die "run: libcosim_frontend.so is not built (tools/cosim build)"

    if [[ $accel == auto ]]; then
        if _cosim_kvm_usable; then accel=kvm; else
            log_info "KVM is not usable here (no /dev/kvm, or a probe guest did not boot): using TCG"
            accel=tcg
        fi
    fi

    name=${name:-$backend-$plan}
    log_dir=${log_dir:-$COSIM_ROOT/build/runs/$name-$(date +%Y%m%d-%H%M%S)}
    mkdir -p "$log_dir"
    log_dir=$(cd "$log_dir" && pwd)
    local console=$log_dir/console.log qemu_log=$log_dir/qemu.log host_log=$log_dir/host.log
    : >"$console"

    # RTL models record waveforms for a failure to leave behind: the whole
    # run under a size cap, so what is kept is the stretch before the end
    # (where a hang or a failing test is). Not when the user set waves= in
    # --params: then the files are theirs, wherever they asked for them.
    local waves_dir=
    if [[ $backend != inproc && $model == rtl:* && $waves != off && ";$params;" != *[\;,]waves=* ]]; then
        waves_dir=$log_dir/waves
        rm -rf "$waves_dir"
        params="waves=$waves;waves_dir=$waves_dir;waves_test=$name;waves_cap=$waves_cap${params:+;$params}"
    fi

    # The host, unless the model runs inside QEMU.
    local host_pid= endpoint= sockdir= device
    local -a host_cmd
    if [[ $backend != inproc ]]; then
        if [[ $backend == ipc || $backend == unix ]]; then
            # Unix socket paths are limited to 107 bytes: keep the socket under /tmp.
            sockdir=$(mktemp -d /tmp/cosim-run.XXXXXX)
            endpoint=$backend://$sockdir/host.sock
        else
            endpoint=tcp://127.0.0.1:$(_cosim_free_port)
        fi
        host_cmd=("$COSIM_HOST_BIN" --model "$model" --endpoint "$endpoint" --name "cosim-host/$name")
        local p
        IFS=';' read -ra p <<<"$params"
        for kv in "${p[@]}"; do [[ -n $kv ]] && host_cmd+=(--param "$kv"); done
        # The host insists on the same mode: a mismatch is refused at the handshake.
        host_cmd+=(--time "$time_mode")
        [[ -n $slow ]] && host_cmd+=(--slow "$slow")
        host_cmd+=("${host_extra[@]}")
        printf '%q ' "${host_cmd[@]}" >"$log_dir/host-cmdline.txt"
        "${host_cmd[@]}" >"$host_log" 2>&1 &
        host_pid=$!
        device="cosim-pci,id=ep0,endpoint=$endpoint,fallback=$fallback,connect-timeout=10000"
    else
        [[ $model == native:* || $model != *:* ]] || die "run: --backend inproc runs only native models (got '$model')"
        device="cosim-pci,id=ep0,model=${model#native:},fallback=$fallback"
    fi
    [[ -n $params && $backend == inproc ]] && device+=",params=${params//,/,,}"
    device+=",time=$time_mode"
    [[ -n $time_quantum ]] && device+=",time-quantum=$time_quantum"
    [[ -n $time_scale ]] && device+=",time-scale=$time_scale"
    local -a time_args=()
    # lockstep: guest time is the instruction count (2^shift ns each). sleep=off:
    # an idle guest's clock jumps to its next timer instead of following the
    # wall clock, so guest time never depends on how fast the host is, and
    # idle periods cost no wall time (docs/time.md).
    [[ $time_mode == lockstep ]] && time_args=(-icount "shift=${COSIM_ICOUNT_SHIFT:-0},sleep=off")

    local -a qemu_cmd machine_args
    mapfile -t machine_args < <(cosim_guest_qemu_args "$machine" "$plan" "$guest_args")
    if [[ -n $append ]]; then
        local i
        for i in "${!machine_args[@]}"; do
            [[ ${machine_args[$i]} == -append ]] && machine_args[$((i + 1))]+=" $append"
        done
    fi
    # shellcheck disable=SC2207
    qemu_cmd=("$COSIM_QEMU_BIN" -accel "$accel" "${time_args[@]}" $(cosim_qemu_firmware_args) "${machine_args[@]}"
        -serial "file:$console" -monitor none -qmp "unix:$log_dir/qmp.sock,server=on,wait=off")
    if [[ $machine == q35 ]]; then
        qemu_cmd+=(-device pcie-root-port,id=rp0,bus=pcie.0,chassis=1,slot=1 -device "$device,bus=rp0")
    else
        qemu_cmd+=(-device "$device")
    fi
    qemu_cmd+=("${qemu_extra[@]}")
    printf '%q ' "${qemu_cmd[@]}" >"$log_dir/cmdline.txt"

    ((quiet)) || log_step "run '$name': $backend backend, model $model, plan '$plan', $machine, $accel (logs: $log_dir)"
    local start=$SECONDS qemu_status=0 follow_pid=
    COSIM_FRONTEND_LIB=$COSIM_FRONTEND_LIB timeout --kill-after=10 "$timeout_s" "${qemu_cmd[@]}" >"$qemu_log" 2>&1 &
    local qemu_pid=$!
    if ! ((quiet)); then
        _cosim_follow "$console" "$qemu_pid" &
        follow_pid=$!
    fi
    wait "$qemu_pid" || qemu_status=$?
    [[ -n $follow_pid ]] && { sleep 0.3; kill "$follow_pid" 2>/dev/null; wait "$follow_pid" 2>/dev/null || true; }
    local wall=$((SECONDS - start))
    if [[ -n $host_pid ]]; then
        # A host writing its waveform finishes the file first; one stuck in
        # its model never would: give it a minute, then kill it.
        kill -TERM "$host_pid" 2>/dev/null || true
        local waited=0
        while kill -0 "$host_pid" 2>/dev/null && ((waited < 600)); do sleep 0.1; waited=$((waited + 1)); done
        if kill -0 "$host_pid" 2>/dev/null; then
            echo "cosim run: the host did not exit within 60 s of SIGTERM: killed" >>"$host_log"
            kill -KILL "$host_pid" 2>/dev/null || true
        fi
        wait "$host_pid" 2>/dev/null || true
    fi
    [[ -n $sockdir ]] && rm -rf "$sockdir"

    local verdict=0
    {
        echo "run: $name  backend: $backend  model: $model  plan: $plan  machine: $machine  accel: $accel"
        echo "wall time: ${wall}s  qemu exit status: $qemu_status  virtual time: $time_mode"
        ((qemu_status == 124 || qemu_status == 137)) && echo "WATCHDOG: the run exceeded ${timeout_s}s and was killed"
        cosim_parse_transcript "$console" || verdict=$?
        _cosim_time_report "$qemu_log" "$host_log"
    } >"$log_dir/summary.txt" 2>&1
    ((qemu_status == 124 || qemu_status == 137)) && verdict=2
    if ((verdict == 0)) && ((qemu_status != 0)); then verdict=2; fi
    if ((verdict != 0)) && ! grep -q . "$log_dir/summary.txt"; then echo "no transcript" >>"$log_dir/summary.txt"; fi
    if [[ -n $waves_dir ]]; then
        if ((verdict == 0)); then
            rm -rf "$waves_dir"
        else
            local f
            for f in "$waves_dir"/*.fst "$waves_dir"/*.vcd; do
                [[ -f $f ]] && echo "waveform: $f ($(du -h "$f" | cut -f1))" >>"$log_dir/summary.txt"
            done
        fi
    fi
    cat "$log_dir/summary.txt"
    if ((verdict != 0)); then
        echo "FAILED: logs kept in $log_dir" >&2
        grep -E 'error|Error|cosim' "$qemu_log" 2>/dev/null | tail -5 | sed 's/^/    qemu: /' >&2 || true
        [[ -f $host_log ]] && tail -5 "$host_log" | sed 's/^/    host: /' >&2
    else
        ((quiet)) || echo "logs: $log_dir"
    fi
    return "$verdict"
}

# The run's time figures: cosim-pci prints them when QEMU exits (wall, guest,
# device, frozen, syncs); the host adds its own view of the device's time.
_cosim_time_report() { # QEMU_LOG HOST_LOG
    local line
    line=$(grep -o 'time: mode .*' "$1" 2>/dev/null | tail -n 1)
    if [[ -n $line ]]; then echo "$line"; else echo "time: no figures (QEMU did not exit cleanly)"; fi
    [[ -f $2 ]] && grep -o 'time [a-z]*, device at .*' "$2" 2>/dev/null | tail -n 1 | sed 's/^/host: /'
    grep -h 'COSIM-TIMING' "$(dirname "$1")/console.log" 2>/dev/null | sed 's/^.*COSIM-TIMING/timing:/' || true
}

# The product's main job: the guest's unmodified driver against the Verilated
# RTL. `--model native:epf-test` or `--model tlm:epf-test` picks another model
# (later options override the defaults here); any `cosim run` option works.
cosim_demo() {
    local model=rtl:epf-test a prev=
    for a in "$@"; do
        [[ $prev == --model ]] && model=$a
        prev=$a
    done
    local what
    case $model in
        rtl:*) what="the epf-test RTL (SystemVerilog, Verilated) behind AXI4-Lite/AXI4 bus adapters in cosim-host" ;;
        tlm:*) what="the SystemC/TLM-2.0 epf-test model in cosim-host" ;;
        *) what="the native C++ model ($model) in cosim-host" ;;
    esac
    log_step "demo: the unmodified Linux pci_endpoint_test driver and pcitest in a QEMU guest drive"
    log_info "$what, through cosim-pci -> unix:// socket -> cosim-host"
    log_info "(another model: tools/cosim demo --model native:epf-test | tlm:epf-test; other plans: --plan full)"
    local -a defaults=(--backend unix --model "$model" --plan "${COSIM_DEMO_PLAN:-smoke}" --name demo)
    # The RTL clocks every BAR word through AXI4-Lite: smaller BAR4/BAR5 keep
    # the word-by-word BAR test to seconds (the spec allows smaller BARs).
    [[ $model == rtl:* ]] && defaults+=(--params "${COSIM_DEMO_RTL_PARAMS:-bar4=16k;bar5=64k}")
    [[ $model == rtl:* ]] && log_info "RTL BAR sizes reduced for speed: ${COSIM_DEMO_RTL_PARAMS:-bar4=16k;bar5=64k} (--params overrides)"
    cosim_run "${defaults[@]}" "$@"
}

# cosim bench [all|transport|guest|rtl|time] [options of that part]
cosim_bench() {
    local part=all
    case ${1:-} in all | transport | guest | rtl | time) part=$1; shift ;; esac
    if [[ $part == time ]]; then
        cosim_bench_time "$@"
        return
    fi
    if [[ $part == all || $part == transport ]]; then
        local bench=$COSIM_BUILD/bin/cosim-bench-transport
        [[ -x $bench ]] || die "bench: $bench is not built"
        log_step "transport benchmark (ratios against a bare Unix socket and memcpy, measured in the same run)"
        if [[ $part == transport ]]; then "$bench" "$@"; else "$bench"; fi
    fi
    [[ $part == all || $part == guest ]] && cosim_bench_guest
    if [[ $part == all || $part == rtl ]]; then
        if [[ $part == rtl ]]; then cosim_bench_rtl "$@"; else cosim_bench_rtl; fi
    fi
    [[ $part == all ]] && cosim_bench_time
    return 0
}

# The RTL benchmark, in one run:
#  1. RTL clock cycles per wall second while the device is busy (a command in
#     progress): the testbench alone (epf_rtl_bench: no QEMU, no bridge) vs
#     cosim-host serving rtl:epf-test to a guest running pcitest's transfers
#     at the same sizes (the host logs the same figure when it exits);
#  2. (unless --no-matrix) the wall time of the full pcitest matrix with
#     rtl:epf-test as a ratio to tlm:epf-test, same backend and parameters.
cosim_bench_rtl() {
    local matrix=1 params= backend=unix
    while (($#)); do
        case $1 in
            --no-matrix) matrix=0 ;;
            --params) params=$2; shift ;;
            --backend) backend=$2; shift ;;
            *) die "bench rtl: unknown option '$1' (have --no-matrix, --params P, --backend B)" ;;
        esac
        shift
    done
    local dir sizes=1+1024+1025+1024000+1024001
    dir=$COSIM_ROOT/build/runs/bench-rtl-$(date +%Y%m%d-%H%M%S)
    mkdir -p "$dir"
    local tb=$COSIM_BUILD/bin/epf_rtl_bench
    [[ -x $tb ]] || die "bench rtl: $tb is not built"
    log_step "RTL speed while busy: testbench alone vs under the full co-simulation ($backend, logs: $dir)"
    log_info "testbench alone: COPY+READ+WRITE of $sizes bytes, twice"
    "$tb" --sizes "$sizes" --repeat 2 >"$dir/alone.txt" 2>&1 || { cat "$dir/alone.txt" >&2; die "bench rtl: epf_rtl_bench failed"; }
    log_info "co-simulation: the guest runs pcitest -r/-w/-c at the same sizes (plan 'transfers')"
    cosim_run --backend "$backend" --model rtl:epf-test --plan transfers --params "$params" --waves off \
        --name bench-rtl-transfers --log-dir "$dir/cosim" --quiet >"$dir/cosim.txt" 2>&1 ||
        { cat "$dir/cosim.txt" >&2; die "bench rtl: the co-simulation run failed (logs: $dir/cosim)"; }
    local alone cosim
    alone=$(sed -n 's/.*COSIM-RTL-BENCH .*busy_cycles=\([0-9]*\) busy_wall_s=\([0-9.]*\).*/\1 \2/p' "$dir/alone.txt")
    cosim=$(sed -n 's/.*rtl:epf-test: busy [0-9]* times: \([0-9]*\) clock cycles in \([0-9.]*\) s wall.*/\1 \2/p' \
        "$dir/cosim/host.log" | tail -1)
    [[ -n $alone && -n $cosim ]] || die "bench rtl: no busy figures in $dir/alone.txt or $dir/cosim/host.log"
    awk -v a="$alone" -v c="$cosim" 'BEGIN {
        split(a, x, " "); split(c, y, " ")
        ra = x[1] / x[2]; rc = y[1] / y[2]
        printf "  %-44s %12d cycles %8.2f s %10.3g cycles/s\n", "RTL alone (testbench), while busy", x[1], x[2], ra
        printf "  %-44s %12d cycles %8.2f s %10.3g cycles/s\n", "RTL under co-simulation with the guest, busy", y[1], y[2], rc
        printf "  ratio co-simulation / alone: %.3f (the bridge costs %.1f%% of RTL speed while busy)\n", rc / ra, 100 * (1 - rc / ra)
    }'
    ((matrix)) || return 0
    log_step "pcitest matrix (plan full) wall time: rtl:epf-test vs tlm:epf-test ($backend, params: ${params:-none, the spec BAR sizes})"
    local m
    for m in tlm rtl; do
        log_info "$m:epf-test ..."
        cosim_run --backend "$backend" --model "$m:epf-test" --plan full --params "$params" --waves off \
            --name "bench-$m-full" --log-dir "$dir/$m-full" --quiet >"$dir/$m-full.txt" 2>&1 ||
            { cat "$dir/$m-full.txt" >&2; die "bench rtl: the $m full run failed (logs: $dir/$m-full)"; }
    done
    awk '
        FNR == 1 { m = FILENAME; sub(/\/summary\.txt$/, "", m); sub(/.*\//, "", m); sub(/-full$/, "", m) }
        /^wall time:/ { w[m] = $3 + 0 }
        $1 ~ /^(bar|msi|msix|read-msi|write-msi|copy-msi)$/ && $2 ~ /^[0-9]+$/ { g[m, $1] = $5 }
        END {
            printf "  %-24s %10s %10s %8s\n", "", "tlm", "rtl", "rtl/tlm"
            n = split("bar msi msix read-msi write-msi copy-msi", k, " ")
            for (i = 1; i <= n; i++)
                if (g["tlm", k[i]] > 0)
                    printf "  %-24s %9.2fs %9.2fs %8.2f\n", k[i] " (guest s)", g["tlm", k[i]], g["rtl", k[i]], g["rtl", k[i]] / g["tlm", k[i]]
            printf "  %-24s %9ds %9ds %8.2f\n", "whole run (wall)", w["tlm"], w["rtl"], w["rtl"] / w["tlm"]
        }' "$dir/tlm-full/summary.txt" "$dir/rtl-full/summary.txt"
}

# The guest-side benchmark: one QEMU with QEMU's own edu device (baseline), a
# cosim-pci running the model in-process and one served by cosim-host over
# ipc; the guest times 4-byte BAR reads of each from user space.
cosim_bench_guest() {
    local dir sockdir host_pid rc=0
    dir=$COSIM_ROOT/build/runs/bench-$(date +%Y%m%d-%H%M%S)
    mkdir -p "$dir"
    sockdir=$(mktemp -d /tmp/cosim-bench.XXXXXX)
    "$COSIM_HOST_BIN" --model native:epf-test --param msix=64 --endpoint "ipc://$sockdir/h.sock" >"$dir/host.log" 2>&1 &
    host_pid=$!
    local -a args
    mapfile -t args < <(COSIM_GUEST_SMP=1 cosim_guest_qemu_args pc bench)
    log_step "guest benchmark: edu vs cosim-pci in-process vs cosim-pci over ipc (logs: $dir)"
    COSIM_FRONTEND_LIB=$COSIM_FRONTEND_LIB timeout 600 "$COSIM_QEMU_BIN" -accel tcg $(cosim_qemu_firmware_args) \
        "${args[@]}" -serial "file:$dir/console.log" -monitor none \
        -device edu,addr=3 \
        -device cosim-pci,addr=4,model=epf-test,params=msix=64 \
        -device "cosim-pci,addr=5,endpoint=ipc://$sockdir/h.sock,fallback=none" >"$dir/qemu.log" 2>&1 || rc=$?
    kill "$host_pid" 2>/dev/null; wait "$host_pid" 2>/dev/null || true
    rm -rf "$sockdir"
    ((rc == 0)) || { tail -5 "$dir/qemu.log" >&2; die "guest benchmark: QEMU failed ($rc); logs in $dir"; }
    awk '
        { i = index($0, "COSIM-BENCH"); if (!i) next; $0 = substr($0, i) }
        {
            for (k = 2; k <= NF; k++) { split($k, kv, "="); f[kv[1]] = kv[2] }
            bdf = f["bdf"]; ns[bdf] = f["ns_per_read"]; dev[bdf] = f["dev"]
            if (f["dev"] == "1234:11e8") base = f["ns_per_read"]
        }
        END {
            if (base == "") { print "no edu baseline measured"; exit 1 }
            # Slot 4 runs the model in QEMU, slot 5 reaches the host over ipc.
            for (b in ns) {
                what = dev[b] == "1234:11e8" ? "edu (QEMU built-in, baseline)" : \
                       (b ~ /:04\.0$/ ? "cosim-pci, model in-process" : "cosim-pci, host over ipc")
                printf "  %-34s %10.0f ns per 4-byte BAR read  %8.1fx edu\n", what, ns[b], ns[b] / base
            }
        }' "$dir/console.log" | sort -k1,1
}

# Virtual-time benchmark (docs/time.md): the wall time of the same guest
# workload with --time off and --time lockstep, same backend and model, as a
# ratio. Idle: `sleep 10` of guest time; busy: a loop of 1 MB DMA copies. The
# workload is bracketed by COSIM-MARK lines, whose arrival on the console is
# timed here (polled every 20 ms), so boot time is not counted.
cosim_bench_time() { # [--model SPEC] [--backend B] [--rounds N] [--quantum D]
    local model=tlm:epf-test backend=unix rounds=3 quantum=
    while (($#)); do
        case $1 in
            --model) model=$2; shift ;;
            --backend) backend=$2; shift ;;
            --rounds) rounds=$2; shift ;;
            --quantum) quantum=$2; shift ;;
            *) die "bench time: unknown option '$1' (--model SPEC, --backend B, --rounds N, --quantum D)" ;;
        esac
        shift
    done
    [[ $rounds =~ ^[1-9][0-9]*$ ]] || die "bench time: --rounds must be a number >= 1 (got '$rounds')"
    local dir
    dir=$COSIM_ROOT/build/runs/bench-time-$(date +%Y%m%d-%H%M%S)
    mkdir -p "$dir"
    local -a qarg=()
    [[ -n $quantum ]] && qarg=(--time-quantum "$quantum")
    log_step "virtual-time benchmark: lockstep against off, $backend backend, $model, quantum ${quantum:-default (100us)}, $rounds rounds (logs: $dir)"
    # Each round runs off then lockstep back to back, so a change in the
    # machine's load hits both; the ratio reported is the median of the
    # rounds' ratios. The wall time is the workload's, between the guest's
    # bench-start and bench-end marks (boot excluded).
    local workload mode round
    for workload in idle busy; do
        local -a ratios=()
        for ((round = 1; round <= rounds; round++)); do
            declare -A wall=()
            for mode in off lockstep; do
                local run=$dir/$workload-$round-$mode
                mkdir -p "$run"
                cosim_run --log-dir "$run" --name "bench-$workload-$mode" --backend "$backend" --model "$model" \
                    --machine pc --smp 1 --param msi=1 --param msix=2 --plan "time-$workload" --time "$mode" \
                    "${qarg[@]}" --quiet --timeout 900 >"$run/run.out" 2>&1 &
                local pid=$! t0= t1=
                while kill -0 "$pid" 2>/dev/null; do
                    [[ -z $t0 ]] && grep -aq 'COSIM-MARK bench-start' "$run/console.log" 2>/dev/null && t0=$EPOCHREALTIME
                    [[ -n $t0 && -z $t1 ]] && grep -aq 'COSIM-MARK bench-end' "$run/console.log" 2>/dev/null && t1=$EPOCHREALTIME
                    sleep 0.01
                done
                wait "$pid" || { cat "$run/run.out" >&2; die "bench time: the $workload run with --time $mode failed (logs: $run)"; }
                [[ -n $t0 && -n $t1 ]] || die "bench time: no bench-start/bench-end marks in $run/console.log"
                wall[$mode]=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
                printf '  %-5s round %d %-9s workload %7s s wall   %s\n' "$workload" "$round" "$mode" "${wall[$mode]}" \
                    "$(grep -a 'time: mode' "$run/summary.txt" | head -n 1)"
            done
            ratios+=("$(awk -v a="${wall[off]}" -v b="${wall[lockstep]}" 'BEGIN { printf "%.4f", b / a }')")
        done
        printf '%s\n' "${ratios[@]}" | sort -n | awk -v w="$workload" '
            { r[NR] = $1 }
            END {
                m = NR % 2 ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2
                printf "  %-5s lockstep / off wall-time ratio: median %.3f (%+.1f%%), rounds %.3f .. %.3f\n",
                    w, m, 100 * (m - 1), r[1], r[NR]
            }'
    done | tee "$dir/bench.txt"
}
