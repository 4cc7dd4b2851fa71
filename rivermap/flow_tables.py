"""The command line's analyst flow tables: every ``--flow-table`` (with the ``--flow-*`` and
``--on-*`` options) and every entry of a ``--flow-tables`` list, read before any other work
and joined after the Atlas is built (:mod:`layers.table_list`, :mod:`layers.user_flows`)."""

from __future__ import annotations

from collections.abc import Callable

import click


def read_user_flows(kw: dict) -> list:
    """Read every analyst flow table the options name (before any other work): each
    ``--flow-table`` with the --flow-* options, then each entry of ``--flow-tables``."""
    from layers.joins import JoinPolicy
    from layers.table_list import TableSpec, read_table_list

    policy = JoinPolicy(
        duplicates=kw["on_duplicates"],
        bad_values=kw["on_bad_values"],
        negative=kw["on_negative"],
        missing=kw["on_missing"],
        unmatched=kw["on_unmatched"],
        no_value=kw["on_no_value"],
    )
    specs = []
    if kw.get("flow_table"):
        missing = [f"--flow-{k}" for k in ("key", "value", "unit") if not kw.get(f"flow_{k}")]
        if missing:
            raise click.UsageError(f"--flow-table needs {', '.join(missing)}")
        specs += [
            TableSpec(
                path,
                key=kw["flow_key"],
                value=kw["flow_value"],
                unit=kw["flow_unit"],
                key_kind=kw["flow_key_kind"],
                period=kw["flow_period"],
                sheet=kw["flow_sheet"],
                encoding=kw["flow_encoding"],
                skip_rows=kw["flow_skip_rows"],
                policy=policy,
            )
            for path in kw["flow_table"]
        ]
    if kw.get("flow_tables"):
        specs += read_table_list(kw["flow_tables"], default=policy)
    return [(spec, spec.read()) for spec in specs]


def join_user_flows(atlas, progress: Callable[[str], None], user: list) -> None:
    """Join the tables :func:`read_user_flows` read, in order, each with its own policy."""
    from layers.user_flows import attach_user_flows

    for k, (spec, table) in enumerate(user):
        progress(f"joining flow table {k + 1} of {len(user)} ({table.name})")
        attach_user_flows(atlas, table, spec.policy, table_id=spec.id)
