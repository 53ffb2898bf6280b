package dev.flashsale.local.function;

import java.io.IOException;
import java.io.InputStream;

/**
 * Gives one hosted function its own copy of the project's classes ({@code dev.flashsale.*}), as Lambda gives each
 * function its own JVM: the Inits' static singletons, breakers and caches are then per function and per runner, so
 * two runners in one JVM (tests) or two functions with different environments never share them. Libraries (Jedis, the
 * SDK, the Lambda event types) and {@code dev.flashsale.config} (which carries the local environment hand-over) come
 * from the parent as usual.
 */
final class FunctionClassLoader extends ClassLoader {

    static {
        registerAsParallelCapable();
    }

    FunctionClassLoader(String functionId, ClassLoader parent) {
        super(functionId, parent);
    }

    static boolean isolated(String className) {
        return className.startsWith("dev.flashsale.")
                && !className.startsWith("dev.flashsale.config.")
                && !className.startsWith("dev.flashsale.local.");
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (!isolated(name)) {
            return super.loadClass(name, resolve);
        }
        synchronized (getClassLoadingLock(name)) {
            Class<?> c = findLoadedClass(name);
            if (c == null) {
                byte[] bytes;
                try (InputStream in = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
                    if (in == null) {
                        throw new ClassNotFoundException(name);
                    }
                    bytes = in.readAllBytes();
                } catch (IOException e) {
                    throw new ClassNotFoundException(name, e);
                }
                c = defineClass(name, bytes, 0, bytes.length);
            }
            if (resolve) {
                resolveClass(c);
            }
            return c;
        }
    }
}
