"""The inventory (资源): import and export in one YAML/JSON format, and the circuit paths and device
targets that triage, polling, loops and health read from it."""
from agent.inventory.export import dump_yaml, export_inventory
from agent.inventory.importer import PLATFORMS, import_inventory, parse_inventory
from agent.inventory.targets import ResolvedCircuit, device_target, resolve_circuit

__all__ = ["PLATFORMS", "ResolvedCircuit", "device_target", "dump_yaml", "export_inventory", "import_inventory",
           "parse_inventory", "resolve_circuit"]
