package dev.byhand.dit;

import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Configs (records of numbers, booleans, strings and enums) to and from safetensors metadata
 * strings, so a checkpoint says which model it holds.
 */
public final class Records {
  private Records() {}

  /** Each component as {@code prefix + name → value}. */
  public static Map<String, String> toMetadata(String prefix, Record record) {
    Map<String, String> out = new LinkedHashMap<>();
    try {
      for (RecordComponent c : record.getClass().getRecordComponents()) {
        out.put(prefix + c.getName(), String.valueOf(c.getAccessor().invoke(record)));
      }
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot read " + record.getClass().getSimpleName(), e);
    }
    return out;
  }

  /**
   * Rebuilds a record from metadata written by {@link #toMetadata}.
   *
   * @throws IllegalArgumentException naming the file and the missing or bad field
   */
  public static <R extends Record> R fromMetadata(
      Class<R> type, String prefix, Map<String, String> metadata, Path file) {
    RecordComponent[] components = type.getRecordComponents();
    Object[] values = new Object[components.length];
    Class<?>[] types = new Class<?>[components.length];
    for (int i = 0; i < components.length; i++) {
      RecordComponent c = components[i];
      types[i] = c.getType();
      String text = metadata.get(prefix + c.getName());
      if (text == null) {
        throw new IllegalArgumentException(
            file
                + ": metadata has no "
                + prefix
                + c.getName()
                + "; not a "
                + type.getSimpleName()
                + " file of this version");
      }
      try {
        values[i] = parse(c.getType(), text);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(
            file
                + ": metadata "
                + prefix
                + c.getName()
                + " = '"
                + text
                + "' is not a "
                + c.getType().getSimpleName(),
            e);
      }
    }
    try {
      return type.getDeclaredConstructor(types).newInstance(values);
    } catch (java.lang.reflect.InvocationTargetException e) {
      throw new IllegalArgumentException(file + ": " + e.getCause().getMessage(), e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot build " + type.getSimpleName(), e);
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Object parse(Class<?> type, String text) {
    if (type == int.class) {
      return Integer.parseInt(text);
    } else if (type == long.class) {
      return Long.parseLong(text);
    } else if (type == double.class) {
      return Double.parseDouble(text);
    } else if (type == float.class) {
      return Float.parseFloat(text);
    } else if (type == boolean.class) {
      if (!text.equals("true") && !text.equals("false")) {
        throw new IllegalArgumentException(text);
      }
      return Boolean.parseBoolean(text);
    } else if (type == String.class) {
      return text;
    } else if (type.isEnum()) {
      return Enum.valueOf((Class<Enum>) type, text);
    }
    throw new IllegalStateException("unsupported config field type " + type);
  }
}
