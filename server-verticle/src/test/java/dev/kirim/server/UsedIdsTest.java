package dev.kirim.server;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UsedIdsTest {

  @Test
  void consecutiveIdsInAnyOrderCostOneRange() {
    UsedIds ids = new UsedIds();
    for (long id : new long[] {3, 1, 0, 2, 5, 4}) {
      assertFalse(ids.contains(id));
      ids.add(id);
      assertTrue(ids.contains(id));
    }
    assertEquals(1, ids.ranges());
    assertFalse(ids.contains(6));
    assertFalse(ids.contains(-1));
  }

  @Test
  void extremesDoNotOverflow() {
    UsedIds ids = new UsedIds();
    ids.add(Long.MAX_VALUE);
    ids.add(Long.MIN_VALUE);
    ids.add(Long.MAX_VALUE - 1);
    assertTrue(ids.contains(Long.MAX_VALUE));
    assertTrue(ids.contains(Long.MAX_VALUE - 1));
    assertTrue(ids.contains(Long.MIN_VALUE));
    assertFalse(ids.contains(Long.MIN_VALUE + 1));
    assertEquals(2, ids.ranges());
  }

  @Test
  void agreesWithASetOnRandomIds() {
    Random random = new Random(7);
    UsedIds ids = new UsedIds();
    Set<Long> expected = new HashSet<>();
    for (int i = 0; i < 5000; i++) {
      long id = random.nextInt(3000);
      assertEquals(expected.contains(id), ids.contains(id), "id " + id);
      if (!expected.contains(id)) {
        expected.add(id);
        ids.add(id);
      }
    }
    for (long id = -1; id <= 3001; id++) {
      assertEquals(expected.contains(id), ids.contains(id), "id " + id);
    }
  }
}
