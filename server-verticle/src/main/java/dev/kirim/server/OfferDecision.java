package dev.kirim.server;

/** The answer an {@link OfferCheck} reached for an offer it does not refuse. */
sealed interface OfferDecision {

  /** Send the bytes: the upload holds the name's claim until it ends. */
  record Accept(Upload upload) implements OfferDecision {
  }

  /** The server keeps what it has under the name (the {@code skip} policy). */
  record Skip(StorageDirectory.Existing existing) implements OfferDecision {
  }
}
