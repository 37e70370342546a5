"""faultline agent package."""
