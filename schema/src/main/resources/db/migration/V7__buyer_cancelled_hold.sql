-- Issue 18: in a sale with a payment window the buyer may cancel a hold whose confirmation is still queued; the fence
-- records it as a release (BUYER_CANCELLED), which the confirmer then finds and follows, like any release.
ALTER TABLE releases DROP CONSTRAINT releases_reason_check;
ALTER TABLE releases ADD CONSTRAINT releases_reason_check
    CHECK (reason IN ('HOLD_EXPIRED', 'CLAIM_EXPIRED', 'SOLD_OUT', 'BUYER_LIMIT', 'DUPLICATE_KEY', 'BUYER_CANCELLED'));
