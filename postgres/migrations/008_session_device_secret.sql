-- Issue 19: a session can be refreshed only by the device that holds its device secret (kept sealed
-- under the device's data key, so a locked device cannot refresh), and only until its absolute end,
-- however often it was refreshed. Each token of a family carries both; rotation copies them.
-- Rows from before this migration have neither, so their refresh is refused: those devices sign in again.
ALTER TABLE refresh_tokens ADD COLUMN IF NOT EXISTS device_secret_hash text;
ALTER TABLE refresh_tokens ADD COLUMN IF NOT EXISTS session_expires_at timestamptz;
