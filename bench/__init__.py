"""`make bench`: measured figures for the purchase flow and the gateway, written to results/."""
