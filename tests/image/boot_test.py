#!/usr/bin/env python3
"""Boot test of the appliance image: builds it (image/build-image --testing) and boots it in QEMU
without KVM (TCG) and without a network (-nic none). The guest's side (image/test/guest-check)
reports on the serial console; this side answers its cues through QMP:

  LAPOR-SCREENDUMP-NOW  -> a screendump, compared with the kiosk's own screenshot (LAPOR-SHOT)
  LAPOR-RESET-NOW       -> system_reset while the guest is saving reports (a power cut)
  LAPOR-DONE 2          -> the second boot's checks are in: quit

It passes when every check the guest reports is ok, each expected check came, and the screendump
matches the kiosk's screenshot. Figures (image size, build time, boot-to-welcome) are printed.
"""
import argparse
import base64
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time

print = __import__("functools").partial(print, flush=True)  # noqa: A001 (ctest shows progress)

EXPECTED_BOOT1 = [
    "kiosk-active", "syncd-active", "syncd-watchdog", "kiosk-watchdog", "no-getty-on-display",
    "no-sshd", "secrets-0600", "data-own-fs", "syncd-waits-unenrolled", "enrol-unknown-refused",
    "enrol", "enrol-used-refused", "token-0600", "token-not-logged", "key-bound",
    "report-delivered", "kiosk-no-restart", "soak-saving",
]
EXPECTED_BOOT2 = ["kiosk-active", "syncd-active", "verify-after-reset", "store-status"]
OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd"
OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd"


class Qmp:
    """A minimal QMP client over the unix socket QEMU listens on."""

    def __init__(self, path, deadline):
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        self.file = self.sock.makefile("rwb")
        self.file.readline()  # greeting
        self.command("qmp_capabilities")

    def command(self, name, **arguments):
        msg = {"execute": name}
        if arguments:
            msg["arguments"] = arguments
        self.file.write(json.dumps(msg).encode() + b"\n")
        self.file.flush()
        while True:
            answer = json.loads(self.file.readline())
            if "return" in answer or "error" in answer:
                if "error" in answer:
                    raise RuntimeError(f"QMP {name}: {answer['error']}")
                return answer["return"]


