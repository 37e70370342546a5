"""faultline diagnosis package."""
