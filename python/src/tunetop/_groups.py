"""Layer groups: the model's parameters split bottom to top, as tunetop's layers panel shows them."""

__all__ = ["LayerGroup", "groups_from_model", "groups_from_spec"]


class LayerGroup:
    """One group: its display name, the module-name prefixes it covers, and its parameters."""

    def __init__(self, name, prefixes, parameters):
        self.name = name
        self.prefixes = list(prefixes)
        self.parameters = parameters  # [(full name, Parameter)]

    @property
    def count(self):
        return sum(p.numel() for _, p in self.parameters)

    @property
    def trainable(self):
        return any(p.requires_grad for _, p in self.parameters)


def _covers(prefix, name):
    return prefix == "" or name == prefix or name.startswith(prefix + ".")


def _is_repeated(module):
    """A ModuleList or Sequential of at least two blocks with parameters: a stack of layers."""
    import torch.nn as nn

    if not isinstance(module, (nn.ModuleList, nn.Sequential)):
        return False
    return sum(1 for child in module.children() if _has_parameters(child)) >= 2


def _has_parameters(module):
    return next(module.parameters(), None) is not None


def _holds_stack(module):
    return any(_is_repeated(m) for m in module.modules())


def _split(module, prefix, out):
    """Expands modules that hold a stack of layers; everything else is one group."""
    for name, child in module.named_children():
        if not _has_parameters(child):
            continue
        path = prefix + name
        if _holds_stack(child):
            _split(child, path + ".", out)
        else:
            out.append(path)


def groups_from_model(model):
    """Groups from the module tree, in registration order (for most models: input to output).

    Modules that contain a stack of layers (a ModuleList/Sequential of two or more blocks) are
    opened, every other module with parameters is one group: a Hugging Face BERT classifier gives
    embeddings, encoder.layer.0 … N−1, pooler, classifier. The base model's prefix (`bert.`) is
    dropped from the names, not from the prefixes they cover."""
    named = list(model.named_parameters())
    paths = []
    _split(model, "", paths)  # the model itself is always opened
    if not paths and named:
        paths = [""]  # a bare layer: one group
    base = getattr(model, "base_model_prefix", "") or ""
    groups = []
    for path in paths:
        display = path[len(base) + 1 :] if base and path.startswith(base + ".") else (path or "model")
        groups.append(LayerGroup(display, [path], [(n, p) for n, p in named if _covers(path, n)]))
    covered = {n for g in groups for n, _ in g.parameters}
    loose = [(n, p) for n, p in named if n not in covered]
    if loose:
        # Parameters held directly by an opened module (rare) still get a group.
        groups.append(LayerGroup("other", [n for n, _ in loose], loose))
    return _unique(groups)


def groups_from_spec(model, spec):
    """`groups=` as a list of module-name prefixes, or a mapping name → prefix or list of prefixes."""
    named = list(model.named_parameters())
    items = spec.items() if isinstance(spec, dict) else ((p, p) for p in spec)
    groups = []
    for name, prefixes in items:
        prefixes = [prefixes] if isinstance(prefixes, str) else list(prefixes)
        parameters = [(n, p) for n, p in named if any(_covers(prefix, n) for prefix in prefixes)]
        if not parameters:
            raise ValueError("groups: %r matches no parameter of the model" % (name,))
        groups.append(LayerGroup(str(name), prefixes, parameters))
    return _unique(groups)


def _unique(groups):
    seen = set()
    for group in groups:
        if group.name in seen:
            raise ValueError("groups: %r is named twice" % group.name)
        seen.add(group.name)
    return groups
