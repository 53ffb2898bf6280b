package dev.flashsale.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Where the built artifacts are, and the child JVMs' classpaths made from them as Lambda lays them out: the function
 * zip unpacked (Lambda's {@code /var/task}), then the layer's {@code java/lib/*.jar} ({@code /opt/java/lib}), then the
 * probe and the runtime's event deserializer.
 */
final class Layout {

    final Path root;
    final Path work;
    final Path layerZip;
    private final Path layerDir;
    private final Path probeJar;
    private final Path serializationJar;

    private Layout(Path root) {
        this.root = root;
        Path target = root.resolve("benchmarks/target");
        this.work = target.resolve("bench-work");
        this.layerZip = root.resolve("layers/shared/target/flashsale-layer.zip");
        this.layerDir = work.resolve("layer");
        this.probeJar = target.resolve("cold-start-bench-probe.jar");
        this.serializationJar = target.resolve("probe-lib/aws-lambda-java-serialization.jar");
    }

    /** The repository root: {@code -Dbench.root}, else two levels above this jar (benchmarks/target), else the working directory. */
    static Layout locate() {
        String configured = System.getProperty("bench.root");
        if (configured != null) {
            return new Layout(Path.of(configured).toAbsolutePath());
        }
        try {
            Path jar = Path.of(Layout.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            Path candidate = jar.getParent().getParent().getParent();
            if (Files.exists(candidate.resolve("template.yaml"))) {
                return new Layout(candidate);
            }
        } catch (URISyntaxException | RuntimeException ignored) {
            // fall back to the working directory
        }
        return new Layout(Path.of("").toAbsolutePath());
    }

    Path functionZip(BenchFunction f) {
        return root.resolve("functions/" + f.module() + "/target/" + f.module() + "-function.zip");
    }

    /** Unpacks the layer and every function zip into a clean work directory. */
    void prepare(List<BenchFunction> functions) throws IOException {
        for (Path p : List.of(layerZip, probeJar, serializationJar)) {
            require(p);
        }
        deleteTree(work);
        unzip(layerZip, layerDir);
        for (BenchFunction f : functions) {
            require(functionZip(f));
            unzip(functionZip(f), work.resolve("fn-" + f.name()));
        }
        Files.createDirectories(work.resolve("logs"));
        Files.createDirectories(work.resolve("events"));
    }

    String classpath(BenchFunction f) throws IOException {
        List<String> entries = new ArrayList<>();
        entries.add(work.resolve("fn-" + f.name()).toString());
        try (Stream<Path> jars = Files.list(layerDir.resolve("java/lib"))) {
            jars.filter(p -> p.toString().endsWith(".jar")).sorted().forEach(p -> entries.add(p.toString()));
        }
        entries.add(probeJar.toString());
        entries.add(serializationJar.toString());
        return String.join(java.io.File.pathSeparator, entries);
    }

    private static void require(Path p) {
        if (!Files.exists(p)) {
            throw new IllegalStateException(
                    p + " is missing: build first with mvn -B -q package -DskipTests -pl benchmarks -am");
        }
    }

    private static void unzip(Path zip, Path into) throws IOException {
        Files.createDirectories(into);
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                Path out = into.resolve(e.getName()).normalize();
                if (!out.startsWith(into)) {
                    throw new IOException("zip entry outside the target: " + e.getName());
                }
                if (e.isDirectory()) {
                    Files.createDirectories(out);
                } else {
                    Files.createDirectories(out.getParent());
                    Files.copy((InputStream) in, out, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
