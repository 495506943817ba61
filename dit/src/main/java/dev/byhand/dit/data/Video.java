package dev.byhand.dit.data;

import java.util.Arrays;

/**
 * A clip: {@code frames × height × width × channels} numbers in [-1, 1], stored frame-major in one
 * array (index {@code ((f * height + y) * width + x) * channels + c}). Channels are RGB (3) for
 * real clips; the seed walkthrough uses one grey channel.
 */
public final class Video {
  private final int frames;
  private final int height;
  private final int width;
  private final int channels;
  private final float[] data;

  /**
   * Wraps {@code data} (not copied).
   *
   * @throws IllegalArgumentException if a size is below 1 or {@code data.length} does not match
   */
  public Video(int frames, int height, int width, int channels, float[] data) {
    requirePositive("frames", frames);
    requirePositive("height", height);
    requirePositive("width", width);
    requirePositive("channels", channels);
    long expected = (long) frames * height * width * channels;
    if (data.length != expected) {
      throw new IllegalArgumentException(
          "data: length " + data.length + " != frames*height*width*channels = " + expected);
    }
    this.frames = frames;
    this.height = height;
    this.width = width;
    this.channels = channels;
    this.data = data;
  }

  /** A clip of the given size filled with zeros (mid grey). */
  public static Video zeros(int frames, int height, int width, int channels) {
    requirePositive("frames", frames);
    requirePositive("height", height);
    requirePositive("width", width);
    requirePositive("channels", channels);
    return new Video(
        frames, height, width, channels, new float[frames * height * width * channels]);
  }

  /** Number of frames. */
  public int frames() {
    return frames;
  }

  /** Rows per frame. */
  public int height() {
    return height;
  }

  /** Columns per frame. */
  public int width() {
    return width;
  }

  /** Values per pixel (3 for RGB, 1 for grey). */
  public int channels() {
    return channels;
  }

  /** The backing array (not a copy): frame-major, then row, column, channel. */
  public float[] data() {
    return data;
  }

  /** Index of one value in {@link #data()}. */
  public int index(int frame, int y, int x, int channel) {
    return ((frame * height + y) * width + x) * channels + channel;
  }

  /** One value. */
  public float get(int frame, int y, int x, int channel) {
    return data[index(frame, y, x, channel)];
  }

  /** Sets one value. */
  public void set(int frame, int y, int x, int channel, float value) {
    data[index(frame, y, x, channel)] = value;
  }

  /**
   * This clip with every pixel repeated {@code zoom × zoom} times (nearest neighbour), for showing
   * a small clip at a size people can see.
   */
  public Video upscale(int zoom) {
    if (zoom < 1 || zoom > 64) {
      throw new IllegalArgumentException("zoom: must be in [1, 64], got " + zoom);
    }
    if (zoom == 1) {
      return this;
    }
    Video out = zeros(frames, height * zoom, width * zoom, channels);
    for (int f = 0; f < frames; f++) {
      for (int y = 0; y < height * zoom; y++) {
        for (int x = 0; x < width * zoom; x++) {
          for (int c = 0; c < channels; c++) {
            out.set(f, y, x, c, get(f, y / zoom, x / zoom, c));
          }
        }
      }
    }
    return out;
  }

  /** True if {@code other} has the same frames, height, width and channels. */
  public boolean sameSize(Video other) {
    return frames == other.frames
        && height == other.height
        && width == other.width
        && channels == other.channels;
  }

  /** "frames×height×width×channels", for messages. */
  public String sizeString() {
    return frames + "×" + height + "×" + width + "×" + channels;
  }

  /** Peak signal-to-noise ratio in dB against {@code reference}, for values in [-1, 1]. */
  public double psnr(Video reference) {
    if (!sameSize(reference)) {
      throw new IllegalArgumentException(
          "reference: size " + reference.sizeString() + " != " + sizeString());
    }
    double sum = 0;
    for (int i = 0; i < data.length; i++) {
      double d = data[i] - reference.data[i];
      sum += d * d;
    }
    double mse = sum / data.length;
    // Peak-to-peak range of [-1, 1] is 2, so PSNR = 10 log10(2² / MSE).
    return mse == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(4.0 / mse);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Video v && sameSize(v) && Arrays.equals(data, v.data);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "Video[" + sizeString() + "]";
  }

  private static void requirePositive(String name, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(name + ": must be at least 1, got " + value);
    }
  }
}
