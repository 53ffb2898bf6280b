package dev.flashsale.local;

import java.nio.file.Files;
import java.nio.file.Path;

/** The repository's files, wherever the tests run from. */
public final class TestPaths {

    private TestPaths() {
    }

    public static Path root() {
        String p = System.getProperty("flashsale.root");
        Path root = p != null ? Path.of(p) : Path.of("").toAbsolutePath();
        if (!Files.exists(root.resolve("template.yaml")) && Files.exists(root.resolve("../template.yaml"))) {
            root = root.resolve("..").normalize();
        }
        return root;
    }

    public static Path template() {
        return root().resolve("template.yaml");
    }
}
