"""Render ``docs/cli.md`` from the Typer app itself, so the reference cannot drift from the code.

``python -m safepath.cli.reference docs/cli.md`` (``make docs``) writes it; ``--check`` only
compares. ``tests/cli/test_reference.py`` fails when the committed file differs. The output depends
on nothing but the command tree: no terminal width, no colours, commands in registration order.
"""

from __future__ import annotations

import argparse
import inspect
import sys
from collections.abc import Iterator
from pathlib import Path

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from safepath.cli.main import _register, app

REGENERATE = "make docs  (or: python -m safepath.cli.reference docs/cli.md)"

HEADER = f"""\
# Command-line reference

<!-- Generated from the Typer app in src/safepath/cli/ by `python -m safepath.cli.reference`.
     Do not edit by hand: run `{REGENERATE.split("  ")[0]}`. tests/cli/test_reference.py fails
     when this file and the code disagree. -->

Every command also takes `--help`. Settings (database, data directory, keys, thresholds) are not
options: they come from `SAFEPATH_*` environment variables, listed in
[docs/settings.md](settings.md).
"""

Command = TyperCommand | TyperGroup
Entry = tuple[Command, list[str], typer.Context]


def _help_text(cmd: Command) -> str:
    """The command's help as Click shows it: up to a form feed, without ``\\b`` markers."""
    text = (cmd.help or "").split("\f", 1)[0]
    lines = [line for line in inspect.cleandoc(text).splitlines() if line.strip() != "\b"]
    return "\n".join(lines).strip()


def _summary(cmd: Command) -> str:
    if cmd.short_help:
        return cmd.short_help.strip()
    return _help_text(cmd).split("\n\n", 1)[0].replace("\n", " ")


def _walk(cmd: Command, path: list[str], ctx: typer.Context) -> Iterator[Entry]:
    yield cmd, path, ctx
    if isinstance(cmd, TyperGroup):
        for name in cmd.list_commands(ctx):
            sub = cmd.get_command(ctx, name)
            if not isinstance(sub, TyperCommand | TyperGroup) or sub.hidden:
                continue
            yield from _walk(sub, [*path, name], typer.Context(sub, info_name=name, parent=ctx))


def _anchor(path: list[str]) -> str:
    # GitHub's heading slug: lower case, spaces to hyphens (command names hold only [a-z-_]).
    return "-".join(path).lower()


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _params(cmd: Command, ctx: typer.Context) -> tuple[list[str], list[str]]:
    arguments: list[str] = []
    options: list[str] = []
    for param in cmd.get_params(ctx):
        if not isinstance(param, TyperArgument | TyperOption) or param.hidden:
            continue
        if param.name == "help":
            continue  # every command has it; said once in the header
        record = param.get_help_record(ctx)
        if record is None:
            continue
        decl, help_ = record
        item = f"- `{decl}`"
        if help_.strip():
            item += f" — {_one_line(help_)}"
        if isinstance(param, TyperOption) and param.prompt:
            item += " (asked for when omitted" + (", not echoed)" if param.hide_input else ")")
        (arguments if isinstance(param, TyperArgument) else options).append(item)
    return arguments, options


def render() -> str:
    """The whole reference as Markdown."""
    _register()
    root = typer.main.get_command(app)
    if not isinstance(root, TyperGroup):  # pragma: no cover - main.app is always a group
        raise TypeError("safepath.cli.main.app is not a command group")
    out = [HEADER]
    entries = list(_walk(root, ["safepath"], typer.Context(root, info_name="safepath")))

    out.append("## Commands\n")
    for cmd, path, _ in entries[1:]:
        indent = "  " * (len(path) - 2)
        out.append(f"{indent}- [`{' '.join(path)}`](#{_anchor(path)}) — {_summary(cmd)}")
    out.append("")

    for cmd, path, ctx in entries:
        level = "#" * min(len(path) + 1, 4)
        out.append(f"{level} {' '.join(path)}\n")
        help_ = _help_text(cmd)
        if help_:
            out.append(help_ + "\n")
        usage = " ".join([*path, *cmd.collect_usage_pieces(ctx)])
        out.append(f"```\n{usage}\n```\n")
        arguments, options = _params(cmd, ctx)
        if arguments:
            out.append("Arguments:\n")
            out.extend(arguments)
            out.append("")
        if options:
            out.append("Options:\n")
            out.extend(options)
            out.append("")
        if isinstance(cmd, TyperGroup) and len(path) > 1:  # the root's are the index above
            subs = [(c, p) for c, p, _ in entries if p[:-1] == path]
            if subs:
                out.append("Commands:\n")
                out.extend(f"- [`{' '.join(p)}`](#{_anchor(p)}) — {_summary(c)}" for c, p in subs)
                out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m safepath.cli.reference", description=__doc__)
    parser.add_argument("output", nargs="?", default="docs/cli.md", type=Path)
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 if different")
    args = parser.parse_args(argv)
    text = render()
    current = args.output.read_text(encoding="utf-8") if args.output.exists() else None
    if args.check:
        if current != text:
            print(f"{args.output} is out of date; regenerate it with: {REGENERATE}")
            return 1
        return 0
    if current != text:
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote {args.output}")
    else:
        print(f"{args.output} is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
