package dev.flashsale.init;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

/**
 * A Lambda {@link Context} for invocations the Lambda runtime does not make: priming at init, the local runner, the
 * benchmarks. It has a request id, the function's name and the time left before its timeout, which is all the
 * invokers read, so no invoker needs a branch for a missing context.
 */
public final class InvocationContext implements Context {

    /** How long a priming invocation may take, as if it were a real one of a function with this timeout. */
    static final Duration PRIMING_TIMEOUT = Duration.ofSeconds(30);

    private final String functionName;
    private final String region;
    private final String requestId;
    private final long deadlineNanos;

    /** @param timeout the function's timeout: the time left starts there */
    public InvocationContext(String functionName, String region, Duration timeout) {
        this(functionName, region, UUID.randomUUID().toString(), timeout);
    }

    private InvocationContext(String functionName, String region, String requestId, Duration timeout) {
        this.functionName = functionName;
        this.region = region;
        this.requestId = requestId;
        this.deadlineNanos = System.nanoTime() + timeout.toNanos();
    }

    /** The context of a priming invocation of {@code functionName}: request id {@code prime}. */
    public static InvocationContext priming(String functionName) {
        return new InvocationContext(functionName, "us-east-1", "prime", PRIMING_TIMEOUT);
    }

    @Override
    public String getAwsRequestId() {
        return requestId;
    }

    @Override
    public String getLogGroupName() {
        return "/aws/lambda/" + functionName;
    }

    @Override
    public String getLogStreamName() {
        return "local";
    }

    @Override
    public String getFunctionName() {
        return functionName;
    }

    @Override
    public String getFunctionVersion() {
        return "$LATEST";
    }

    @Override
    public String getInvokedFunctionArn() {
        return "arn:aws:lambda:" + region + ":000000000000:function:" + functionName;
    }

    @Override
    public CognitoIdentity getIdentity() {
        return null;
    }

    @Override
    public ClientContext getClientContext() {
        return null;
    }

    @Override
    public int getRemainingTimeInMillis() {
        return (int) Math.max(0, (deadlineNanos - System.nanoTime()) / 1_000_000);
    }

    @Override
    public int getMemoryLimitInMB() {
        return 1024;
    }

    @Override
    public LambdaLogger getLogger() {
        return new LambdaLogger() {
            @Override
            public void log(String message) {
                System.err.println("[" + functionName + "] " + message);
            }

            @Override
            public void log(byte[] message) {
                log(new String(message, StandardCharsets.UTF_8));
            }
        };
    }
}
