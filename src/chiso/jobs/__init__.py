"""Background work: a status row per task run, which pages poll for progress."""
