package dev.byhand.vector;

import java.lang.System.Logger.Level;

/**
 * Chooses the {@link VectorOps} implementation once per process (as Lucene's {@code
 * VectorizationProvider}): the Panama kernels when the module {@code jdk.incubator.vector} is
 * readable (the JVM was started with {@code --add-modules jdk.incubator.vector}) and its preferred
 * vector shape is wide enough, otherwise the plain ones. The choice is logged once, at DEBUG (a
 * command-line user should not see it on every start). Setting the system property {@code
 * byhand.vector.plain=true} forces the plain kernels (the test suite runs once each way).
 */
final class VectorOpsHolder {

  /** System property that forces the plain-Java kernels. */
  static final String FORCE_PLAIN_PROPERTY = "byhand.vector.plain";

  static final VectorOps INSTANCE = choose();

  private VectorOpsHolder() {}

  private static VectorOps choose() {
    System.Logger log = System.getLogger("dev.byhand.vector");
    if (Boolean.getBoolean(FORCE_PLAIN_PROPERTY)) {
      log.log(Level.DEBUG, "vector kernels: plain Java (forced by -D" + FORCE_PLAIN_PROPERTY + ")");
      return PlainVectorOps.INSTANCE;
    }
    VectorOps panama = panamaOrNull();
    if (panama == null) {
      log.log(
          Level.DEBUG,
          "vector kernels: plain Java (start the JVM with --add-modules jdk.incubator.vector for"
              + " SIMD kernels)");
      return PlainVectorOps.INSTANCE;
    }
    log.log(Level.DEBUG, "vector kernels: " + panama.name() + " (jdk.incubator.vector)");
    return panama;
  }

  /**
   * The Panama kernels, or null when the incubator module is not readable or too narrow here. The
   * class is loaded by name only after the module check, so nothing else links against it.
   */
  static VectorOps panamaOrNull() {
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
      return null;
    }
    try {
      Class<?> c = Class.forName("dev.byhand.vector.PanamaVectorOps");
      if (!(Boolean) c.getDeclaredMethod("usable").invoke(null)) {
        return null;
      }
      return (VectorOps) c.getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException | LinkageError e) {
      return null;
    }
  }
}
