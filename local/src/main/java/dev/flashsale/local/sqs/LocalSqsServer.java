package dev.flashsale.local.sqs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.flashsale.queue.SqsMd5;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.LongSupplier;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * An SQS-compatible server in this JVM for the local stack: the AWS JSON 1.0 protocol the SDK v2 speaks
 * ({@code X-Amz-Target: AmazonSQS.<Operation>}), over the JDK's HTTP server with keep-alive, queues in memory
 * ({@link MemoryQueue}). It answers the operations the stack and its tools use: {@code CreateQueue},
 * {@code GetQueueUrl}, {@code ListQueues}, {@code GetQueueAttributes}, {@code SetQueueAttributes}, {@code SendMessage},
 * {@code SendMessageBatch}, {@code ReceiveMessage}, {@code DeleteMessage}, {@code DeleteMessageBatch},
 * {@code ChangeMessageVisibility}, {@code ChangeMessageVisibilityBatch}, {@code PurgeQueue}, {@code DeleteQueue};
 * anything else is answered {@code 400 UnsupportedOperation}. Signatures are not checked (as ElasticMQ does not).
 *
 * <p>Why not ElasticMQ, which the runner used before: measured here, ElasticMQ (Pekko HTTP and actors) burned about
 * 1 ms of CPU per {@code SendMessage} once warm and several ms while its JIT warmed up, more than the whole reserve
 * path; this server answers a send in tens of microseconds. ElasticMQ stays available in process
 * ({@code LOCAL_SQS=elasticmq}) and as any {@code SQS_ENDPOINT}; the queue semantics tests run against both.
 */
public final class LocalSqsServer implements AutoCloseable {

    static final String ACCOUNT_ID = "000000000000";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TARGET_PREFIX = "AmazonSQS.";
    private static final long MAX_WAIT_SECONDS = 20;

    private final HttpServer http;
    private final ExecutorService executor;
    private final String region;
    private final LongSupplier clock;
    private final Map<String, MemoryQueue> queues = new ConcurrentHashMap<>();
    private final URI endpoint;

    private LocalSqsServer(HttpServer http, ExecutorService executor, String region, LongSupplier clock) {
        this.http = http;
        this.executor = executor;
        this.region = region;
        this.clock = clock;
        this.endpoint = URI.create("http://127.0.0.1:" + http.getAddress().getPort());
    }

