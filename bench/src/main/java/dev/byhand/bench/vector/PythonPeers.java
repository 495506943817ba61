package dev.byhand.bench.vector;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The native peers, run by Debian's Python in a child process over the same files: hnswlib ({@code
 * python3-hnswlib}) and FAISS {@code IndexHNSWFlat} and {@code IndexFlatIP} ({@code
 * python3-faiss}). The child reads the data set's {@code .npy} files ({@link Dataset}) and prints
 * one tab-separated line per figure; queries run in one call per pass (median of {@link
 * VectorBench#PASSES} passes) per ef with one thread (so Python's per-call cost does not count
 * against them).
 */
final class PythonPeers {

  private PythonPeers() {}

  /** One figure line: system, what, parameter, value. */
  record Line(String system, String what, String parameter, double value) {}

  static final String SCRIPT =
      """
      import os, statistics, sys, time
      import numpy as np
      base_path, query_path, truth_path, n, d, nq, m, efc, efs, scratch = sys.argv[1:11]
      n, d, nq, m, efc = int(n), int(d), int(nq), int(m), int(efc)
      efs = [int(x) for x in efs.split(',')]
      passes = @PASSES@  # timed passes per ef; the figure is their median, as for the JVM peers
      base = np.ascontiguousarray(np.load(base_path), dtype=np.float32)
      queries = np.ascontiguousarray(np.load(query_path), dtype=np.float32)
      truth = np.load(truth_path)[:, :10]
      if base.shape != (n, d) or queries.shape != (nq, d) or truth.shape != (nq, 10):
          sys.exit(f"data shapes {base.shape} {queries.shape} {truth.shape}, expected ({n}, {d}) ({nq}, {d}) ({nq}, 10)")
      def recall(found):
          return sum(len(set(found[i][:10]) & set(truth[i])) for i in range(nq)) / (10.0 * nq)
      def out(system, what, param, value):
          print(f"{system}\\t{what}\\t{param}\\t{value}", flush=True)
      def blas_threads(count):
          # OpenBLAS (Debian's libblas.so.3 alternative) reads OPENBLAS_NUM_THREADS only at start;
          # at run time its thread count is set through this call.
          import ctypes
          for lib in ('libopenblas.so.0', 'libblas.so.3'):
              try:
                  ctypes.CDLL(lib).openblas_set_num_threads(count)
                  return
              except (OSError, AttributeError):
                  pass
          print('python peers: cannot set the BLAS thread count; FAISS flat batch figures may use every core', file=sys.stderr)
      try:
          import faiss
          out('faiss', 'version', '', faiss.__version__ if hasattr(faiss, '__version__') else 0)
          flat = faiss.IndexFlatIP(d)
          flat.add(base)
          for threads in (1, 2):
              # A batch search is one BLAS product: OpenBLAS's own thread pool, not FAISS's OpenMP
              # one, decides how many cores it takes. One core: both pools at 1. Two cores: OpenMP 1
              # and OpenBLAS 2, FAISS's fastest here (2 and 2 oversubscribe the cores and run slower
              # than 1 and 1).
              faiss.omp_set_num_threads(1)
              blas_threads(threads)
              t = time.perf_counter()
              for i in range(min(nq, 200)):
                  flat.search(queries[i:i+1], 10)
              out('FAISS IndexFlatIP', 'exact_single_qps', str(threads), min(nq, 200) / (time.perf_counter() - t))
              times = []
              for _ in range(3):
                  t = time.perf_counter()
                  _, I = flat.search(queries, 10)
                  times.append(time.perf_counter() - t)
              out('FAISS IndexFlatIP', 'exact_batch_qps', str(threads), nq / statistics.median(times))
              out('FAISS IndexFlatIP', 'exact_recall', str(threads), recall(I))
          blas_threads(1)
          for threads in (1, 2):
              faiss.omp_set_num_threads(threads)
              index = faiss.IndexHNSWFlat(d, m, faiss.METRIC_INNER_PRODUCT)
              index.hnsw.efConstruction = efc
              t = time.perf_counter()
              index.add(base)
              out('FAISS IndexHNSWFlat', 'build_s', str(threads), time.perf_counter() - t)
          faiss.omp_set_num_threads(1)
          path = os.path.join(scratch, 'faiss.index')
          faiss.write_index(index, path)
          out('FAISS IndexHNSWFlat', 'disk_bytes', '', os.path.getsize(path))
          os.remove(path)
          for ef in efs:
              index.hnsw.efSearch = max(ef, 10)
              index.search(queries[:100], 10)
              times = []
              for _ in range(passes):
                  t = time.perf_counter()
                  _, I = index.search(queries, 10)
                  times.append(time.perf_counter() - t)
              qps = nq / statistics.median(times)
              out('FAISS IndexHNSWFlat', 'qps', str(ef), qps)
              out('FAISS IndexHNSWFlat', 'recall', str(ef), recall(I))
      except ImportError as e:
          out('faiss', 'missing', '', 0)
      try:
          import hnswlib
          for threads in (1, 2):
              index = hnswlib.Index(space='ip', dim=d)
              index.init_index(max_elements=n, ef_construction=efc, M=m, random_seed=100)
              index.set_num_threads(threads)
              t = time.perf_counter()
              index.add_items(base, np.arange(n))
              out('hnswlib (C++)', 'build_s', str(threads), time.perf_counter() - t)
          index.set_num_threads(1)
          path = os.path.join(scratch, 'hnswlib.bin')
          index.save_index(path)
          out('hnswlib (C++)', 'disk_bytes', '', os.path.getsize(path))
          os.remove(path)
          for ef in efs:
              index.set_ef(max(ef, 10))
              index.knn_query(queries[:100], k=10)
              times = []
              for _ in range(passes):
                  t = time.perf_counter()
                  labels, _ = index.knn_query(queries, k=10)
                  times.append(time.perf_counter() - t)
              qps = nq / statistics.median(times)
              out('hnswlib (C++)', 'qps', str(ef), qps)
              out('hnswlib (C++)', 'recall', str(ef), recall(labels))
      except ImportError as e:
          out('hnswlib', 'missing', '', 0)
      """
          .replace("@PASSES@", String.valueOf(VectorBench.PASSES));

  /** Debian's interpreter, where apt installs python3-hnswlib and python3-faiss. */
  private static String python() {
    return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
  }

  static List<Line> run(
      Path base,
      Path queries,
      Path truth,
      int n,
      int d,
      int nq,
      int m,
      int efc,
      int[] efs,
      Path scratch)
      throws IOException, InterruptedException {
    Path script = scratch.resolve("peers.py");
    Files.writeString(script, SCRIPT);
    StringBuilder efList = new StringBuilder();
    for (int ef : efs) {
      efList.append(efList.length() == 0 ? "" : ",").append(ef);
    }
    ProcessBuilder pb =
        new ProcessBuilder(
            python(),
            script.toString(),
            base.toString(),
            queries.toString(),
            truth.toString(),
            Integer.toString(n),
            Integer.toString(d),
            Integer.toString(nq),
            Integer.toString(m),
            Integer.toString(efc),
            efList.toString(),
            scratch.toString());
    pb.redirectError(ProcessBuilder.Redirect.INHERIT);
    pb.environment().put("OMP_WAIT_POLICY", "PASSIVE");
    Process p = pb.start();
    List<Line> lines = new ArrayList<>();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String s = r.readLine(); s != null; s = r.readLine()) {
        String[] f = s.split("\t", -1);
        if (f.length == 4) {
          double v;
          try {
            v = Double.parseDouble(f[3]);
          } catch (NumberFormatException e) {
            v = Double.NaN;
          }
          lines.add(new Line(f[0], f[1], f[2], v));
          System.out.println("  python: " + s);
        }
      }
    }
    int code = p.waitFor();
    if (code != 0) {
      throw new IOException("python peers exited with " + code);
    }
    return lines;
  }
}
