"""Every option a message or a help text names exists in the real command line."""

from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path

import click

from layers.joins import JoinPolicy
from rivermap.cli import main

ROOT = Path(__file__).resolve().parents[1]
#: the product's packages whose strings reach users (messages, notes, help texts)
PACKAGES = ("geo", "layers", "maps", "rivermap", "service")
#: modules whose option-like strings belong to another program
FOREIGN = {
    Path("maps/screenshot.py"): "Chromium's command line",
    Path("service/asgi.py"): "gunicorn's and uvicorn's command lines",
    Path("service/run.py"): "gunicorn's command line",
}
#: option names built in code from a prefix: prefix -> the names it is completed with
BUILT = {
    "--on-": [f"--on-{f.name.replace('_', '-')}" for f in dataclasses.fields(JoinPolicy)],
    "--flow-": [f"--flow-{k}" for k in ("key", "value", "unit")],
}
OPTION = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")


def cli_options(group: click.Group = main) -> set[str]:
    """Every option of the group and of all its commands (``--x`` and ``--no-x`` forms)."""
    names = {"--help", "--version"}
    stack: list[click.Command] = [group]
    while stack:
        cmd = stack.pop()
        for p in cmd.params:
            names.update(o for o in (*p.opts, *p.secondary_opts) if o.startswith("--"))
        if isinstance(cmd, click.Group):
            stack.extend(cmd.commands.values())
    return names


def mentioned() -> dict[str, list[str]]:
    """Option names in the string constants (f-string parts too) of the product's modules."""
    found: dict[str, list[str]] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT)
            if rel in FOREIGN:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    for name in OPTION.findall(node.value):
                        found.setdefault(name, []).append(f"{rel}:{node.lineno}")
    return found


def test_every_option_named_in_a_message_exists():
    known = cli_options()
    names = mentioned()
    assert "--assume-crs" in names and "--on-bad-values" in names  # the scan finds them
    missing = {}
    for name, where in names.items():
        expanded = BUILT.get(name, [name]) if name.endswith("-") else [name]
        for option in expanded:
            if option not in known:
                missing[option] = where
    assert not missing, f"options named in messages but absent from the CLI: {missing}"


def test_prefixes_built_in_code_are_all_declared():
    """A new option name assembled from a prefix must be listed in BUILT to be checked."""
    prefixes = {n for n in mentioned() if n.endswith("-")}
    assert prefixes <= set(BUILT), prefixes - set(BUILT)
