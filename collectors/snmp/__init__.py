"""SNMP side of the collectors: the pysnmp adapter, port mapping and vendor table decoders."""
