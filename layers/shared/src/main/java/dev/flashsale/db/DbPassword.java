package dev.flashsale.db;

/** The password for the next new database connection: a fixed one, or a fresh RDS IAM token each time. */
@FunctionalInterface
public interface DbPassword {

    String next();

    /** {@code DB_PASSWORD}, or with {@code DB_IAM_AUTH=true} a new IAM token per connection. */
    static DbPassword of(DbSettings settings) {
        if (settings.iamAuth()) {
            return RdsIamToken.forSettings(settings);
        }
        String password = settings.password();
        return () -> password;
    }
}
