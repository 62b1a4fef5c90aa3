import type { DescMethod, Message } from "@bufbuild/protobuf";
import { createMethodSerializationLookup, validateReadWriteMaxBytes } from "@connectrpc/connect/protocol";
import { REQUEST_JSON_OPTIONS } from "./limits-input.js";

/**
 * The enveloped frames of a server stream's messages, as connect-node writes them (one flags
 * byte, a 4-byte big-endian length, the serialised message), built once per message object and
 * codec: a Watch event is one shared message that every subscriber's stream writes, so it is
 * serialised for the first stream and the same bytes go to the others. The serialisation is
 * connect's own, with the server's JSON options (server.ts), so the bytes are those connect-node
 * would write; test/api/stream-frames.test.ts compares them.
 */
export interface StreamFrames {
  /** The uncompressed frame of `message` in the binary or the JSON codec. */
  frame(message: Message, binary: boolean): Uint8Array;
}

/**
 * connect-node compresses a stream message from this size on when the client accepts a
 * compression (validateReadWriteMaxBytes' default; server.ts leaves it): such messages keep
 * connect's own path, which compresses them.
 */
export const COMPRESS_MIN_BYTES = validateReadWriteMaxBytes(undefined, undefined, undefined).compressMinBytes;

const byMethod = new WeakMap<DescMethod, StreamFrames>();

/** The frames of one method's output messages (one cache per method, shared by its streams). */
export function streamFramesOf(method: DescMethod): StreamFrames {
  let frames = byMethod.get(method);
  if (!frames) {
    frames = createStreamFrames(method);
    byMethod.set(method, frames);
  }
  return frames;
}

function createStreamFrames(method: DescMethod): StreamFrames {
  const serialization = createMethodSerializationLookup(
    method,
    undefined,
    REQUEST_JSON_OPTIONS,
    validateReadWriteMaxBytes(undefined, undefined, undefined),
  );
  const codecs = [false, true].map((binary) => {
    const serialize = serialization.getO(binary).serialize;
    const cache = new WeakMap<Message, Uint8Array>();
    return (message: Message): Uint8Array => {
      let frame = cache.get(message);
      if (frame === undefined) {
        frame = envelope(serialize(message));
        cache.set(message, frame);
      }
      return frame;
    };
  });
  return { frame: (message, binary) => codecs[binary ? 1 : 0]!(message) };
}

/** A data frame: flags 0 (not compressed, not the end of the stream), the length, the bytes. */
function envelope(data: Uint8Array): Uint8Array {
  const frame = Buffer.allocUnsafe(5 + data.byteLength);
  frame[0] = 0;
  frame.writeUInt32BE(data.byteLength, 1);
  frame.set(data, 5);
  return frame;
}
