"""Review chains: PLC peers, coaches and the PD office reviewing evidence against the rubric."""
