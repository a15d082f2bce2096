"""Points, the district degree, rewards and leaderboards, all derived from an append-only ledger."""
