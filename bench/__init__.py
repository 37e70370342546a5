"""faultline bench package."""