    /** Listens on 127.0.0.1, on a free port. */
    public static LocalSqsServer start(String region) throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
        // one virtual thread per request: a long poll parks its thread, not a platform one
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        LocalSqsServer server = new LocalSqsServer(http, executor, region, System::currentTimeMillis);
        http.createContext("/", server::handle);
        http.setExecutor(executor);
        http.start();
        return server;
    }

    public URI endpoint() {
        return endpoint;
    }

    /** An SQS error as the JSON protocol answers it: the SDK maps {@code code} to its exception. */
    private static final class SqsError extends RuntimeException {
        final String code;
        final String queryCode;
        final int status;

        SqsError(String code, String queryCode, String message) {
            this(400, code, queryCode, message);
        }

        SqsError(int status, String code, String queryCode, String message) {
            super(message, null, false, false);
            this.status = status;
            this.code = code;
            this.queryCode = queryCode;
        }

        static SqsError invalid(String message) {
            return new SqsError("InvalidParameterValue", "InvalidParameterValue", message);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] request;
            try (InputStream in = exchange.getRequestBody()) {
                request = in.readAllBytes();
            }
            String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            int status = 200;
            ObjectNode answer;
            String queryError = null;
            try {
                if (target == null || !target.startsWith(TARGET_PREFIX)) {
                    throw new SqsError(
                            "UnsupportedOperation",
                            "AWS.SimpleQueueService.UnsupportedOperation",
                            "this local SQS speaks the AWS JSON protocol only (X-Amz-Target: AmazonSQS.<Operation>)");
                }
                JsonNode in = request.length == 0 ? JSON.createObjectNode() : JSON.readTree(request);
                answer = dispatch(target.substring(TARGET_PREFIX.length()), in);
            } catch (SqsError e) {
                status = e.status;
                queryError = e.queryCode + ";Sender";
                answer = JSON.createObjectNode()
                        .put("__type", "com.amazonaws.sqs#" + e.code)
                        .put("message", e.getMessage());
            } catch (IOException | RuntimeException e) {
                status = e instanceof IOException ? 400 : 500;
                answer = JSON.createObjectNode()
                        .put(
                                "__type",
                                "com.amazonaws.sqs#" + (status == 400 ? "InvalidParameterValue" : "InternalError"))
                        .put("message", String.valueOf(e.getMessage()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                status = 500;
                answer = JSON.createObjectNode()
                        .put("__type", "com.amazonaws.sqs#InternalError")
                        .put("message", "the local SQS server is stopping");
            }
            byte[] body = JSON.writeValueAsBytes(answer);
            exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.0");
            exchange.getResponseHeaders()
                    .set("x-amzn-RequestId", UUID.randomUUID().toString());
            if (queryError != null) {
                exchange.getResponseHeaders().set("x-amzn-query-error", queryError);
            }
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private ObjectNode dispatch(String operation, JsonNode in) throws InterruptedException {
        return switch (operation) {
            case "CreateQueue" -> createQueue(in);
            case "GetQueueUrl" ->
                JSON.createObjectNode()
                        .put("QueueUrl", url(queueNamed(text(in, "QueueName")).name()));
            case "ListQueues" -> listQueues(in);
            case "GetQueueAttributes" -> getQueueAttributes(in);
            case "SetQueueAttributes" -> {
                MemoryQueue q = queue(in);
                q.setAttributes(validated(stringMap(in.path("Attributes"))));
                yield JSON.createObjectNode();
            }
            case "SendMessage" -> sendMessage(in);
            case "SendMessageBatch" -> sendMessageBatch(in);
            case "ReceiveMessage" -> receiveMessage(in);
            case "DeleteMessage" -> {
                if (!queue(in).delete(text(in, "ReceiptHandle"))) {
                    throw invalidHandle(text(in, "ReceiptHandle"));
                }
                yield JSON.createObjectNode();
            }
            case "DeleteMessageBatch" -> deleteMessageBatch(in);
            case "ChangeMessageVisibility" -> {
                changeVisibility(queue(in), text(in, "ReceiptHandle"), in.path("VisibilityTimeout"));
                yield JSON.createObjectNode();
            }
            case "ChangeMessageVisibilityBatch" -> changeVisibilityBatch(in);
            case "PurgeQueue" -> {
                queue(in).purge();
                yield JSON.createObjectNode();
            }
            case "DeleteQueue" -> {
                MemoryQueue q = queue(in);
                queues.remove(q.name());
                q.wakeAll();
                yield JSON.createObjectNode();
            }
            default ->
                throw new SqsError(
                        "UnsupportedOperation",
                        "AWS.SimpleQueueService.UnsupportedOperation",
                        operation + " is not supported by the local SQS server");
        };
    }

    // --- queues

    private static final Set<String> SETTABLE = Set.of(
            "VisibilityTimeout",
            "RedrivePolicy",
            "DelaySeconds",
            "MessageRetentionPeriod",
            "MaximumMessageSize",
            "ReceiveMessageWaitTimeSeconds",
            "SqsManagedSseEnabled",
            "Policy",
            "RedriveAllowPolicy",
            "KmsMasterKeyId",
            "KmsDataKeyReusePeriodSeconds");

    private static Map<String, String> validated(Map<String, String> attributes) {
        for (Map.Entry<String, String> e : attributes.entrySet()) {
            if (!SETTABLE.contains(e.getKey())) {
                throw new SqsError(
                        "InvalidAttributeName", "InvalidAttributeName", "unknown queue attribute " + e.getKey());
            }
            switch (e.getKey()) {
                case "VisibilityTimeout" -> seconds(e.getKey(), e.getValue(), 43_200);
                case "DelaySeconds" -> seconds(e.getKey(), e.getValue(), 900);
                case "ReceiveMessageWaitTimeSeconds" -> seconds(e.getKey(), e.getValue(), 20);
                case "RedrivePolicy" -> redrive(e.getValue());
                default -> {}
            }
        }
        return attributes;
    }

    private static int seconds(String name, String value, int max) {
        try {
            int v = Integer.parseInt(value.trim());
            if (v >= 0 && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw SqsError.invalid(name + " must be an integer from 0 to " + max + ", was " + value);
    }

    private static Optional<MemoryQueue.Redrive> redrive(String policy) {
        if (policy == null || policy.isBlank()) {
            return Optional.empty();
        }
        try {
            JsonNode p = JSON.readTree(policy);
            String arn = p.path("deadLetterTargetArn").asText("");
            int max = Integer.parseInt(p.path("maxReceiveCount").asText(""));
            if (arn.isEmpty() || max < 1 || max > 1000) {
                throw SqsError.invalid(
                        "RedrivePolicy needs deadLetterTargetArn and maxReceiveCount 1..1000: " + policy);
            }
            return Optional.of(new MemoryQueue.Redrive(arn.substring(arn.lastIndexOf(':') + 1), max));
        } catch (IOException | NumberFormatException e) {
            throw SqsError.invalid("RedrivePolicy is not valid JSON with a numeric maxReceiveCount: " + policy);
        }
    }

    private ObjectNode createQueue(JsonNode in) {
        String name = text(in, "QueueName");
        if (!name.matches("[A-Za-z0-9_-]{1,80}")) {
            throw SqsError.invalid(
                    name.endsWith(".fifo")
                            ? "FIFO queues are not supported by the local SQS server (set SQS_ENDPOINT to ElasticMQ)"
                            : "queue names are 1 to 80 letters, digits, hyphens and underscores: " + name);
        }
        Map<String, String> attributes = validated(stringMap(in.path("Attributes")));
        MemoryQueue created = new MemoryQueue(name, attributes, clock);
        MemoryQueue existing = queues.putIfAbsent(name, created);
        if (existing != null && !existing.attributes().equals(attributes)) {
            throw new SqsError(
                    "QueueNameExists",
                    "QueueAlreadyExists",
                    "queue " + name + " already exists with other attributes: " + existing.attributes());
        }
        return JSON.createObjectNode().put("QueueUrl", url(name));
    }

    private ObjectNode listQueues(JsonNode in) {
        String prefix = in.path("QueueNamePrefix").asText("");
        ObjectNode out = JSON.createObjectNode();
        ArrayNode urls = out.putArray("QueueUrls");
        queues.keySet().stream().filter(n -> n.startsWith(prefix)).sorted().forEach(n -> urls.add(url(n)));
        return out;
    }

    private ObjectNode getQueueAttributes(JsonNode in) {
        MemoryQueue q = queue(in);
        List<String> names = new ArrayList<>();
        in.path("AttributeNames").forEach(n -> names.add(n.asText()));
        boolean all = names.contains("All");
        MemoryQueue.Counts counts = q.counts();
        Map<String, String> a = new LinkedHashMap<>(q.attributes());
        a.putIfAbsent("VisibilityTimeout", "30");
        a.putIfAbsent("DelaySeconds", "0");
        a.put("QueueArn", arn(q.name()));
        a.put("ApproximateNumberOfMessages", Long.toString(counts.visible()));
        a.put("ApproximateNumberOfMessagesNotVisible", Long.toString(counts.inFlight()));
        a.put("ApproximateNumberOfMessagesDelayed", Long.toString(counts.delayed()));
        a.put("CreatedTimestamp", Long.toString(q.createdMillis() / 1000));
        a.put("LastModifiedTimestamp", Long.toString(q.createdMillis() / 1000));
        ObjectNode out = JSON.createObjectNode();
        ObjectNode attributes = out.putObject("Attributes");
        a.forEach((k, v) -> {
            if (all || names.contains(k)) {
                attributes.put(k, v);
            }
        });
        return out;
    }

    // --- messages

    private ObjectNode sendMessage(JsonNode in) {
        MemoryQueue q = queue(in);
        MemoryQueue.Sent sent = send(q, in);
        ObjectNode out =
                JSON.createObjectNode().put("MessageId", sent.messageId()).put("MD5OfMessageBody", sent.md5OfBody());
        if (sent.md5OfAttributes() != null) {
            out.put("MD5OfMessageAttributes", sent.md5OfAttributes());
        }
        return out;
    }

    private static MemoryQueue.Sent send(MemoryQueue q, JsonNode entry) {
        JsonNode body = entry.get("MessageBody");
        if (body == null || !body.isTextual() || body.asText().isEmpty()) {
            throw new SqsError("MissingParameter", "MissingParameter", "MessageBody is required");
        }
        Optional<Integer> delay = entry.hasNonNull("DelaySeconds")
                ? Optional.of(seconds("DelaySeconds", entry.get("DelaySeconds").asText(), 900))
                : Optional.empty();
        return q.send(body.asText(), messageAttributes(entry.path("MessageAttributes")), delay);
    }

    private ObjectNode sendMessageBatch(JsonNode in) {
        return batch(in, (q, entry, answer) -> {
            MemoryQueue.Sent sent = send(q, entry);
            answer.put("MessageId", sent.messageId()).put("MD5OfMessageBody", sent.md5OfBody());
            if (sent.md5OfAttributes() != null) {
                answer.put("MD5OfMessageAttributes", sent.md5OfAttributes());
            }
        });
    }

    /** What one entry of a batch action does; a {@link SqsError} puts the entry in the answer's {@code Failed} list. */
    private interface BatchEntry {
        void apply(MemoryQueue q, JsonNode entry, ObjectNode answer);
    }

    /** A batch action: each entry done on its own, answered in {@code Successful} or {@code Failed} by its id. */
    private ObjectNode batch(JsonNode in, BatchEntry each) {
        MemoryQueue q = queue(in);
        ObjectNode out = JSON.createObjectNode();
        ArrayNode ok = out.putArray("Successful");
        ArrayNode failed = out.putArray("Failed");
        for (JsonNode entry : entries(in)) {
            String id = entry.path("Id").asText();
            try {
                ObjectNode answer = JSON.createObjectNode().put("Id", id);
                each.apply(q, entry, answer);
                ok.add(answer);
            } catch (SqsError e) {
                failed.addObject()
                        .put("Id", id)
                        .put("SenderFault", true)
                        .put("Code", e.code)
                        .put("Message", e.getMessage());
            }
        }
        return out;
    }

    private ObjectNode receiveMessage(JsonNode in) throws InterruptedException {
        MemoryQueue q = queue(in);
        int max = in.hasNonNull("MaxNumberOfMessages")
                ? in.get("MaxNumberOfMessages").asInt()
                : 1;
        if (max < 1 || max > 10) {
            throw SqsError.invalid("MaxNumberOfMessages must be from 1 to 10, was " + max);
        }
        int visibility = in.hasNonNull("VisibilityTimeout")
                ? seconds("VisibilityTimeout", in.get("VisibilityTimeout").asText(), 43_200)
                : q.visibilityTimeoutSeconds();
        long wait = in.hasNonNull("WaitTimeSeconds")
                ? seconds("WaitTimeSeconds", in.get("WaitTimeSeconds").asText(), (int) MAX_WAIT_SECONDS)
                : Integer.parseInt(q.attributes().getOrDefault("ReceiveMessageWaitTimeSeconds", "0"));
        List<MemoryQueue.Received> received = receive(q, max, visibility, wait * 1000);
        Set<String> system = names(in.path("MessageSystemAttributeNames"));
        system.addAll(names(in.path("AttributeNames")));
        Set<String> wanted = names(in.path("MessageAttributeNames"));
        ObjectNode out = JSON.createObjectNode();
        ArrayNode messages = out.putArray("Messages");
        for (MemoryQueue.Received r : received) {
            ObjectNode m = messages.addObject()
                    .put("MessageId", r.messageId())
                    .put("ReceiptHandle", r.receiptHandle())
                    .put("MD5OfBody", r.md5OfBody())
                    .put("Body", r.body());
            ObjectNode a = JSON.createObjectNode();
            systemAttribute(a, system, "SenderId", ACCOUNT_ID);
            systemAttribute(a, system, "SentTimestamp", Long.toString(r.sentTimestamp()));
            systemAttribute(a, system, "ApproximateReceiveCount", Integer.toString(r.receiveCount()));
            systemAttribute(a, system, "ApproximateFirstReceiveTimestamp", Long.toString(r.firstReceiveTimestamp()));
            if (!a.isEmpty()) {
                m.set("Attributes", a);
            }
            Map<String, SqsMd5.Attribute> selected = new LinkedHashMap<>();
            r.attributes().forEach((k, v) -> {
                if (selected(wanted, k)) {
                    selected.put(k, v);
                }
            });
            if (!selected.isEmpty()) {
                m.put("MD5OfMessageAttributes", SqsMd5.ofAttributes(selected));
                ObjectNode ma = m.putObject("MessageAttributes");
                selected.forEach((k, v) -> {
                    ObjectNode value = ma.putObject(k).put("DataType", v.dataType());
                    if (v.binaryValue() != null) {
                        value.put("BinaryValue", Base64.getEncoder().encodeToString(v.binaryValue()));
                    } else {
                        value.put("StringValue", v.stringValue());
                    }
                });
            }
        }
        return out;
    }

    /** Receives from {@code q}, handing what went past its redrive policy's count to its dead-letter queue. */
    private List<MemoryQueue.Received> receive(MemoryQueue q, int max, int visibilitySeconds, long waitMillis)
            throws InterruptedException {
        Optional<MemoryQueue.Redrive> redrive = redrive(q.attributes().get("RedrivePolicy"));
        MemoryQueue.Receipt receipt = q.receive(max, visibilitySeconds, waitMillis, redrive);
        if (!receipt.deadLetters().isEmpty()) {
            MemoryQueue dlq = queues.get(redrive.get().deadLetterQueueName());
            if (dlq != null) {
                receipt.deadLetters().forEach(dlq::acceptDeadLetter);
            }
        }
        return receipt.received();
    }

    /**
     * The queue at {@code queueUrl} for an event source mapping's poller, in process: what {@code ReceiveMessage}
     * (every attribute, the queue's visibility timeout) and {@code DeleteMessage} do, without the HTTP and JSON a
     * client pays (Lambda's poller is not the function; see {@link PolledQueue}).
     */
    public PolledQueue polledQueue(String queueUrl) {
        String name = queueUrl.substring(queueUrl.lastIndexOf('/') + 1);
        return new PolledQueue() {
            @Override
            public List<Message> receive(int waitSeconds, int max) {
                MemoryQueue q = queueNamed(name);
                try {
                    return LocalSqsServer.this
                            .receive(q, max, q.visibilityTimeoutSeconds(), waitSeconds * 1000L)
                            .stream()
                            .map(LocalSqsServer::message)
                            .toList();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return List.of();
                }
            }

            @Override
            public Map<String, String> delete(List<String> receiptHandles) {
                MemoryQueue q = queueNamed(name);
                Map<String, String> refused = new LinkedHashMap<>();
                for (String handle : receiptHandles) {
                    if (!q.delete(handle)) {
                        refused.put(handle, "ReceiptHandleIsInvalid the receipt handle is not valid");
                    }
                }
                return refused;
            }
        };
    }

    private static Message message(MemoryQueue.Received r) {
        Map<String, MessageAttributeValue> attributes = new LinkedHashMap<>();
        r.attributes()
                .forEach((k, v) -> attributes.put(
                        k,
                        MessageAttributeValue.builder()
                                .dataType(v.dataType())
                                .stringValue(v.stringValue())
                                .binaryValue(v.binaryValue() == null ? null : SdkBytes.fromByteArray(v.binaryValue()))
                                .build()));
        return Message.builder()
                .messageId(r.messageId())
                .receiptHandle(r.receiptHandle())
                .md5OfBody(r.md5OfBody())
                .body(r.body())
                .attributes(Map.of(
                        MessageSystemAttributeName.SENDER_ID, ACCOUNT_ID,
                        MessageSystemAttributeName.SENT_TIMESTAMP, Long.toString(r.sentTimestamp()),
                        MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT, Integer.toString(r.receiveCount()),
                        MessageSystemAttributeName.APPROXIMATE_FIRST_RECEIVE_TIMESTAMP,
                                Long.toString(r.firstReceiveTimestamp())))
                .md5OfMessageAttributes(r.md5OfAttributes())
                .messageAttributes(attributes)
                .build();
    }

    private static void systemAttribute(ObjectNode into, Set<String> wanted, String name, String value) {
        if (wanted.contains("All") || wanted.contains(name)) {
            into.put(name, value);
        }
    }

    private static boolean selected(Set<String> wanted, String name) {
        if (wanted.contains("All") || wanted.contains(".*") || wanted.contains(name)) {
            return true;
        }
        for (String w : wanted) {
            if (w.endsWith(".*") && name.startsWith(w.substring(0, w.length() - 1))) {
                return true;
            }
        }
        return false;
    }

    private ObjectNode deleteMessageBatch(JsonNode in) {
        return batch(in, (q, entry, answer) -> {
            if (!q.delete(entry.path("ReceiptHandle").asText(null))) {
                throw new SqsError(
                        "ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid", "the receipt handle is not valid");
            }
        });
    }

    private static void changeVisibility(MemoryQueue q, String handle, JsonNode timeout) {
        int seconds = seconds("VisibilityTimeout", timeout.asText(""), 43_200);
        switch (q.changeVisibility(handle, seconds)) {
            case INVALID_HANDLE -> throw invalidHandle(handle);
            case NOT_IN_FLIGHT ->
                throw new SqsError(
                        "MessageNotInflight",
                        "AWS.SimpleQueueService.MessageNotInflight",
                        "the message of this receipt handle is not in flight");
            case CHANGED -> {}
        }
    }

    private ObjectNode changeVisibilityBatch(JsonNode in) {
        return batch(
                in,
                (q, entry, answer) ->
                        changeVisibility(q, entry.path("ReceiptHandle").asText(null), entry.path("VisibilityTimeout")));
    }

    private static SqsError invalidHandle(String handle) {
        return new SqsError(
                "ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid", "the receipt handle is not valid: " + handle);
    }

    private static List<JsonNode> entries(JsonNode in) {
        List<JsonNode> entries = new ArrayList<>();
        in.path("Entries").forEach(entries::add);
        if (entries.isEmpty()) {
            throw new SqsError(
                    "EmptyBatchRequest",
                    "AWS.SimpleQueueService.EmptyBatchRequest",
                    "a batch needs at least one entry");
        }
        if (entries.size() > 10) {
            throw new SqsError(
                    "TooManyEntriesInBatchRequest",
                    "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
                    "a batch has at most 10 entries, this one " + entries.size());
        }
        return entries;
    }

    private static Map<String, SqsMd5.Attribute> messageAttributes(JsonNode node) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return Map.of();
        }
        Map<String, SqsMd5.Attribute> a = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            String type = v.path("DataType").asText("");
            if (type.startsWith("Binary")) {
                a.put(
                        e.getKey(),
                        new SqsMd5.Attribute(
                                type,
                                null,
                                Base64.getDecoder().decode(v.path("BinaryValue").asText(""))));
            } else if (type.startsWith("String") || type.startsWith("Number")) {
                a.put(
                        e.getKey(),
                        new SqsMd5.Attribute(type, v.path("StringValue").asText(""), null));
            } else {
                throw SqsError.invalid("message attribute " + e.getKey() + " has an unsupported DataType: " + type);
            }
        }
        return a;
    }

    private static Set<String> names(JsonNode array) {
        Set<String> s = new java.util.HashSet<>();
        array.forEach(n -> s.add(n.asText()));
        return s;
    }

    private static Map<String, String> stringMap(JsonNode node) {
        Map<String, String> m = new LinkedHashMap<>();
        if (node != null && node.isObject()) {
            node.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
        }
        return m;
    }

    private static String text(JsonNode in, String field) {
        JsonNode v = in.get(field);
        if (v == null || !v.isTextual()) {
            throw new SqsError("MissingParameter", "MissingParameter", field + " is required");
        }
        return v.asText();
    }

    private MemoryQueue queue(JsonNode in) {
        String url = text(in, "QueueUrl");
        return queueNamed(url.substring(url.lastIndexOf('/') + 1));
    }

    private MemoryQueue queueNamed(String name) {
        MemoryQueue q = queues.get(name);
        if (q == null) {
            throw new SqsError(
                    "QueueDoesNotExist",
                    "AWS.SimpleQueueService.NonExistentQueue",
                    "the specified queue does not exist: " + name);
        }
        return q;
    }

    private String url(String name) {
        return endpoint + "/" + ACCOUNT_ID + "/" + name;
    }

    private String arn(String name) {
        return "arn:aws:sqs:" + region + ":" + ACCOUNT_ID + ":" + name;
    }

    @Override
    public void close() {
        http.stop(0);
        queues.values().forEach(MemoryQueue::wakeAll);
        executor.shutdownNow();
    }
}
