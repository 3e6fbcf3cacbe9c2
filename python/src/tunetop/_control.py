"""Reading control.jsonl: only new bytes, whole lines, every command checked before it is applied."""

import json
import math
import os
import re
import stat

__all__ = ["ControlReader", "Command", "Refusal", "parse_command", "SETTABLE_KEYS", "format_number"]

COMMANDS = ("pause", "resume", "stop", "set", "freeze", "unfreeze")


class Range:
    """A real interval as tunetop's ConfigRange writes it in messages: `> 0 and ≤ 10`."""

    def __init__(self, lower, lower_inclusive, upper, upper_inclusive):
        self.lower, self.lower_inclusive = lower, lower_inclusive
        self.upper, self.upper_inclusive = upper, upper_inclusive

    def contains(self, value):
        if not math.isfinite(value):
            return False
        if value < self.lower or (value == self.lower and not self.lower_inclusive):
            return False
        if value > self.upper or (value == self.upper and not self.upper_inclusive):
            return False
        return True

    @property
    def inequalities(self):
        return "%s %s and %s %s" % (
            "≥" if self.lower_inclusive else ">",
            format_number(self.lower),
            "≤" if self.upper_inclusive else "<",
            format_number(self.upper),
        )


# The ranges of Sources/Training/Config/ConfigKeyTable.swift, so a command refused by tunetop's own
# trainer is refused here with the same words.
SETTABLE_KEYS = {
    "learning_rate": Range(0, False, 10, True),
    "weight_decay": Range(0, True, 1, True),
    "dropout": Range(0, True, 1, False),
}


def format_number(value):
    """Integral values without a fraction, others as Python's shortest round-trip text (`1e-05`)."""
    if isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, (int, float)) and math.isfinite(value) and value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(value) if isinstance(value, float) else json.dumps(value, ensure_ascii=False)


class Command:
    """A well-formed command line: what to do, and with which key, value or group."""

    def __init__(self, id, command, key=None, value=None, group=None):
        self.id, self.command, self.key, self.value, self.group = id, command, key, value, group


class Refusal(Exception):
    """A command line that cannot be applied; `reason` names the bad part and what is valid."""

    def __init__(self, id, command, reason):
        super().__init__(reason)
        self.id, self.command, self.reason = id, command, reason


_ID = re.compile(rb'"id"\s*:\s*(\d+)')


def parse_command(line, line_number):
    """A Command, or raises Refusal; `line` is one complete line of control.jsonl (bytes)."""
    try:
        obj = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        # Refused by its id when one can be made out, so the sender gets its answer.
        match = _ID.search(line)
        ident = int(match.group(1)) if match else None
        raise Refusal(ident, None, "line %d of control.jsonl is not valid JSON" % line_number)
    if not isinstance(obj, dict):
        raise Refusal(None, None, "line %d of control.jsonl must be a JSON object, got %s" % (
            line_number, _shown(obj)))
    ident = obj.get("id")
    command = obj.get("command") if isinstance(obj.get("command"), str) else None
    if not isinstance(ident, int) or isinstance(ident, bool) or ident < 1:
        # Not a usable id: the answer carries none (no sender can be waiting for it).
        raise Refusal(None, command, "id must be a positive integer, got %s" % _shown(ident))
    if command not in COMMANDS:
        raise Refusal(ident, command, "command must be one of %s, got %s" % (
            ", ".join(COMMANDS), _shown(obj.get("command"))))
    if command == "set":
        key = obj.get("key")
        if key not in SETTABLE_KEYS:
            raise Refusal(ident, command, "key must be one of %s, got %s" % (
                ", ".join(SETTABLE_KEYS), _shown(key)))
        value = obj.get("value")
        if isinstance(value, str):
            try:
                value = float(value.strip())  # "3e-4" is accepted as well as 3e-4
            except ValueError:
                pass
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise Refusal(ident, command, "%s must be a number, got %s" % (key, _shown(obj.get("value"))))
        valid = SETTABLE_KEYS[key]
        if not valid.contains(float(value)):
            raise Refusal(ident, command, "%s must be %s, got %s" % (key, valid.inequalities, _shown(value)))
        return Command(ident, command, key=key, value=float(value))
    if command in ("freeze", "unfreeze"):
        group = obj.get("group")
        if not isinstance(group, str) or not group:
            raise Refusal(ident, command, "group must be the name of a layer group, got %s" % _shown(group))
        return Command(ident, command, group=group)
    return Command(ident, command)


def _shown(value):
    if value is None:
        return "nothing"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (int, float)):
        return format_number(value)
    return json.dumps(value, ensure_ascii=False)[:80]


class ControlReader:
    """Watches one control.jsonl: a stat per step, reading only bytes not read before.

    A torn last line stays in the buffer until the writer completes it. The file is refused for
    good (`refusal` is set once) when another user owns it or group or others may write it: any
    of them could steer the run."""

    def __init__(self, path):
        self.path = path
        self._offset = 0
        self._pending = b""
        self._line_number = 0
        self.refusal = None
        self.refused = False
        self._fd = None
        self.refresh()

    def refresh(self):
        """Opens control.jsonl again when the name now points to another file (or first appears)."""
        try:
            info = os.lstat(self.path)
        except FileNotFoundError:
            return
        if self._fd is not None:
            if os.fstat(self._fd).st_ino == info.st_ino:
                return
            # Another file under the name: read it from its start (answered ids stay answered).
            self.close()
            self._offset, self._pending, self._line_number = 0, b"", 0
        if stat.S_ISLNK(info.st_mode):
            self.refused = True
            self.refusal = "control.jsonl is a symbolic link; commands are ignored"
            return
        try:
            # O_NOFOLLOW: a link swapped in since the lstat is not followed to another user's file.
            self._fd = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            self._fd = None

    def close(self):
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def poll(self):
        """Complete new lines (with their line numbers), [] when nothing changed; cheap when idle."""
        if self.refused:
            return []
        # fstat of a descriptor kept open costs less than a path lookup each step; `refresh()`
        # notices a file that was replaced under the same name.
        if self._fd is None:
            self.refresh()
            if self._fd is None:
                return []
        info = os.fstat(self._fd)
        if info.st_size == self._offset:
            return []
        reason = self._unsafe(info)
        if reason:
            self.refused = True
            self.refusal = reason
            return []
        if info.st_size < self._offset:
            # Truncated or replaced: start over; ids already answered are not answered twice.
            self._offset, self._pending, self._line_number = 0, b"", 0
        chunks = []
        while True:
            chunk = os.pread(self._fd, 1 << 16, self._offset)
            if not chunk:
                break
            chunks.append(chunk)
            self._offset += len(chunk)
        data = self._pending + b"".join(chunks)
        *complete, self._pending = data.split(b"\n")
        lines = []
        for line in complete:
            self._line_number += 1
            if line.strip():
                lines.append((self._line_number, line))
        return lines

    @staticmethod
    def _unsafe(info):
        mode = stat.S_IMODE(info.st_mode)
        if stat.S_ISLNK(info.st_mode) or not stat.S_ISREG(info.st_mode):
            return "control.jsonl is not a regular file; commands are ignored"
        if info.st_uid != os.geteuid():
            return "control.jsonl is owned by another user (uid %d); commands are ignored" % info.st_uid
        if mode & 0o022:
            return "control.jsonl is writable by %s (mode %04o); commands are ignored" % (
                "other users" if mode & 0o002 else "its group", mode)
        return None
