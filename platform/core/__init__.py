"""What every feature shares: the model base, access rules, errors, mail, audit, themes."""
