package dev.kirim.server;

/** The answer an {@link OfferCheck} reached for an offer it does not refuse. */
sealed interface OfferDecision {

  /** Send the bytes: the upload holds the name's claim until it ends. */
  record Accept(Upload upload) implements OfferDecision {
  }

  /** The server keeps what it has under the name: the same file ({@code same}), or a differing one its policy keeps. */
  record Skip(StorageDirectory.Existing existing, boolean same) implements OfferDecision {
  }

  /** A dry run that a real offer would have accepted: what it would do, from which offset. */
  record Preview(String action, long offset) implements OfferDecision {
  }
}
