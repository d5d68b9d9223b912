"""Backfilling history at scale: `tonewatch import --batch` sends its Claude analyses as Message Batches."""
