"""CLI side of the collectors: TextFSM / ntc-templates parsing into readings, and netmiko sessions."""
