#!/usr/bin/env python3
"""End-to-end scenarios that need a hand on QEMU while the guest runs:
fallback, fallback-none, host-loss, hotplug (plus migration refusal).

Real QEMU with cosim-pci, real guest kernel and driver, real cosim-host
processes. The guest's plan prints COSIM-MARK lines; this script acts on them
(kill the host, device_del, device_add) over QMP. Every wait has a deadline;
all logs stay in --log-dir.

Environment (set by tests/e2e/cosim-e2e): COSIM_QEMU_BIN, COSIM_GUEST_KERNEL,
COSIM_GUEST_INITRD, COSIM_FRONTEND_LIB, COSIM_HOST_BIN, COSIM_ROOT.
"""
import argparse
import json
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time

ENV = os.environ
ROOT = ENV["COSIM_ROOT"]
# One guest CPU boots fastest; it has ~190 vectors, so the device offers 64 MSI-X.
PARAMS = "msix=64"


class Failure(Exception):
    pass


def log(msg):
    print(f"[scenario] {msg}", flush=True)


def machine_args(plan):
    out = subprocess.run(
        ["bash", "-c", f'. "{ROOT}/tools/lib/common.sh"; . "{ROOT}/tools/lib/qemu.sh"; '
         f'. "{ROOT}/tools/lib/guest.sh"; cosim_qemu_firmware_args | tr " " "\\n"; '
         f'cosim_guest_qemu_args pc {plan} "timeout=240"'],
        check=True, capture_output=True, text=True, env=dict(ENV, COSIM_GUEST_SMP="1")).stdout
    return [a for a in out.split("\n") if a]


class Host:
    """A cosim-host process serving native:epf-test at a fresh ipc endpoint."""

    def __init__(self, log_dir, tag):
        self.dir = tempfile.mkdtemp(prefix="cosim-e2e-")
        self.endpoint = f"ipc://{self.dir}/host.sock"
        self.log_path = os.path.join(log_dir, f"host-{tag}.log")
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [ENV["COSIM_HOST_BIN"], "--model", "native:epf-test", "--param", PARAMS,
             "--endpoint", self.endpoint, "--name", f"e2e-host-{tag}"],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 10
        while not os.path.exists(f"{self.dir}/host.sock"):
            if self.proc.poll() is not None or time.time() > deadline:
                raise Failure(f"cosim-host {tag} did not start (see {self.log_path})")
            time.sleep(0.05)

    def kill(self):
        self.proc.kill()
        self.proc.wait()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Qemu:
    def __init__(self, log_dir, plan, device=None):
        self.log_dir = log_dir
        self.console = os.path.join(log_dir, "console.log")
        self.qmp_path = os.path.join(tempfile.mkdtemp(prefix="cosim-qmp-"), "qmp.sock")
        open(self.console, "w").close()
        cmd = [ENV["COSIM_QEMU_BIN"], "-accel", "tcg"] + machine_args(plan) + [
            "-serial", f"file:{self.console}", "-monitor", "none",
            "-qmp", f"unix:{self.qmp_path},server=on,wait=off"]
        if device:
            cmd += ["-device", device]
        with open(os.path.join(log_dir, "cmdline.txt"), "w") as f:
            f.write(" ".join(cmd) + "\n")
        self.qemu_log = open(os.path.join(log_dir, "qemu.log"), "w")
        self.proc = subprocess.Popen(cmd, stdout=self.qemu_log, stderr=subprocess.STDOUT,
                                     env=dict(ENV, COSIM_FRONTEND_LIB=ENV["COSIM_FRONTEND_LIB"]))
        self.pos = 0
        self.lines = []
        self.sock = None

    def connect_qmp(self, timeout=20):
        deadline = time.time() + timeout
        while True:
            try:
                s = socket.socket(socket.AF_UNIX)
                s.connect(self.qmp_path)
                break
            except OSError:
                if self.proc.poll() is not None or time.time() > deadline:
                    raise Failure("QMP socket never appeared")
                time.sleep(0.1)
        self.sock = s
        self.buf = b""
        self.events = []
        self._read_json(10)  # greeting
        self.qmp("qmp_capabilities")

    def _read_json(self, timeout):
        """One JSON object from QMP, or None when `timeout` seconds pass first."""
        deadline = time.time() + timeout
        while b"\n" not in self.buf:
            left = deadline - time.time()
            if left <= 0 or not select.select([self.sock], [], [], left)[0]:
                return None
            chunk = self.sock.recv(65536)
            if not chunk:
                raise Failure("QEMU closed the QMP connection")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def qmp(self, cmd, **args):
        self.sock.sendall((json.dumps({"execute": cmd, "arguments": args}) + "\n").encode())
        while True:
            r = self._read_json(60)
            if r is None:
                raise Failure(f"no QMP answer to {cmd} within 60 s")
            if "event" in r:
                self.events.append(r)
                continue
            return r

    def wait_event(self, name, timeout):
        deadline = time.time() + timeout
        while True:
            for e in self.events:
                if e["event"] == name:
                    self.events.remove(e)
                    return e
            left = deadline - time.time()
            if left <= 0:
                raise Failure(f"no QMP event {name} within {timeout} s")
            r = self._read_json(left)
            if r is not None and "event" in r:
                self.events.append(r)

    def new_console_lines(self):
        with open(self.console, "rb") as f:
            f.seek(self.pos)
            data = f.read()
        cut = data.rfind(b"\n") + 1
        self.pos += cut
        new = [l.decode(errors="replace").rstrip("\r") for l in data[:cut].split(b"\n") if l]
        self.lines += new
        return new

    def wait_mark(self, mark, timeout):
        deadline = time.time() + timeout
        while time.time() < deadline:
            for line in self.new_console_lines():
                i = line.find("COSIM-")
                if i < 0:
                    continue
                line = line[i:]
                if line.startswith(("COSIM-RESULT", "COSIM-LOG", "COSIM-END")):
                    print("    guest:", line[6:], flush=True)
                if line == f"COSIM-MARK {mark}":
                    return
                if line.startswith("COSIM-END"):
                    raise Failure(f"the guest ended before mark '{mark}': {line}")
            if self.proc.poll() is not None:
                raise Failure(f"QEMU exited ({self.proc.returncode}) before mark '{mark}'")
            time.sleep(0.1)
        raise Failure(f"no mark '{mark}' within {timeout} s")

    def wait_exit(self, timeout):
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise Failure(f"QEMU still running after {timeout} s: killed")
        for line in self.new_console_lines():
            i = line.find("COSIM-")
            if i >= 0 and line[i:].startswith(("COSIM-RESULT", "COSIM-END")):
                print("    guest:", line[i + 6:], flush=True)
        return self.proc.returncode

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def judge_transcript(qemu):
    r = subprocess.run(
        ["bash", "-c", f'. "{ROOT}/tools/lib/common.sh"; . "{ROOT}/tools/lib/guest.sh"; '
         f'cosim_parse_transcript "{qemu.console}"'], capture_output=True, text=True)
    print(r.stdout, end="")
    if r.returncode != 0:
        raise Failure(f"the guest transcript does not pass (status {r.returncode})")


