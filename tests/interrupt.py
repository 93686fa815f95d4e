#!/usr/bin/python3
"""interrupt.py: signals a command in the middle of a write (tests/t-faults.sh).

  interrupt.py [--ignore] SIGNAL DELAY DIR PREFIX -- CMD...

Starts CMD with INT, TERM and HUP at their defaults (or SIGNAL ignored, with
--ignore, as nohup does), waits until a file whose name starts with PREFIX
appears in DIR (the write's temp file: the command is writing), waits DELAY
seconds more and sends SIGNAL (a name: KILL, TERM, INT, HUP).  Prints
"exit N seen|missed": N as a shell reports it (128 + signal when killed by
one), "seen" when the temp file was there when the signal was sent.
"""
import os
import signal
import subprocess
import sys
import time


def main(a):
    ignore = a[0] == "--ignore"
    if ignore:
        a = a[1:]
    sig = getattr(signal, "SIG" + a[0])
    delay, folder, prefix = float(a[1]), a[2], a[3]
    cmd = a[5:] if a[4] == "--" else a[4:]

    def pre():
        for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(s, signal.SIG_DFL)
        if ignore:
            signal.signal(sig, signal.SIG_IGN)

    p = subprocess.Popen(cmd, preexec_fn=pre)
    seen = False
    t0 = time.time()
    while time.time() - t0 < 60 and p.poll() is None:
        if any(f.startswith(prefix) for f in os.listdir(folder)):
            seen = True
            break
        time.sleep(0.0005)
    if seen and delay:
        time.sleep(delay)
    if p.poll() is None:
        p.send_signal(sig)
    else:
        seen = False
    rc = p.wait()
    print("exit %d %s" % (128 - rc if rc < 0 else rc, "seen" if seen else "missed"))


if __name__ == "__main__":
    main(sys.argv[1:])
