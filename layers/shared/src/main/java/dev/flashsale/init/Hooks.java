package dev.flashsale.init;

import java.util.ArrayList;
import java.util.List;
import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;

/**
 * The CRaC resources of one function's init, in registration order. {@link #register} hands each resource to
 * {@code org.crac}'s global context (which SnapStart notifies around the snapshot, and which holds resources only
 * weakly) and keeps a strong reference here, so that nothing registered is collected and so that tests and the
 * benchmark can run the same hooks in process on a JVM without CRaC ({@link #beforeCheckpoint()},
 * {@link #afterRestore()}), where the global context never calls them.
 *
 * <p>Order follows the CRaC global context: before a checkpoint the last registered resource goes first; after a
 * restore the first registered goes first.
 */
public final class Hooks {

    /** Every Hooks of this class loader that registered something: one per execution environment in Lambda. */
    private static final List<Hooks> REGISTERED = new java.util.concurrent.CopyOnWriteArrayList<>();

    private final List<Resource> resources = new ArrayList<>();

    /**
     * Runs {@link #beforeCheckpoint()} of every Hooks of this class loader, which closes their connections as a snapshot
     * does: how a host that stops an execution environment in process (the local runner, hosting each function in a
     * class loader of its own) gives its connections back. Never called in Lambda.
     */
    public static void checkpointAll() {
        REGISTERED.forEach(Hooks::beforeCheckpoint);
    }

    /** Registers each resource with the global context and keeps it. */
    public synchronized Hooks register(Resource... more) {
        if (resources.isEmpty() && more.length > 0) {
            REGISTERED.add(this);
        }
        for (Resource r : more) {
            Core.getGlobalContext().register(r);
            resources.add(r);
        }
        return this;
    }

    /** The registered resources, in registration order. */
    public synchronized List<Resource> resources() {
        return List.copyOf(resources);
    }

    /**
     * Runs every {@code beforeCheckpoint}, last registered first, as the runtime does before the snapshot.
     *
     * @throws HookException carrying every failure (each resource is still called)
     */
    public void beforeCheckpoint() {
        List<Resource> rs = new ArrayList<>(resources());
        java.util.Collections.reverse(rs);
        run(rs, true);
    }

    /**
     * Runs every {@code afterRestore}, first registered first, as the runtime does after a restore.
     *
     * @throws HookException carrying every failure (each resource is still called)
     */
    public void afterRestore() {
        run(resources(), false);
    }

    private void run(List<Resource> rs, boolean checkpoint) {
        Context<Resource> context = Core.getGlobalContext();
        HookException failure = null;
        for (Resource r : rs) {
            try {
                if (checkpoint) {
                    r.beforeCheckpoint(context);
                } else {
                    r.afterRestore(context);
                }
            } catch (Exception e) {
                if (failure == null) {
                    failure = new HookException((checkpoint ? "beforeCheckpoint" : "afterRestore") + " failed");
                }
                failure.addSuppressed(e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** A hook that failed; the failures are its suppressed exceptions. */
    public static final class HookException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        HookException(String message) {
            super(message);
        }
    }
}
