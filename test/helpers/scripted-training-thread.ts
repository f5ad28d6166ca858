// A training thread that speaks the real protocol (src/queue/training-thread.ts)
// without a database: for the pool's own tests. The job id says what to do:
// "crash" ends the thread mid-job, "fail" reports an error, "wait" answers only
// after a cancel signal, anything else succeeds with the thread's id in the model id.

import { parentPort, threadId } from "node:worker_threads";
import type { ThreadMessage, ThreadRequest } from "../../src/queue/training-thread.js";

const port = parentPort!;
const post = (message: ThreadMessage) => port.postMessage(message);

port.on("message", (request: ThreadRequest) => {
  if (request.kind === "close") return port.close();
  post({ kind: "event", jobId: request.jobId, event: { type: "progress", data: { thread: threadId } } });
  if (request.jobId === "crash") process.exit(3);
  if (request.jobId === "fail") return post({ kind: "error", error: { name: "JobFailure", message: "scripted failure", disposition: "final" } });
  if (request.jobId === "wait") {
    const word = new Int32Array(request.control);
    // The real thread reads the word between batches (no notify): poll it the same way.
    const poll = setInterval(() => {
      if (Atomics.load(word, 0) === 0) return;
      clearInterval(poll);
      post({ kind: "outcome", outcome: { status: "cancelled", epoch: Atomics.load(word, 0) } });
    }, 5);
    return;
  }
  post({ kind: "outcome", outcome: { status: "succeeded", modelId: `mdl_thread${threadId}` } });
});
post({ kind: "ready" });
