package dev.flashsale.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * One fresh JVM running the probe for one function, started with the Lambda java21 runtime's JVM flags and a fixed
 * heap. In the restore mode it kills the child's old connections server-side between the child's checkpoint and
 * restore hooks.
 */
final class ChildJvm {

    /** What the Lambda Java runtime starts the JVM with (C1 only, serial GC, CDS), plus a heap of a 1 GB function. */
    static final List<String> JVM_FLAGS = List.of(
            "-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto", "-Xmx512m");

    private ChildJvm() {}

    record Result(Map<String, String> values, int redisOpenAfterCheckpoint, int dbOpenAfterCheckpoint, Path log) {
        long micros(String key) {
            return Long.parseLong(values.get(key));
        }

        int integer(String key) {
            return Integer.parseInt(values.get(key));
        }
    }

    static Result run(
            Layout layout,
            BenchData data,
            BenchFunction f,
            boolean priming,
            boolean restore,
            List<String> events,
            int index,
            Map<String, String> telemetry)
            throws IOException, InterruptedException {
        String tag = "bench-" + f.name() + "-" + UUID.randomUUID().toString().substring(0, 8);
        Path eventsFile = layout.work.resolve("events/" + tag + ".jsonl");
        Files.write(eventsFile, events, StandardCharsets.UTF_8);
        Path log = layout.work.resolve(
                "logs/" + f.name() + (restore ? "-restore-" : priming ? "-primed-" : "-unprimed-") + index + ".log");

        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JVM_FLAGS);
        String extra = System.getProperty("bench.jvmArgs"); // for investigation, e.g. -Xlog:class+load
        if (extra != null && !extra.isBlank()) {
            cmd.addAll(List.of(extra.trim().replace("{log}", log.toString()).split("\\s+")));
        }
        cmd.add("-cp");
        cmd.add(layout.classpath(f));
        cmd.add("dev.flashsale.bench.probe.Probe");
        cmd.add(f.handlerClass());
        cmd.add(f.initClass());
        cmd.add(f.eventClass());
        cmd.add(eventsFile.toString());
        cmd.add(restore ? "restore" : "cold");

        ProcessBuilder pb = new ProcessBuilder();
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> !k.equals("PATH") && !k.equals("HOME") && !k.equals("LANG") && !k.equals("TZ"));
        env.put("AWS_REGION", "us-east-1");
        env.put("REDIS_URL", data.redisUrl);
        env.put("REDIS_CLIENT_NAME", tag);
        env.put("DATABASE_URL", data.databaseUrlFor(tag));
        env.put("DB_USER", "postgres");
        env.put("CONFIRM_QUEUE_URL", data.queueUrl);
        env.put("SQS_ENDPOINT", data.sqsEndpoint.toString());
        env.put("PRIMING", Boolean.toString(priming));
        env.put("PAYMENT_WEBHOOK_SECRET", BenchData.WEBHOOK_SECRET);
        env.putAll(telemetry);
        pb.redirectError(log.toFile());

        long launchedAt = System.currentTimeMillis();
        cmd.add(Long.toString(launchedAt));
        pb.command(cmd);
        Process p = pb.start();
        Map<String, String> values = new HashMap<>();
        int redisOpen = -1;
        int dbOpen = -1;
        boolean done = false;
        try (BufferedReader out =
                        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                OutputStream in = p.getOutputStream()) {
            for (String line; (line = out.readLine()) != null; ) {
                if (line.equals("CHECKPOINTED")) {
                    // What a restore does to sockets: they are gone. Give closes a moment to reach the servers, then
                    // kill whatever is still open under the child's names.
                    Thread.sleep(200);
                    redisOpen = data.killRedisClients(tag);
                    dbOpen = data.killDbBackends(tag);
                    in.write('\n');
                    in.flush();
                } else if (line.startsWith("{")) {
                    continue; // an EMF metrics document (OTEL_METRICS_EXPORTER=emf): Lambda's stdout, not the probe's
                } else if (line.equals("DONE")) {
                    done = true;
                } else {
                    int eq = line.indexOf('=');
                    if (eq > 0) {
                        values.put(line.substring(0, eq), line.substring(eq + 1));
                    }
                }
            }
        } catch (java.sql.SQLException e) {
            throw new IOException("could not kill the child's database backends", e);
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        if (!done) {
            throw new IllegalStateException(f.name() + " child JVM failed (exit " + p.exitValue() + "); see " + log);
        }
        return new Result(values, redisOpen, dbOpen, log);
    }
}
