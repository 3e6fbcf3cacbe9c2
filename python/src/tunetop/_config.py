"""config.yaml for a run written by another trainer: any keys, one `key: value` line each."""

import json
import math
import re

__all__ = ["config_yaml"]

_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-/]*$")


def _scalar(value):
    # JSON scalars, strings and flow collections are YAML 1.2, which keeps the writer tiny and
    # the file readable by any YAML parser; only non-finite floats need YAML's own spelling.
    if isinstance(value, float) and not math.isfinite(value):
        return ".nan" if math.isnan(value) else (".inf" if value > 0 else "-.inf")
    if value is None or isinstance(value, (bool, int, float, str)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join("%s: %s" % (_key(k), _scalar(v)) for k, v in value.items()) + "}"
    try:
        number = float(value)  # numpy and torch scalars
    except (TypeError, ValueError):
        return json.dumps(str(value), ensure_ascii=False)
    return _scalar(int(number) if number.is_integer() and "int" in type(value).__name__.lower() else number)


def _key(key):
    key = str(key)
    return key if _PLAIN_KEY.match(key) else json.dumps(key, ensure_ascii=False)


def config_yaml(settings, comment=None):
    lines = ["# %s" % comment] if comment else []
    lines += ["%s: %s" % (_key(k), _scalar(v)) for k, v in settings.items()]
    return "\n".join(lines) + "\n"
