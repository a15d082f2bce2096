"""Evidence of practice: submissions, their attempts and items, and the files behind them."""
