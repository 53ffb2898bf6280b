package dev.flashsale.db;

/** A reservation names a sale the database does not have: a data or deployment error, never retried into success. */
public final class UnknownSaleException extends RuntimeException {

    public UnknownSaleException(String saleId) {
        super(
                "sale '" + saleId + "' is not in the database (was it created there, or only in Redis?)",
                null,
                false,
                false);
    }
}
