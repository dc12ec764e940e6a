"""The dashboard panes."""
