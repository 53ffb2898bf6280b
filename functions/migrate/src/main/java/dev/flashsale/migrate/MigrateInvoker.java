package dev.flashsale.migrate;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.io.IOException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MigrateFunction's Lambda handler, invoked by the {@code Custom::Migrations} resource in template.yaml. Create and
 * Update apply pending migrations and answer SUCCESS with {@code Applied} (the count), or FAILED with the cause, which
 * fails (and rolls back) the deploy. Delete answers SUCCESS and leaves the database alone: a stack update that
 * replaces the resource, or a stack deletion, must never drop orders.
 */
public final class MigrateInvoker implements RequestHandler<Map<String, Object>, String> {

    /** The same id on every answer, so an Update never looks like a replacement (which would send a Delete). */
    public static final String PHYSICAL_ID = "flashsale-schema";

    private static final Logger LOG = LoggerFactory.getLogger(MigrateInvoker.class);

    private final MigrateHandler handler;
    private final CustomResourceResponder responder;

    /** Used by the Lambda runtime: the environment's one {@link MigrateInit}'s invoker. */
    public MigrateInvoker() {
        this(MigrateInit.LAMBDA.get().invoker());
    }

    private MigrateInvoker(MigrateInvoker built) {
        this(built.handler, built.responder);
    }

    public MigrateInvoker(MigrateHandler handler, CustomResourceResponder responder) {
        this.handler = handler;
        this.responder = responder;
    }

    /** Returns the status sent to CloudFormation ({@code SUCCESS} or {@code FAILED}). */
    @Override
    public String handleRequest(Map<String, Object> event, Context context) {
        CustomResourceRequest request = CustomResourceRequest.of(event);
        String physicalId = request.physicalResourceId() != null ? request.physicalResourceId() : PHYSICAL_ID;
        if (request.isDelete()) {
            return answer(request, physicalId, null, 0);
        }
        int applied;
        try {
            applied = handler.migrate();
        } catch (RuntimeException e) {
            LOG.error("{}: migrating {} failed", request.requestType(), handler.target(), e);
            return answer(request, physicalId, "migrating " + handler.target() + " failed: " + rootMessage(e), 0);
        }
        LOG.info("{}: applied {} migration(s) to {}", request.requestType(), applied, handler.target());
        return answer(request, physicalId, null, applied);
    }

    private String answer(CustomResourceRequest request, String physicalId, String failure, int applied) {
        try {
            if (failure == null) {
                responder.success(request, physicalId, Map.of("Applied", applied));
                return "SUCCESS";
            }
            responder.failed(request, physicalId, failure);
            return "FAILED";
        } catch (IOException e) {
            // Nothing else can tell CloudFormation; failing the invocation makes Lambda's async retry try again.
            throw new IllegalStateException(
                    "could not answer CloudFormation at "
                            + request.responseUrl().getHost() + ": " + e.getMessage(),
                    e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + t.getMessage() + ")";
    }
}
