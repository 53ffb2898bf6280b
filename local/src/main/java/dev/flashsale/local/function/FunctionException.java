package dev.flashsale.local.function;

/** A hosted function could not be built, threw, or overran its timeout. */
public final class FunctionException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public FunctionException(String message) {
        super(message);
    }

    public FunctionException(String message, Throwable cause) {
        super(message, cause);
    }
}