def qemu_log_text(qemu):
    qemu.qemu_log.flush()
    with open(os.path.join(qemu.log_dir, "qemu.log")) as f:
        return f.read()


def device_arg(endpoint, fallback="none", dev_id="ep0"):
    return (f"cosim-pci,id={dev_id},endpoint={endpoint},fallback={fallback},"
            f"connect-timeout=2000,params={PARAMS}")


def expect_ok(r, what):
    if "error" in r:
        raise Failure(f"{what} failed: {r['error']}")


# ---------------------------------------------------------------- scenarios

def scenario_fallback(log_dir, timeout):
    """No simulator listening, fallback=epf-test: one log line, the guest passes."""
    nowhere = f"ipc://{tempfile.mkdtemp(prefix='cosim-none-')}/nobody.sock"
    qemu = Qemu(log_dir, "smoke", device_arg(nowhere, fallback="epf-test"))
    try:
        status = qemu.wait_exit(timeout)
    finally:
        qemu.kill()
    if status != 0:
        raise Failure(f"QEMU exited with {status}")
    judge_transcript(qemu)
    text = qemu_log_text(qemu)
    lines = [l for l in text.splitlines() if "fallback" in l]
    if len(lines) != 1 or nowhere not in lines[0]:
        raise Failure(f"expected one log line about the fallback naming {nowhere}, got: {lines}")
    log(f"fallback announced: {lines[0]}")


