package dev.byhand.store;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.byhand.vector.Metric;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The child process of the crash test: opens the database, then forever picks a random write (batch
 * upsert, delete, payload merge), prints {@code BEGIN <op>} before it and {@code ACK} after it
 * returns. The parent kills it with SIGKILL at a random moment and checks what survived.
 *
 * <p>Usage: {@code CrashWorker DB_FOLDER SEED}
 */
public final class CrashWorker {

  static final String COLLECTION = "crash";
  static final int DIMENSION = 8;
  static final int ID_POOL = 400;

  public static void main(String[] args) {
    Path folder = Path.of(args[0]);
    SplittableRandom random = new SplittableRandom(Long.parseLong(args[1]));
    PrintStream out = System.out;
    try (Database db = Database.open(folder)) {
      Collection c =
          db.find(COLLECTION)
              .orElseGet(() -> db.create(CollectionConfig.of(COLLECTION, DIMENSION, Metric.L2)));
      // Small logs so that checkpoints, log rotation and compaction happen under fire too.
      c.checkpointBytes(16_000 + random.nextInt(16_000));
      out.println("READY");
      out.flush();
      for (long n = 0; ; n++) {
        ObjectNode op = Json.MAPPER.createObjectNode();
        int kind = random.nextInt(10);
        if (kind < 6) {
          op.put("op", "upsert");
          ArrayNode points = op.putArray("points");
          List<Point> batch = new ArrayList<>();
          int size = 1 + random.nextInt(12);
          for (int i = 0; i < size; i++) {
            String id = "p" + random.nextInt(ID_POOL);
            float[] v = new float[DIMENSION];
            ArrayNode vj = Json.MAPPER.createArrayNode();
            for (int j = 0; j < DIMENSION; j++) {
              v[j] = (float) random.nextDouble(-1, 1);
              vj.add(v[j]);
            }
            ObjectNode payload = Json.MAPPER.createObjectNode().put("n", n).put("i", i);
            batch.add(Point.of(id, v, payload));
            points.addObject().put("id", id).<ObjectNode>set("vector", vj).set("payload", payload);
          }
          out.println("BEGIN " + op);
          out.flush();
          c.upsert(batch);
        } else if (kind < 8) {
          op.put("op", "delete");
          ArrayNode ids = op.putArray("ids");
          List<String> list = new ArrayList<>();
          for (int i = 0, size = 1 + random.nextInt(6); i < size; i++) {
            String id = "p" + random.nextInt(ID_POOL);
            list.add(id);
            ids.add(id);
          }
          out.println("BEGIN " + op);
          out.flush();
          c.delete(list);
        } else {
          op.put("op", "setPayload");
          ObjectNode values = Json.MAPPER.createObjectNode().put("tag", "t" + n);
          op.set("values", values);
          ArrayNode ids = op.putArray("ids");
          List<String> present = new ArrayList<>();
          for (String id : c.ids()) {
            if (random.nextInt(20) == 0 && present.size() < 5) {
              present.add(id);
              ids.add(id);
            }
          }
          if (present.isEmpty()) {
            continue;
          }
          out.println("BEGIN " + op);
          out.flush();
          c.setPayload(present, values);
        }
        out.println("ACK");
        out.flush();
      }
    }
  }
}
