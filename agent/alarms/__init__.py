"""Alarms: the store (rows, pairing, TMF642 view, records for triage) and trap ingestion."""
from agent.alarms.ingest import EntityFacts, InventoryView, TrapIngest
from agent.alarms.store import (
                                StoredAlarm,
                                as_record,
                                journal_alarm,
                                query_alarms,
                                reduction_key,
                                store_record,
                                stored_records,
                                tmf642,
)

__all__ = ["EntityFacts", "InventoryView", "StoredAlarm", "TrapIngest", "as_record", "journal_alarm", "query_alarms",
           "reduction_key", "store_record", "stored_records", "tmf642"]
