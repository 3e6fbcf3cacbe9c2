"""Issue 12, end to end in tmux: a PyTorch loop under tunetop.Run trains; `tunetop watch`, attached
to it in a terminal, shows its charts filling; a learning rate typed into the dashboard's form
reaches the optimizer (the loop checks the rate it holds); `s`, confirmed, stops the run with status
`stopped`; the loop exits 0; `q` closes the viewer and nothing is left running.

Every wait polls the screen or the run's files against a deadline, so a step that never happens
fails the test with what the screen showed, instead of hanging it.
"""

import glob
import json
import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid

import pytest

TESTS = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(os.path.dirname(TESTS), "src")
NEW_LR = 0.00025  # the loop starts at 0.01; typed as "2.5e-4"
COLUMNS, ROWS = 100, 30

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None,
                                reason="tmux is not installed (.ci/run installs it; apt-get install -y tmux)")


class Pane:
    """`tunetop watch` in a detached tmux session: keys in, the screen's text out."""

    def __init__(self, command, pid_file):
        self.session = "tunetop-e2e-%s" % uuid.uuid4().hex[:8]
        # The inner shell writes its pid and execs tunetop, so the pid is the viewer's; the outer
        # shell then prints the exit status where capture-pane reads it.
        inner = "echo $$ > %s; exec %s" % (shlex.quote(pid_file), command)
        outer = "TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 bash -c %s; echo \"[exited with $?]\"; sleep 60" % (
            shlex.quote(inner))
        subprocess.run(["tmux", "new-session", "-d", "-s", self.session, "-x", str(COLUMNS), "-y", str(ROWS), outer],
                       check=True)

    def text(self):
        result = subprocess.run(["tmux", "capture-pane", "-p", "-t", self.session], capture_output=True, text=True)
        return result.stdout

    def keys(self, *keys, literal=False):
        subprocess.run(["tmux", "send-keys", "-t", self.session] + (["-l"] if literal else []) + list(keys),
                       check=True)

    def kill(self):
        subprocess.run(["tmux", "kill-session", "-t", self.session], capture_output=True)


def wait_for(what, check, seconds, screen=None):
    """Polls `check` (every 50 ms) until it returns something true; fails with `what` after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            shown = ("\nthe screen:\n" + screen.text()) if screen is not None else ""
            pytest.fail("no %s within %g s%s" % (what, seconds, shown))
        time.sleep(0.05)


def events(run):
    path = os.path.join(run, "events.jsonl")
    if not os.path.exists(path):
        return []
    with open(path) as file:
        return [json.loads(line) for line in file if line.endswith("\n")]


def read_json(path):
    try:
        with open(path) as file:
            return json.load(file)
    except (OSError, ValueError):
        return None


def panel(screen, title):
    """The inside of the box whose top border names `title` ("2 Loss"): its rows, borders cut off."""
    lines = screen.splitlines()
    for top, line in enumerate(lines):
        left = line.find("┌" + title)
        if left < 0:
            continue
        right = line.index("┐", left)
        rows = []
        for row in lines[top + 1:]:
            if row[left:left + 1] == "└":
                return rows
            rows.append(row[left + 1:right])
        return rows
    return []


def drawn_points(rows):
    """How many cells of a panel hold braille dots: the points its chart draws."""
    return sum(1 for row in rows for ch in row if 0x2801 <= ord(ch) <= 0x28FF)


def last_step_on_axis(rows):
    """The right-hand label of the chart's x axis ("step 0 … 1377"), or None."""
    for row in rows:
        words = row.split()
        if words[:2] == ["step", "0"] and len(words) >= 3 and words[2].isdigit():
            return int(words[2])
    return None


def status_word(screen):
    """The run state the status bar (the screen's last line) starts with."""
    lines = screen.rstrip("\n").splitlines()
    return lines[-1].split()[0] if lines and lines[-1].split() else None


def selected_key(screen):
    for line in screen.splitlines():
        if "›" in line:
            return line.split("›", 1)[1].split()[0]
    return None


