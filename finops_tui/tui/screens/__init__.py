"""Pushed screens: drill-downs and help."""
