package dev.flashsale.db;

import java.sql.Connection;
import java.sql.SQLException;

/** Work done inside one transaction. It may be run twice (see {@link DbConnection#transaction}), so it must be idempotent. */
@FunctionalInterface
public interface SqlWork<T> {
    T run(Connection connection) throws SQLException;
}