def test_a_pytorch_loop_is_watched_steered_and_stopped_from_the_dashboard(tmp_path, tunetop_bin):
    runs = str(tmp_path / "runs")
    observed = str(tmp_path / "observed.json")
    pid_file = str(tmp_path / "viewer.pid")
    environment = dict(os.environ, PYTHONPATH=os.pathsep.join([TESTS, SOURCE, os.environ.get("PYTHONPATH", "")]))
    loop = subprocess.Popen([sys.executable, os.path.join(TESTS, "steered_loop.py"), runs, observed, repr(NEW_LR)],
                            env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    pane = None
    try:
        started = time.monotonic()
        marks = []

        def mark(what):
            marks.append("%s %.1f s" % (what, time.monotonic() - started))

        run = wait_for("run directory", lambda: (glob.glob(os.path.join(runs, "*steered*"))
                                                 if loop.poll() is None else pytest.fail(loop.stdout.read())), 30)[0]
        wait_for("start event", lambda: any(e["event"] == "start" for e in events(run)), 30)
        pane = Pane("%s watch %s --runs %s" % (shlex.quote(tunetop_bin), shlex.quote(os.path.basename(run)),
                                              shlex.quote(runs)), pid_file)

        # The charts fill from the files the loop writes: points appear, and the x axis follows
        # the steps.
        wait_for("points on the Loss chart", lambda: drawn_points(panel(pane.text(), "2 Loss")) > 0, 30, pane)
        # The first frame may hold step 1 alone (a loaded machine); the axis must then move past it.
        def axis_past_first_step():
            step = last_step_on_axis(panel(pane.text(), "2 Loss"))
            return step if step is not None and step > 1 else None

        first = wait_for("the Loss chart's x axis past step 1", axis_past_first_step, 30, pane)
        wait_for("the Loss chart growing past step %d" % first,
                 lambda: (last_step_on_axis(panel(pane.text(), "2 Loss")) or 0) > first, 15, pane)
        mark("charts filling")

        # Learning rate: focus the form, walk down to learning_rate, type over the selected value.
        pane.keys("1")
        wait_for("the form focused", lambda: selected_key(pane.text()) is not None, 5, pane)
        for _ in range(60):
            current = selected_key(pane.text())
            if current == "learning_rate":
                break
            pane.keys("j")
            wait_for("the selection to move past %s" % current, lambda: selected_key(pane.text()) != current, 5, pane)
        assert selected_key(pane.text()) == "learning_rate", pane.text()
        row = next(line for line in pane.text().splitlines() if "›learning_rate" in line)
        assert row.split("›learning_rate", 1)[1].split()[0] == "0.01", "the run's own rate, not tunetop's: " + row
        pane.keys("Enter")
        pane.keys("2.5e-4", literal=True)
        pane.keys("Enter")

        def lr_answer():
            for event in events(run):
                if event["event"] == "command" and event.get("command") == "set":
                    return event
            return None

        answer = wait_for("answer to the learning-rate command in events.jsonl", lr_answer, 15, pane)
        assert answer["result"] == "applied", answer
        seen = wait_for("the loop's observation of the new rate", lambda: read_json(observed), 15, pane)
        assert seen["learning_rate"] == pytest.approx(NEW_LR, rel=1e-12)
        assert seen["step"] >= answer["step"]
        edit = [e for e in events(run) if e["event"] == "hot_edit" and e.get("key") == "learning_rate"]
        assert edit and edit[0]["value"] == pytest.approx(NEW_LR), edit
        wait_for("the applied answer on the dashboard", lambda: "applied at step" in pane.text(), 10, pane)
        mark("learning rate applied")

        # Stop: the dashboard asks first, a second `s` sends it.
        pane.keys("s")
        wait_for("the stop question", lambda: "s again stops" in pane.text(), 5, pane)
        pane.keys("s")
        wait_for("the loop's exit", lambda: loop.poll() is not None or None, 30, pane)
        output = loop.stdout.read()
        assert loop.returncode == 0, output
        summary = read_json(os.path.join(run, "summary.json"))
        assert summary["status"] == "stopped", summary
        assert any(e["event"] == "command" and e.get("command") == "stop" and e["result"] == "applied"
                   for e in events(run))
        mark("stopped")
        wait_for("STOPPED in the dashboard's status bar", lambda: status_word(pane.text()) == "STOPPED", 10, pane)
        assert " s start" not in pane.text().splitlines()[-1], "watch mode refuses s on an ended run"

        # `q` closes the viewer without a question; its process is gone.
        viewer = int(open(pid_file).read())
        pane.keys("q")
        wait_for("the viewer's exit", lambda: "[exited with 0]" in pane.text(), 10, pane)
        with pytest.raises(ProcessLookupError):
            os.kill(viewer, 0)
        mark("viewer closed")
        print("; ".join(marks))
    finally:
        if pane is not None:
            pane.kill()
        if loop.poll() is None:
            loop.kill()
            loop.wait()
