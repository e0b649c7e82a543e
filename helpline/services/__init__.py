"""Domain services: functions that change objects and flush, never commit."""
