package dev.byhand.dit.data;

/**
 * A seeded random generator whose whole state is one {@code long} (SplitMix64), so a training run
 * can store it in a checkpoint and resume with the very same draws. Not thread-safe.
 */
public final class Rng {
  private long state;

  /** A generator starting from {@code seed}. */
  public Rng(long seed) {
    this.state = seed;
  }

  /** The state, to store; {@code new Rng(state())} continues the same sequence. */
  public long state() {
    return state;
  }

  /** Next 64 random bits. */
  public long nextLong() {
    long z = (state += 0x9E3779B97F4A7C15L);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** Uniform in [0, bound). */
  public int nextInt(int bound) {
    if (bound < 1) {
      throw new IllegalArgumentException("bound: must be at least 1, got " + bound);
    }
    return (int) Math.floorMod(nextLong(), (long) bound);
  }

  /** Uniform in [0, 1). */
  public double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  /** Standard normal, by Box–Muller (one draw per call, so the state stays one long). */
  public double nextGaussian() {
    double u1 = 1.0 - nextDouble(); // (0, 1], so log never sees 0
    double u2 = nextDouble();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** Fills {@code out} with standard normal draws. */
  public void fillGaussian(float[] out) {
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) nextGaussian();
    }
  }

  /** A generator for item {@code index} of a stream seeded with {@code seed}: order-free. */
  public static Rng forItem(long seed, long index) {
    Rng mix = new Rng(seed ^ (index * 0xD1B54A32D192ED03L));
    mix.nextLong();
    return new Rng(mix.nextLong());
  }
}
