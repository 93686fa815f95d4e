#!/usr/bin/python3
"""interrupt.py: signals a command in the middle of a write (tests/t-faults.sh).

  interrupt.py [--ignore] [--from-start] [--exact] SIGNAL DELAY DIR PREFIX -- CMD...

Starts CMD with INT, TERM and HUP at their defaults (or SIGNAL ignored, with
--ignore, as nohup does), waits until a file whose name starts with PREFIX
appears in DIR (the write's temp file: the command is writing), waits DELAY
seconds more and sends SIGNAL (a name: KILL, TERM, INT, HUP).  With
--from-start, DELAY counts from the start of CMD instead, whatever it is
doing then (before, while or after it writes): a signal at any point.
With --exact, the file waited for is named PREFIX exactly (the result
appearing rather than a temp file).
Prints "exit N seen|missed": N as a shell reports it (128 + signal when
killed by one), "seen" when the temp file was there when the signal was
sent (with --from-start: when one had appeared by then).
"""
import os
import signal
import subprocess
import sys
import time


def main(a):
    ignore = from_start = exact = False
    while a[0] in ("--ignore", "--from-start", "--exact"):
        ignore = ignore or a[0] == "--ignore"
        from_start = from_start or a[0] == "--from-start"
        exact = exact or a[0] == "--exact"
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
    limit = delay if from_start else 60
    while time.time() - t0 < limit and p.poll() is None:
        if any(f == prefix if exact else f.startswith(prefix) for f in os.listdir(folder)):
            seen = True
            if not from_start:
                break
        time.sleep(0.0005)
    if seen and delay and not from_start:
        time.sleep(delay)
    if p.poll() is None:
        p.send_signal(sig)
    else:
        seen = False
    rc = p.wait()
    print("exit %d %s" % (128 - rc if rc < 0 else rc, "seen" if seen else "missed"))


if __name__ == "__main__":
    main(sys.argv[1:])
