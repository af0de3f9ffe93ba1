// fatal: a byte sequence that is not UTF-8 is an error, never U+FFFD (two different byte strings must
// not become one uid). ignoreBOM keeps a byte-order mark in the text, so JSON.parse refuses it as before.
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** The text of UTF-8 bytes, or null when they are not valid UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return decoder.decode(bytes);
  } catch {
    return null;
  }
}