def differing_pixels(a, b):
    """ImageMagick's count of differing pixels; None when the sizes differ."""
    size = lambda f: subprocess.run(["identify", "-format", "%wx%h", f], capture_output=True,
                                    text=True).stdout
    if size(a) != size(b):
        print(f"boot-test: sizes differ: kiosk {size(a)}, screendump {size(b)}")
        return None
    r = subprocess.run(["compare", "-metric", "AE", a, b, "null:"], capture_output=True, text=True)
    return int(float(r.stderr.split()[0]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--source", required=True)
    ap.add_argument("--debs", required=True)
    ap.add_argument("--cache", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--timeout", type=int, default=900, help="both boots, seconds")
    ap.add_argument("--smp", type=int, default=2)
    ap.add_argument("--image", help="boot this image instead of building one (development)")
    args = ap.parse_args()
    t_start = time.monotonic()
    work = os.path.abspath(args.work)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    disk = os.path.join(work, "disk.img")

    if args.image:
        shutil.copy(args.image, disk)
    else:
        build = subprocess.run(
            [os.path.join(args.source, "image", "build-image"), "--debs", args.debs, "--out",
             disk, "--testing", "--cache", args.cache, "--work", os.path.join(work, "build")],
            capture_output=True, text=True)
        sys.stdout.write(build.stdout[-3000:])
        if build.returncode != 0:
            sys.stdout.write(build.stderr[-5000:])
            print("boot-test: FAIL image build")
            return 1
        shutil.rmtree(os.path.join(work, "build"), ignore_errors=True)
    build_s = time.monotonic() - t_start
    size_mib = os.path.getsize(disk) / 1048576
    used_mib = int(subprocess.run(["du", "-m", disk], capture_output=True, text=True)
                   .stdout.split()[0])

    vars_fd = os.path.join(work, "ovmf-vars.fd")
    shutil.copy(OVMF_VARS, vars_fd)
    serial = os.path.join(work, "serial.log")
    qmp_path = os.path.join(work, "qmp.sock")
    qemu = subprocess.Popen([
        "qemu-system-x86_64", "-accel", "tcg", "-machine", "q35", "-cpu", "max",
        "-smp", str(args.smp), "-m", "1536", "-nic", "none",
        "-drive", f"if=pflash,format=raw,unit=0,readonly=on,file={OVMF_CODE}",
        "-drive", f"if=pflash,format=raw,unit=1,file={vars_fd}",
        "-drive", f"file={disk},format=raw,if=virtio",
        # virtio-gpu: wlroots needs a DRM driver with PRIME import (bochs-drm has none).
        "-device", "virtio-vga,xres=1280,yres=800",
        "-display", "none", "-serial", f"file:{serial}",
        "-qmp", f"unix:{qmp_path},server=on,wait=off",
    ], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    t_boot = time.monotonic()
    deadline = t_boot + args.timeout
    results = {1: {}, 2: {}}
    figures = {}
    shot = dump = None
    boot = 0
    reset_at = None
    done = False
    try:
        qmp = Qmp(qmp_path, deadline)
        seen = 0
        pending = ""
        while time.monotonic() < deadline and qemu.poll() is None and done is False:
            with open(serial, "rb") as f:
                f.seek(seen)
                chunk = f.read()
            if not chunk:
                time.sleep(0.5)
                continue
            seen += len(chunk)
            pending += chunk.decode("utf-8", "replace")
            *lines, pending = pending.split("\n")
            for line in lines:
                line = line.strip("\r")
                if "Kernel panic" in line:  # nothing more will come: do not wait out the deadline
                    print(f"boot-test: {line}")
                    done = None
                    break
                m = re.search(r"LAPOR-(\w[\w-]*)(?: (.*))?$", line)
                if not m:
                    continue
                kind, rest = m.group(1), m.group(2) or ""
                if kind != "SHOT":
                    print(f"[{time.monotonic() - t_boot:6.1f} s] {line[line.find('LAPOR-'):]}")
                if kind == "BOOT":
                    boot = int(rest)
                elif kind == "CHECK":
                    name, verdict = rest.split(" ", 2)[:2]
                    results.setdefault(boot, {})[name] = verdict
                    if name == "kiosk-active" and boot == 1:
                        figures["host-boot-to-kiosk-active-s"] = round(time.monotonic() - t_boot, 1)
                elif kind == "FIGURE":
                    k, v = rest.split(" ", 1)
                    figures[f"boot{boot}-{k}"] = v
                elif kind == "SCREENDUMP-NOW":
                    dump = os.path.join(work, "screendump.ppm")
                    qmp.command("screendump", filename=dump)
                elif kind == "SHOT":
                    shot = os.path.join(work, "kiosk-welcome.png")
                    with open(shot, "wb") as out:
                        out.write(base64.b64decode(rest))
                elif kind == "RESET-NOW":
                    qmp.command("system_reset")
                    reset_at = time.monotonic()
                elif kind == "DONE" and rest == "2":
                    done = True
        if done:
            figures["host-reboot-after-reset-to-checks-s"] = round(time.monotonic() - reset_at, 1)
            qmp.command("quit")
    finally:
        if qemu.poll() is None:
            qemu.kill()
        qemu.wait()

    ok = True
    for boot_no, expected in ((1, EXPECTED_BOOT1), (2, EXPECTED_BOOT2)):
        for name in expected:
            verdict = results.get(boot_no, {}).get(name)
            if verdict != "ok":
                print(f"boot-test: FAIL boot {boot_no} {name}: {verdict or 'never reported'}")
                ok = False
        for name, verdict in results.get(boot_no, {}).items():
            if verdict != "ok" and name not in expected:
                print(f"boot-test: FAIL boot {boot_no} {name}: {verdict}")
                ok = False
    if shot and dump and os.path.exists(dump):
        diff = differing_pixels(shot, dump)
        total = 1280 * 800
        print(f"boot-test: welcome screen: {diff} of {total} pixels differ between the kiosk's "
              "screenshot and QEMU's screendump")
        # The kiosk draws the whole output (cage, full screen); a pointer may cover a few pixels.
        if diff is None or diff > total // 1000:
            ok = False
            print("boot-test: FAIL welcome screen differs")
    else:
        ok = False
        print("boot-test: FAIL no screendump or no kiosk screenshot")
    if not done:
        ok = False
        print("boot-test: FAIL the guest did not finish (see serial.log)")
        with open(serial, "rb") as f:
            print(f.read()[-4000:].decode("utf-8", "replace"))
        print(qemu.stderr.read().decode()[-2000:] if qemu.stderr else "")
    figures_out = [f"image-size-mib {size_mib:.0f} (allocated {used_mib} MiB)",
                   f"image-build-s {build_s:.0f}"]
    figures_out += [f"{k} {v}" for k, v in figures.items()]
    figures_out.append(f"whole-test-s {time.monotonic() - t_start:.0f}")
    lines = [f"boot-test: FIGURE {f}" for f in figures_out]
    lines.append("boot-test: " + ("all checks passed" if ok else "FAILED"))
    for line in lines:
        print(line)
    # Also in a file: ./run-tests prints it after ctest, which shows a passing test's output only
    # with --verbose (docs/performance.md records these figures).
    with open(os.path.join(work, "figures.txt"), "w") as out:
        out.write("\n".join(lines) + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
