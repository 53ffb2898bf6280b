-- Issue 17: a sale is 'open' (every buyer may reserve, as before) or 'ticketed' (a buyer reserves only with a signed
-- ticket from the sale's waiting room). Set at creation; existing sales stay open.
ALTER TABLE sales ADD COLUMN admission text NOT NULL DEFAULT 'open'
    CONSTRAINT sales_admission_check CHECK (admission IN ('open', 'ticketed'));
