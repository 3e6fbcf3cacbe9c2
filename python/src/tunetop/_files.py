"""The writing rules of a run directory (docs/run-directory.md): whole-line appends, atomic replaces."""

import json
import math
import os
import random
import re
import socket
import time

__all__ = [
    "AppendFile",
    "replace_file",
    "number_cell",
    "json_value",
    "utc_now",
    "process_start_ticks",
    "host_name",
    "sanitized_name",
    "create_run_directory",
]


class AppendFile:
    """An append-only file of the run: each line reaches the file in one write(2) on an O_APPEND descriptor."""

    def __init__(self, path, mode=0o644):
        self.path = path
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, mode)

    def append_line(self, line):
        data = (line + "\n").encode("utf-8")
        written = os.write(self._fd, data)
        # A regular file takes the whole write; a short write (disk full) would tear the line, and
        # finishing it keeps the next line from being glued onto the torn one.
        while written < len(data):
            written += os.write(self._fd, data[written:])

    def sync(self):
        os.fsync(self._fd)

    def close(self):
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def replace_file(path, text, durable=False):
    """Writes `text` to a temporary name beside `path` and renames it into place."""
    directory, name = os.path.split(path)
    temporary = os.path.join(directory, ".%s.tmp-%d-%08x" % (name, os.getpid(), random.getrandbits(32)))
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644)
    try:
        data = text.encode("utf-8")
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        if durable:
            os.fsync(fd)
    except BaseException:
        os.close(fd)
        os.unlink(temporary)
        raise
    os.close(fd)
    os.replace(temporary, path)


def number_cell(value):
    """A CSV cell in C locale: empty when unknown, `nan`/`inf`/`-inf` when not finite."""
    if value is None:
        return ""
    value = float(value)
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    # `%g` never uses the locale's decimal separator in Python.
    return "%.6g" % value


def epoch_cell(epoch):
    """The `epoch` cell of metrics.csv: `3` at an epoch's end, `2.5` for an evaluation halfway
    through epoch 3 (run-directory format 2). A mid-epoch value is cut, not rounded, to at most six
    decimals, and one within 1e-6 of a whole number is that epoch's end, so a cell is a whole number
    exactly when the evaluation ended an epoch."""
    value = float(epoch)
    if abs(value - round(value)) < 1e-6:
        return str(int(round(value)))
    micro = min(999999, max(1, int((value - math.floor(value)) * 1e6)))
    text = "%d.%06d" % (math.floor(value), micro)
    return text.rstrip("0")


def epoch_of_cell(cell):
    """(epoch ended or in progress, fractional position or None) of an `epoch` cell, as `epoch_cell` writes it."""
    value = float(cell)
    if value == math.floor(value):
        return int(value), None
    return math.floor(value) + 1, value


def json_value(value):
    """JSON has no NaN or infinity: such a number (and anything not JSON) is written as null or text."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    try:
        number = float(value)  # numpy and torch scalars
    except (TypeError, ValueError):
        return str(value)
    return number if math.isfinite(number) else None


def utc_now():
    """ISO 8601 in UTC, to the second, as tunetop's events carry it."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def process_start_ticks(pid):
    """Field 22 of /proc/<pid>/stat (clock ticks since boot), or None where there is no /proc.

    The command name (field 2) is in parentheses and may itself hold spaces and parentheses, so the
    fields are counted from the last ')'."""
    try:
        with open("/proc/%d/stat" % pid, "rb") as stat:
            text = stat.read().decode("utf-8", "replace")
    except OSError:
        return None
    close = text.rfind(")")
    if close < 0:
        return None
    fields = text[close + 1 :].split()
    # fields[0] is field 3 (the state), so field 22 is fields[19].
    if len(fields) <= 19 or not fields[19].isdigit():
        return None
    return int(fields[19])


def host_name():
    # gethostname(2) itself: a lookup through DNS could hang on a cluster node.
    try:
        return socket.gethostname()
    except OSError:
        return "localhost"


_UNSAFE = re.compile(r"[^A-Za-z0-9\-_.=+]")


def sanitized_name(name):
    """The run name as tunetop puts it into a directory name (RunDirectory.sanitized)."""
    cleaned = _UNSAFE.sub("_", str(name))[:60]
    return cleaned or "run"


def create_run_directory(root, name, populate):
    """Creates `root/<yyyyMMdd-HHmmss>-<name>` (local time, `-2`, `-3`… when taken) complete or not at all.

    `populate(staging_path)` writes the first files under a hidden temporary name, which is then
    renamed into place: rename(2) onto an existing non-empty directory fails, which makes the
    suffix race-free, and a process killed meanwhile leaves no half-made run."""
    os.makedirs(root, exist_ok=True)
    base = "%s-%s" % (time.strftime("%Y%m%d-%H%M%S", time.localtime()), sanitized_name(name))
    staging = os.path.join(root, ".%s.partial-%d-%08x" % (base, os.getpid(), random.getrandbits(32)))
    os.mkdir(staging, 0o755)
    try:
        populate(staging)
        suffix = 1
        while True:
            candidate = os.path.join(root, base if suffix == 1 else "%s-%d" % (base, suffix))
            try:
                os.rename(staging, candidate)
                return candidate
            except OSError as error:
                if error.errno not in (17, 39) or suffix >= 10000:  # EEXIST, ENOTEMPTY
                    raise
                suffix += 1
    except BaseException:
        _remove_tree(staging)
        raise


def _remove_tree(path):
    try:
        for entry in os.listdir(path):
            os.unlink(os.path.join(path, entry))
        os.rmdir(path)
    except OSError:
        pass


def json_line(obj):
    return json.dumps(json_value(obj), sort_keys=True, ensure_ascii=False, allow_nan=False)
