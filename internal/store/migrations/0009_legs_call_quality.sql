-- The Rastreio's call_quality filter (Voz): the class of the leg's QUALIDADE
-- DE CHAMADA cell, "alta", "media" or "baixa" ('' unknown, and every leg of
-- other media). Legs stored before this migration are filled in place from
-- their stored cells, in Go, by the migration's backfill
-- (store/call_quality.go); later legs get it at derivation.
ALTER TABLE legs ADD COLUMN call_quality TEXT NOT NULL DEFAULT '';
-- The voice media row seeded by older releases lacks the filter (seeding
-- never overwrites a row): add it after voice_status, leaving other media
-- and rows already listing it alone.
UPDATE media SET filters = REPLACE(filters, 'voice_status', 'voice_status,call_quality')
    WHERE id = 'voice' AND filters LIKE '%voice_status%' AND filters NOT LIKE '%call_quality%';
