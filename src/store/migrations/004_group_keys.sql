-- Cordon state, version 4: which folding of text a rule's stored group keys
-- were made with. Keys stored before this version folded case and spacing
-- only (1); a run folds them again to the current version before it counts.
ALTER TABLE rules ADD COLUMN group_keys INTEGER NOT NULL DEFAULT 1;
