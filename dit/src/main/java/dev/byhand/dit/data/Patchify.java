package dev.byhand.dit.data;

/**
 * Spacetime patches (seed step [2] and [14]): a clip of {@code frames × height × width × channels}
 * is cut into non-overlapping blocks of {@code patchT × patchH × patchW} and each block flattened
 * into one row. Rows run in (frame-block, row-block, column-block) order; inside a row the values
 * run (frame, row, column, channel). {@link #unpatchify} is the exact inverse.
 */
public final class Patchify {
  private final int patchT;
  private final int patchH;
  private final int patchW;

  /**
   * @throws IllegalArgumentException if a patch size is below 1
   */
  public Patchify(int patchT, int patchH, int patchW) {
    if (patchT < 1 || patchH < 1 || patchW < 1) {
      throw new IllegalArgumentException(
          "patch: sizes must be at least 1, got " + patchT + "×" + patchH + "×" + patchW);
    }
    this.patchT = patchT;
    this.patchH = patchH;
    this.patchW = patchW;
  }

  /** Frames per patch. */
  public int patchT() {
    return patchT;
  }

  /** Rows per patch. */
  public int patchH() {
    return patchH;
  }

  /** Columns per patch. */
  public int patchW() {
    return patchW;
  }

  /** Number of patches a clip of this size yields. */
  public int patchCount(int frames, int height, int width) {
    check(frames, height, width);
    return (frames / patchT) * (height / patchH) * (width / patchW);
  }

  /** Length of one patch row for {@code channels} channels. */
  public int patchLength(int channels) {
    return patchT * patchH * patchW * channels;
  }

  /**
   * Cuts a clip into patches.
   *
   * @return {@code patchCount × patchLength} values, row-major
   * @throws IllegalArgumentException if a clip size is not a multiple of the patch size
   */
  public float[] patchify(Video video) {
    check(video.frames(), video.height(), video.width());
    float[] out = new float[video.data().length];
    copy(video, out, true);
    return out;
  }

  /**
   * Re-assembles patches into a clip: the inverse of {@link #patchify}.
   *
   * @throws IllegalArgumentException if sizes do not fit the patches
   */
  public Video unpatchify(float[] patches, int frames, int height, int width, int channels) {
    check(frames, height, width);
    if (channels < 1) {
      throw new IllegalArgumentException("channels: must be at least 1, got " + channels);
    }
    Video video = Video.zeros(frames, height, width, channels);
    if (patches.length != video.data().length) {
      throw new IllegalArgumentException(
          "patches: length "
              + patches.length
              + " != "
              + video.data().length
              + " for a "
              + video.sizeString()
              + " clip");
    }
    copy(video, patches, false);
    return video;
  }

  /**
   * Walks the patches in row order and copies each patch's pixel runs (one run per frame and row of
   * the patch) between the clip and the patch rows, in the direction asked.
   */
  private void copy(Video video, float[] patches, boolean toPatches) {
    int channels = video.channels();
    int run = patchW * channels;
    int k = 0;
    for (int bt = 0; bt < video.frames() / patchT; bt++) {
      for (int bh = 0; bh < video.height() / patchH; bh++) {
        for (int bw = 0; bw < video.width() / patchW; bw++) {
          for (int dt = 0; dt < patchT; dt++) {
            for (int dy = 0; dy < patchH; dy++) {
              int at = video.index(bt * patchT + dt, bh * patchH + dy, bw * patchW, 0);
              if (toPatches) {
                System.arraycopy(video.data(), at, patches, k, run);
              } else {
                System.arraycopy(patches, k, video.data(), at, run);
              }
              k += run;
            }
          }
        }
      }
    }
  }

  private void check(int frames, int height, int width) {
    if (frames < 1 || frames % patchT != 0) {
      throw new IllegalArgumentException(
          "frames: " + frames + " is not a positive multiple of the patch's " + patchT);
    }
    if (height < 1 || height % patchH != 0) {
      throw new IllegalArgumentException(
          "height: " + height + " is not a positive multiple of the patch's " + patchH);
    }
    if (width < 1 || width % patchW != 0) {
      throw new IllegalArgumentException(
          "width: " + width + " is not a positive multiple of the patch's " + patchW);
    }
  }
}
