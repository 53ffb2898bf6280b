package dev.flashsale.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** The repository root: where template.yaml and the parent pom.xml live. */
public final class RepoRoot {

    private RepoRoot() {}

    /**
     * From the {@code flashsale.root} system property (set by the parent pom's surefire configuration), else the working
     * directory; in either case the nearest directory at or above it holding both template.yaml and pom.xml.
     */
    public static Path find() {
        String property = System.getProperty("flashsale.root");
        Path start = Path.of(property != null && !property.isBlank() ? property : System.getProperty("user.dir"))
                .toAbsolutePath();
        for (Path p = start; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("template.yaml")) && Files.isRegularFile(p.resolve("pom.xml"))) {
                return p;
            }
        }
        throw new IllegalStateException("no template.yaml with a pom.xml beside it in " + start
                + " or any parent; run from the repository or set -Dflashsale.root=<repo>");
    }

    /** The repository's template.yaml. */
    public static Path template() {
        return find().resolve("template.yaml");
    }
}