def scenario_fallback_none(log_dir, timeout):
    """No simulator listening, fallback=none: realize fails naming the endpoint."""
    nowhere = f"ipc://{tempfile.mkdtemp(prefix='cosim-none-')}/nobody.sock"
    qemu = Qemu(log_dir, "none", device_arg(nowhere, fallback="none"))
    try:
        status = qemu.wait_exit(min(timeout, 60))
    finally:
        qemu.kill()
    text = qemu_log_text(qemu)
    if status == 0:
        raise Failure("QEMU started although no simulator listens and fallback=none")
    if nowhere not in text or "cosim-pci" not in text:
        raise Failure(f"QEMU's error does not name the device and endpoint: {text.strip()}")
    if any(l.startswith("COSIM-BEGIN") for l in qemu.lines):
        raise Failure("the guest booted although the device failed to realize")
    log(f"refused as expected: {text.strip().splitlines()[-1]}")


def scenario_host_loss(log_dir, timeout):
    """The host dies mid-run: QEMU survives, reads give all-ones, one error is
    logged; a restarted host is attached again with device_del/device_add."""
    host_a = Host(log_dir, "a")
    qemu = Qemu(log_dir, "host-loss", device_arg(host_a.endpoint))
    host_b = None
    try:
        qemu.connect_qmp()
        qemu.wait_mark("kill-host", timeout / 2)
        log("killing the host (SIGKILL)")
        host_a.kill()
        qemu.wait_mark("unplug", timeout / 2)
        expect_ok(qemu.qmp("device_del", id="ep0"), "device_del")
        qemu.wait_event("DEVICE_DELETED", 120)
        log("device removed; starting a new host")
        host_b = Host(log_dir, "b")
        qemu.wait_mark("wait-for-device", 60)
        expect_ok(qemu.qmp("device_add", driver="cosim-pci", id="ep0", endpoint=host_b.endpoint,
                           fallback="none", params=PARAMS), "device_add")
        status = qemu.wait_exit(timeout)
    finally:
        qemu.kill()
        host_a.stop()
        if host_b:
            host_b.stop()
    if status != 0:
        raise Failure(f"QEMU exited with {status}")
    judge_transcript(qemu)
    lost = [l for l in qemu_log_text(qemu).splitlines() if "no longer reachable" in l]
    if len(lost) != 1:
        raise Failure(f"expected exactly one 'no longer reachable' error, got {len(lost)}: {lost}")
    log(f"host loss logged once: {lost[0]}")
    with open(host_b.log_path) as f:
        if "frontend said goodbye" not in f.read():
            raise Failure("the second host did not see an orderly end of its session")


def scenario_hotplug(log_dir, timeout):
    """device_add on a booted guest, the driver binds and passes; device_del
    removes it; add it again. Live migration is refused while it is present."""
    host = Host(log_dir, "a")
    qemu = Qemu(log_dir, "hotplug")
    try:
        qemu.connect_qmp()
        for round_ in (1, 2):
            qemu.wait_mark("wait-for-device", timeout / 3)
            expect_ok(qemu.qmp("device_add", driver="cosim-pci", id="hp0", endpoint=host.endpoint,
                               fallback="none", params=PARAMS), f"device_add #{round_}")
            log(f"device_add #{round_} done")
            if round_ == 1:
                r = qemu.qmp("migrate", uri="exec:cat >/dev/null")
                if "error" not in r or "cosim-pci" not in r["error"]["desc"]:
                    raise Failure(f"migration was not refused with a message naming cosim-pci: {r}")
                log(f"migration refused: {r['error']['desc']}")
                qemu.wait_mark("unplug", timeout / 3)
                expect_ok(qemu.qmp("device_del", id="hp0"), "device_del")
                qemu.wait_event("DEVICE_DELETED", 120)
                log("device_del done")
        status = qemu.wait_exit(timeout)
    finally:
        qemu.kill()
        host.stop()
    if status != 0:
        raise Failure(f"QEMU exited with {status}")
    judge_transcript(qemu)
    with open(host.log_path) as f:
        sessions = f.read().count("session ended: ok")
    if sessions != 2:
        raise Failure(f"expected two orderly sessions on the host, saw {sessions}")


SCENARIOS = {
    "fallback": scenario_fallback,
    "fallback-none": scenario_fallback_none,
    "host-loss": scenario_host_loss,
    "hotplug": scenario_hotplug,
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("scenario", choices=sorted(SCENARIOS))
    ap.add_argument("--log-dir", required=True)
    ap.add_argument("--timeout", type=int, default=600)
    a = ap.parse_args()
    os.makedirs(a.log_dir, exist_ok=True)
    log(f"{a.scenario}: logs in {a.log_dir}")
    try:
        SCENARIOS[a.scenario](a.log_dir, a.timeout)
    except Failure as e:
        print(f"FAILED: {a.scenario}: {e}\nlogs kept in {a.log_dir}", file=sys.stderr)
        return 1
    log(f"{a.scenario}: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
