package dev.kirim.server;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The reservations' arithmetic on its own, step by step in the orders that threads can take: what a decision
 * finds free is the measurement, less what reserved uploads wrote since it was taken, less what is reserved.
 */
class SpaceReservationsTest {

  private final SpaceReservations reservations = new SpaceReservations();

  @Test
  void bytesWrittenAfterAMeasurementAreNotFreeTwice() {
    // 200 bytes free when measured, nothing written yet; an upload holds 60 of them.
    long writtenAtMeasurement = reservations.writtenBytes();
    SpaceReservations.Reservation a = assertNotNullReturn(reservations.tryReserve(60, 200, writtenAtMeasurement));

    // Its 60 bytes reach the file: the file system now shows 140 free, and they have left the reservation.
    a.written(60);
    assertEquals(0, reservations.reservedBytes());
    // An offer measuring now sees 140 free and takes 60 of it.
    SpaceReservations.Reservation b = reservations.tryReserve(60, 140, reservations.writtenBytes());
    assertNotNull(b);

    // An offer decided on the first measurement must not find those 60 written bytes free again: 200 - 60
    // written - 60 reserved leaves 80, so 100 does not fit. (When the decision read the reserved and the written
    // bytes apart, a write and a reservation between the two reads let it through; one counter decides now.)
    assertEquals(80, reservations.freeForReservation(200, writtenAtMeasurement));
    assertNull(reservations.tryReserve(100, 200, writtenAtMeasurement));
    assertNotNull(reservations.tryReserve(80, 200, writtenAtMeasurement));
    assertEquals(0, reservations.freeForReservation(200, writtenAtMeasurement));
  }

  @Test
  void aReleaseGivesBackOnlyWhatWasNotWritten() {
    long writtenAtMeasurement = reservations.writtenBytes();
    SpaceReservations.Reservation upload = assertNotNullReturn(reservations.tryReserve(100, 100, writtenAtMeasurement));
    assertEquals(1, reservations.uploads());
    upload.written(30);
    assertEquals(70, reservations.reservedBytes());
    upload.release();
    upload.release();
    assertEquals(0, reservations.reservedBytes());
    assertEquals(0, reservations.uploads());
    // Measured before the 30 bytes were written, the 100 bytes of room now hold 70: the 30 stay taken.
    assertEquals(70, reservations.freeForReservation(100, writtenAtMeasurement));
    // Measured after, the file system shows 70 free and nothing is taken off twice.
    assertEquals(70, reservations.freeForReservation(70, reservations.writtenBytes()));
    // Bytes written beyond what was reserved, or after the release, move nothing.
    upload.written(50);
    assertEquals(30, reservations.writtenBytes() - writtenAtMeasurement);
  }

  private static SpaceReservations.Reservation assertNotNullReturn(SpaceReservations.Reservation reservation) {
    assertNotNull(reservation);
    return reservation;
  }
}
