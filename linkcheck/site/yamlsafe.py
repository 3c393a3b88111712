"""YAML from a repository (a site's configuration, a post's front matter), with its aliases
bounded: a "billion laughs" document (nine aliases of nine aliases …) loads in a
millisecond as shared references, then explodes in whatever walks it. Before loading, the
document's events are counted as its aliases would expand, and one past MAX_NODES is a
YAMLError like any malformed document (issue 25, item 7). Imported only where a site needs
YAML (15 ms of start)."""

from __future__ import annotations

from typing import Any

import yaml

MAX_NODES = 100_000  # a real _config.yml or front matter expands to a few hundred


class TooLarge(yaml.YAMLError):  # type: ignore[misc]  # (yaml has no types)
    pass


def default_loader() -> Any:
    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str, loader: Any = None) -> Any:
    """yaml.load with a safe loader (default: libyaml's), its expansion bounded."""
    loader = loader or default_loader()
    try:
        if "*" in text:  # no alias without one
            _bound_expansion(text, loader)
        return yaml.load(text, Loader=loader)
    except RecursionError:  # the constructor recurses once per level of nesting
        raise TooLarge("nested too deeply") from None


def _bound_expansion(text: str, loader: Any) -> None:
    sizes: dict[str, int] = {}  # anchor → the nodes it stands for
    open_collections: list[list[Any]] = [[0, None]]  # [nodes so far, anchor]
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, yaml.AliasEvent):
            nodes = sizes.get(event.anchor, 1)
        elif isinstance(event, yaml.ScalarEvent):
            nodes = 1
            if event.anchor:
                sizes[event.anchor] = 1
        elif isinstance(event, yaml.CollectionStartEvent):
            open_collections.append([0, event.anchor])
            continue
        elif isinstance(event, yaml.CollectionEndEvent):
            count, anchor = open_collections.pop()
            nodes = count + 1
            if anchor:
                sizes[anchor] = nodes
        else:
            continue
        open_collections[-1][0] += nodes
        if open_collections[-1][0] > MAX_NODES:
            raise TooLarge(f"its aliases expand past {MAX_NODES:,} nodes")
