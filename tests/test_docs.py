"""The docs cannot drift from the code: every command, option and route is documented."""

import json
import re

import click

from archive.cli import main

from conftest import ROOT

README = (ROOT / "README.md").read_text("utf-8")


def _commands(group, prefix=""):
    for name, command in group.commands.items():
        full = f"{prefix}{name}"
        if isinstance(command, click.Group):
            yield from _commands(command, full + " ")
        else:
            yield full, command


def test_every_cli_command_and_option_is_in_the_readme():
    missing = []
    for name, command in _commands(main):
        if f"archive {name}" not in README:
            missing.append(f"archive {name}")
        for param in command.params:
            if isinstance(param, click.Option):
                for opt in param.opts:
                    if opt.startswith("--") and opt != "--help" and not re.search(
                            rf"`archive {re.escape(name)}[^`]*{re.escape(opt)}\b", README):
                        missing.append(f"archive {name} {opt}")
    assert missing == []


def test_every_route_is_in_the_openapi_document_or_the_readme(shared_client):
    spec = json.loads(shared_client.get("/api/openapi.json").data)
    # Parameter names may differ ({id} for <entry_id>): compare the shapes.
    documented = {re.sub(r"\{\w+\}", "{}", path) for path in spec["paths"]}
    missing = []
    for rule in shared_client.application.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        shape = re.sub(r"<(?:\w+:)?\w+>", "{}", rule.rule)
        readme_form = re.sub(r"<(?:\w+:)?(\w+)>", r"<\1>", rule.rule)
        if shape not in documented and f"`{readme_form}`" not in README:
            missing.append(rule.rule)
    assert missing == []


def test_every_setting_is_named_in_the_readme():
    from archive.config import SETTINGS
    assert [name for name in SETTINGS if f"`ARCHIVE_{name}`" not in README] == []
