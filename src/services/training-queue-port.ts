// What the services need of the training queue; src/queue/training-queue.ts
// implements it over BullMQ. Services never see BullMQ itself.

export interface TrainingQueuePort {
  /**
   * Queues a job under its own id (adding it twice is a no-op). `rank` is
   * the job's place among its project's active jobs (1: the oldest): the
   * queue serves lower ranks first, so every project's next job comes before
   * any project's later ones, and one project's backlog cannot hold up
   * another's first job.
   */
  enqueue(jobId: string, rank: number): Promise<void>;
  /** Takes a job that has not started off the queue; nothing when it is not there. */
  remove(jobId: string): Promise<void>;
  /** The queue's state of a job: "waiting", "prioritized", "active", "failed", ..., or "unknown" when it has no entry. */
  stateOf(jobId: string): Promise<string>;
}
