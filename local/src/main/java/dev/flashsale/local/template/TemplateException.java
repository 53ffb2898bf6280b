package dev.flashsale.local.template;

/** The template cannot be run locally as it is; the message says where and why. */
public final class TemplateException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public TemplateException(String message) {
        super(message);
    }
}
