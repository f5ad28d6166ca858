// Where the thread entries are, for the processes that start threads: under
// tsx the sources are .ts, compiled they are .js beside each other. Passing
// these URLs in (rather than computing them where threads are started) keeps
// the queue and API code free of paths into workers/.

const extension = import.meta.url.endsWith(".ts") ? ".ts" : ".js";

/** Trains one job (src/queue/training-thread.ts starts it). */
export const trainingThreadEntry = new URL(`./training-thread${extension}`, import.meta.url);

/** Runs predictions for the API (src/prediction/prediction-pool.ts starts it). */
export const predictionThreadEntry = new URL(`./prediction-thread${extension}`, import.meta.url);
