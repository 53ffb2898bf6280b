package dev.flashsale.db;

import java.sql.SQLException;

/** The database refused a statement (not a connection failure): a bug or a broken assumption, never retried blindly. */
public final class DatabaseException extends RuntimeException {

    public DatabaseException(String message, SQLException cause) {
        super(message + " [SQLState " + cause.getSQLState() + "]: " + cause.getMessage(), cause);
    }
}
