"""Subcommands. Each module has ``register(subparsers) -> [parsers]`` and sets ``handler``."""

from finops_tui.commands import (
    alerts_cmd,
    approvals_cmd,
    config_cmd,
    demo_cmd,
    doctor_cmd,
    import_focus_cmd,
    leads_cmd,
    publish_cmd,
    report_cmd,
    review_cmd,
    snapshot_cmd,
    sources_cmd,
    status_cmd,
    sync_cmd,
    tui_cmd,
    waste_cmd,
)

COMMAND_MODULES = [
    tui_cmd,
    demo_cmd,
    sync_cmd,
    import_focus_cmd,
    leads_cmd,
    sources_cmd,
    status_cmd,
    report_cmd,
    review_cmd,
    waste_cmd,
    snapshot_cmd,
    alerts_cmd,
    approvals_cmd,
    doctor_cmd,
    config_cmd,
    publish_cmd,
]
