"""faultline collectors package."""
