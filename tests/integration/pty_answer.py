#!/usr/bin/env python3
"""Run a command on a new pseudo-terminal and answer its prompts.

    pty_answer.py ANSWER... -- CMD [ARG...]

CMD gets the terminal as its controlling terminal (so /dev/tty is it) and
as stdin, stdout and stderr. Each time the terminal output ends in ": "
(a prompt), the next ANSWER is typed, followed by Enter. Everything the
terminal showed is written to stdout afterwards, so a test can check that
the prompts were there and that nothing typed was echoed. Exits with the
command's status (128 + N for signal N); 124 when it takes over 60 s.
"""
import os
import pty
import select
import sys
import time


def main():
    if "--" not in sys.argv:
        sys.stderr.write(__doc__)
        return 2
    i = sys.argv.index("--")
    answers, cmd = sys.argv[1:i], sys.argv[i + 1:]
    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.execvp(cmd[0], cmd)
        finally:
            os._exit(127)
    seen = b""
    pending = b""
    deadline = time.monotonic() + 60
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            sys.stdout.buffer.write(seen)
            return 124
        r, _, _ = select.select([fd], [], [], min(left, 0.5))
        if not r:
            continue
        try:
            data = os.read(fd, 4096)
        except OSError:  # EIO: the command closed the terminal
            break
        if not data:
            break
        seen += data
        pending += data
        if pending.rstrip(b" ").endswith(b":") and pending.endswith(b" "):
            pending = b""
            if answers:
                # after the prompt, as a person would: echo is off by now
                time.sleep(0.05)
                os.write(fd, answers.pop(0).encode() + b"\r")
    _, status = os.waitpid(pid, 0)
    sys.stdout.buffer.write(seen)
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


if __name__ == "__main__":
    sys.exit(main())
