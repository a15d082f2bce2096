"""Awards: the badges people have earned (or were awarded directly), one per person and badge version."""
