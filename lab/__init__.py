"""faultline lab package."""
