// What the services need of the training queue; src/queue/training-queue.ts
// implements it over BullMQ. Services never see BullMQ itself.

export interface TrainingQueuePort {
  /**
   * Queues a job under its entry id: its own id, then another after each resume (adding it twice is a no-op). `rank` is
   * the job's place among its project's active jobs (1: the oldest): the
   * queue serves lower ranks first, so every project's next job comes before
   * any project's later ones, and one project's backlog cannot hold up
   * another's first job.
   */
  enqueue(jobId: string, rank: number, resumes?: number): Promise<void>;
  /** Takes a job that has not started off the queue; nothing when it is not there. */
  remove(jobId: string, resumes?: number): Promise<void>;
  /** The queue's state of a job's entry: "waiting", "prioritized", "active", "failed", ..., or "unknown" when it has none. */
  stateOf(jobId: string, resumes?: number): Promise<string>;
}
