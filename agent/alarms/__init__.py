"""Alarms: the store (rows, pairing, records for triage; api/schemas/alarms.py shapes them as TMF642) and trap ingestion."""
from agent.alarms.ingest import EntityFacts, InventoryView, TrapIngest
from agent.alarms.store import (
                                StoredAlarm,
                                as_record,
                                journal_alarm,
                                query_alarms,
                                reduction_key,
                                store_record,
                                stored_records,
)

__all__ = ["EntityFacts", "InventoryView", "StoredAlarm", "TrapIngest", "as_record", "journal_alarm", "query_alarms",
           "reduction_key", "store_record", "stored_records"]
