"""Runs a command in a pseudo-terminal and answers its prompts: a person at a keyboard, for tests.

Usage: python3 pty-drive.py STEPS_JSON -- COMMAND [ARGS...]
STEPS_JSON is a list of [pattern, keys]: wait until the output (ANSI codes removed) matches the regular
expression `pattern` after the previous match, then type `keys`. Prints a JSON object with the exit code
and the whole transcript on stdout. Python's standard library only (pty, os, select).
"""
import json
import os
import pty
import re
import select
import sys
import time

ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][A-Za-z0-9]|\x1b[=>]")


def main() -> None:
    steps = json.loads(sys.argv[1])
    command = sys.argv[sys.argv.index("--") + 1 :]
    timeout = float(os.environ.get("PTY_STEP_TIMEOUT", "30"))
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["COLUMNS"] = "160"
        os.execvp(command[0], command)
    raw = b""
    position = 0
    failure = None
    exit_code = None

    def read(wait: float) -> bool:
        nonlocal raw
        ready, _, _ = select.select([fd], [], [], wait)
        if not ready:
            return True
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            return False
        if not chunk:
            return False
        raw += chunk
        return True

    alive = True
    for pattern, keys in steps:
        deadline = time.time() + timeout
        while True:
            text = ANSI.sub("", raw.decode("utf-8", "replace"))
            match = re.search(pattern, text[position:])
            if match:
                position += match.end()
                break
            if not alive or time.time() > deadline:
                failure = f"no match for {pattern!r}"
                break
            alive = read(0.1)
        if failure:
            break
        time.sleep(0.15)
        os.write(fd, keys.encode("utf-8"))
    deadline = time.time() + timeout
    while alive and time.time() < deadline:
        alive = read(0.1)
    try:
        _, status = os.waitpid(pid, 0 if not alive else os.WNOHANG)
        if os.WIFEXITED(status):
            exit_code = os.WEXITSTATUS(status)
    except ChildProcessError:
        pass
    if exit_code is None and alive:
        os.kill(pid, 9)
        failure = failure or "still running at the end"
    print(json.dumps({"exitCode": exit_code, "failure": failure, "transcript": ANSI.sub("", raw.decode("utf-8", "replace"))}))


main()
