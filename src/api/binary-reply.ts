import type { FastifyReply } from "fastify";

/** Sends bytes as application/octet-stream. A Buffer goes out as is; the cast satisfies routes whose schema types the body as a binary string. */
export function sendBytes(reply: FastifyReply, bytes: Uint8Array): FastifyReply {
  return reply.type("application/octet-stream").send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as unknown as string);
}
