"""faultline api package."""
