"""Pilots and surveys: cohorts and their dashboards, the survey builder, pre/mid/post sets
matched through pseudonyms, monthly pulses, results with the small-group rule, and CSV export."""
