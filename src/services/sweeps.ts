// Hyperparameter sweeps (POST /v1/sweeps): trials are ordinary jobs made from
// the base job with sampled parameters (src/sweeps). A sweep advances when it
// starts and whenever one of its trials ends (the end's transaction flags it;
// a worker's sweep advancer, or the API, takes the flag): it proposes trials
// until maxParallel are active or maxTrials exist, and completes when the last
// one ends. Successive halving (src/sweeps/asha.ts) promotes trials waiting at
// rungs from here (decideRungs), or stops weak ones from their runs (sweep-pruning.ts).

import type { Database } from "../db/client.js";
import { newId } from "../db/ids.js";
import { DescentError, errorRegistry, notFound, type FieldError } from "../errors.js";
import type { JobInput } from "../spec/job.js";
import type { CreateSweepView, SweepTrialView, SweepView } from "../spec/sweep.js";
import { applyParameters, checkSearchSpace, type Parameters, type SearchSpace } from "../sweeps/search-space.js";
import { gridPoint, gridSize, randomPoint, tpePoint, type Observation } from "../sweeps/samplers.js";
import { promotions } from "../sweeps/asha.js";
import type { JobService } from "./jobs.js";
import { recordSweepCompletedDeliveries } from "./webhook-outbox.js";

type Metric = CreateSweepView["metric"];
/** Trials that hold a place among the sweep's parallel trials (a paused one may resume; one waiting at a rung does not). */
const ACTIVE = new Set<string>(["pending", "queued", "running", "paused"]);
/** Trials of a sweep that is not done: the active ones, and those waiting at a rung. */
const UNFINISHED = new Set<string>([...ACTIVE, "waiting"]);

/** The trials a sweep may have: maxTrials, or fewer when a grid has fewer combinations. */
function budgetOf(spec: CreateSweepView): number {
  return spec.method === "grid" ? Math.min(spec.maxTrials, gridSize(spec.parameters as SearchSpace)) : spec.maxTrials;
}

/** Best value of the metric per job, and epochs, from the jobs' epoch rows. */
async function trialMetrics(db: Database, jobIds: string[], metric: Metric, goal: CreateSweepView["goal"]): Promise<Map<string, { value: number | null; epochs: number }>> {
  if (jobIds.length === 0) return new Map();
  const rows = await db.epochMetric.groupBy({ by: ["jobId"], where: { jobId: { in: jobIds } }, _count: { _all: true }, _min: { [metric]: true }, _max: { [metric]: true } });
  return new Map(
    rows.map((row) => {
      const picked = (goal === "minimize" ? row._min : row._max) as Record<string, number | null>;
      return [row.jobId, { value: picked[metric] ?? null, epochs: row._count._all }];
    }),
  );
}

/** The best among trials that finished their training (a pruned trial's early value is not comparable). */
function bestOf<T extends { metric: number | null; status: string }>(states: T[], goal: CreateSweepView["goal"]): T | null {
  const sign = goal === "minimize" ? 1 : -1;
  return states.filter((s) => s.metric !== null && s.status === "succeeded").reduce<T | null>((b, s) => (b === null || sign * s.metric! < sign * b.metric! ? s : b), null);
}

export function createSweepService({ db, jobs }: { db: Database; jobs: Pick<JobService, "submit" | "cancel" | "resume"> }) {
  async function load(projectId: string | null, id: string) {
    const sweep = await db.sweep.findFirst({ where: { id, ...(projectId ? { projectId } : {}) }, include: { trials: { orderBy: { number: "asc" } } } });
    if (!sweep) throw notFound("sweep", id);
    // Postgres' jsonb orders object keys its own way: the parameters' order (a grid's) is kept beside them.
    const stored = sweep.spec as unknown as CreateSweepView & { parameterOrder: string[] };
    const parameters = Object.fromEntries(stored.parameterOrder.map((pointer) => [pointer, stored.parameters[pointer]]));
    return { ...sweep, request: { ...stored, parameters } as CreateSweepView };
  }

  async function trialStates(sweep: Awaited<ReturnType<typeof load>>) {
    const jobIds = sweep.trials.flatMap((t) => (t.jobId ? [t.jobId] : []));
    const [statuses, metrics, models] = await Promise.all([
      db.trainingJob.findMany({ where: { id: { in: jobIds } }, select: { id: true, status: true } }),
      trialMetrics(db, jobIds, sweep.request.metric, sweep.request.goal),
      db.model.findMany({ where: { sourceJobId: { in: jobIds } }, select: { id: true, sourceJobId: true } }),
    ]);
    const statusOf = new Map(statuses.map((j) => [j.id, j.status as string]));
    const modelOf = new Map(models.map((m) => [m.sourceJobId, m.id]));
    return sweep.trials.map((trial) => {
      const status: SweepTrialView["status"] = trial.pruned
        ? "pruned"
        : trial.error
          ? "failed"
          : trial.waitingAtEpoch !== null
            ? "waiting"
            : trial.jobId
              ? (statusOf.get(trial.jobId) as SweepTrialView["status"])
              : "pending";
      const measured = trial.jobId ? metrics.get(trial.jobId) : undefined;
      return { trial, status, metric: measured?.value ?? null, epochs: measured?.epochs ?? 0, modelId: trial.jobId ? (modelOf.get(trial.jobId) ?? null) : null };
    });
  }

  type Loaded = Awaited<ReturnType<typeof load>>;
  type TrialState = Awaited<ReturnType<typeof trialStates>>[number];

  /**
   * Successive halving's promotion form, under the sweep's lock: promotes
   * (resumes) the waiting trials among the best 1/eta of those that reached
   * their rung; once no trial runs or may start, prunes those still waiting.
   * Returns whether a trial moved, or "blocked" when the project's job cap
   * keeps a promoted trial waiting.
   */
  async function decideRungs(sweep: Loaded, states: TrialState[]): Promise<boolean | "blocked"> {
    const waiting = states.filter((s) => s.status === "waiting");
    if (waiting.length === 0) return false;
    const { metric, goal } = sweep.request;
    const sign = goal === "minimize" ? 1 : -1;
    const rungEpochs = [...new Set(waiting.map((s) => s.trial.waitingAtEpoch!))];
    const jobIds = states.flatMap((s) => (s.trial.jobId ? [s.trial.jobId] : []));
    const rows = await db.epochMetric.findMany({ where: { jobId: { in: jobIds }, epoch: { in: rungEpochs } }, select: { jobId: true, epoch: true, [metric]: true } });
    const byJob = new Map(states.map((s) => [s.trial.jobId, s]));
    const promoted: TrialState[] = [];
    for (const epoch of rungEpochs) {
      const reached = rows.flatMap((row) => {
        const value = (row as unknown as Record<string, number | null>)[metric];
        return row.epoch === epoch && typeof value === "number" ? [{ trial: byJob.get(row.jobId)!.trial.number, value: sign * value }] : [];
      });
      const here = new Set(waiting.filter((s) => s.trial.waitingAtEpoch === epoch).map((s) => s.trial.number));
      for (const number of promotions(reached, here, sweep.request.earlyTermination!.reductionFactor)) promoted.push(states.find((s) => s.trial.number === number)!);
    }
    for (const state of promoted) {
      try {
        await jobs.resume(sweep.projectId, state.trial.jobId!);
      } catch (error) {
        if (error instanceof DescentError && error.code === "RATE_LIMITED") return "blocked";
        // Ended meanwhile (cancelled by its user): it waits no more.
        if (!(error instanceof DescentError && error.code === "CONFLICT")) throw error;
      }
      await db.sweepTrial.update({ where: { id: state.trial.id }, data: { waitingAtEpoch: null } });
    }
    const more = states.some((s) => ACTIVE.has(s.status)) || sweep.trials.length < budgetOf(sweep.request);
    if (promoted.length > 0 || more) return promoted.length > 0;
    // No trial runs or may start: nothing more will reach these rungs.
    for (const state of waiting) {
      await jobs.cancel(sweep.projectId, state.trial.jobId!, { pruned: true }).catch(() => undefined);
      await db.sweepTrial.update({ where: { id: state.trial.id }, data: { waitingAtEpoch: null, pruned: true } });
    }
    return true;
  }

  /**
   * Under the sweep's lock: completes it when its last trial has ended, or
   * proposes the trials it has room for and submits them (and any left
   * waiting by the project's job cap). `strict`: a first trial that cannot be
   * made is thrown (at creation), not recorded on the trial.
   */
  async function advance(sweepId: string, { strict = false } = {}): Promise<void> {
    await db.$transaction(
      async (tx) => {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${sweepId}))`;
        let sweep = await load(null, sweepId);
        if (sweep.status !== "running") return;
        let states = await trialStates(sweep);
        if (sweep.request.earlyTermination && (sweep.request.earlyTermination.mode ?? "promote") === "promote") {
          const moved = await decideRungs(sweep, states);
          if (moved === "blocked") {
            // The project's active-job cap: the promotion waits, and the next job end advances the sweep again.
            await tx.sweep.update({ where: { id: sweepId }, data: { needsAdvance: true } });
            return;
          }
          if (moved) states = await trialStates((sweep = await load(null, sweepId)));
        }
        const budget = budgetOf(sweep.request);
        const active = states.filter((s) => ACTIVE.has(s.status)).length;
        if (sweep.trials.length >= budget && !states.some((s) => UNFINISHED.has(s.status))) {
          await tx.sweep.update({ where: { id: sweepId }, data: { status: "completed", finishedAt: new Date(), needsAdvance: false } });
          const best = bestOf(states, sweep.request.goal);
          await recordSweepCompletedDeliveries(tx, sweep.projectId, { sweepId, status: "completed", trials: states.length, best: best ? { jobId: best.trial.jobId, modelId: best.modelId, parameters: best.trial.parameters, metric: best.metric } : null });
          return;
        }
        const room = Math.max(0, Math.min(sweep.request.maxParallel - active, budget - sweep.trials.length));
        const space = sweep.request.parameters as SearchSpace;
        const seed = sweep.request.seed ?? 0;
        const sign = sweep.request.goal === "minimize" ? 1 : -1;
        const observed: Observation[] = states.filter((s) => s.metric !== null).map((s) => ({ parameters: s.trial.parameters as Parameters, loss: sign * s.metric! }));
        const fresh = [];
        for (let k = 0; k < room; k++) {
          const number = sweep.trials.length + k;
          const parameters = sweep.request.method === "grid" ? gridPoint(space, number) : sweep.request.method === "random" ? randomPoint(space, seed, number) : tpePoint(space, seed, number, observed);
          fresh.push({ id: newId("trl"), number, parameters });
        }
        if (fresh.length > 0) await tx.sweepTrial.createMany({ data: fresh.map((t) => ({ ...t, sweepId, parameters: t.parameters as object })) });
        const waiting = states.filter((s) => s.status === "pending").map((s) => ({ id: s.trial.id, number: s.trial.number, parameters: s.trial.parameters as Parameters }));

        for (const trial of [...waiting, ...fresh]) {
          const input = { ...applyParameters(sweep.request.base, trial.parameters), name: `${sweep.name ?? sweepId} #${trial.number}` } as JobInput;
          try {
            const job = await jobs.submit(sweep.projectId, input, { sweepId });
            await tx.sweepTrial.update({ where: { id: trial.id }, data: { jobId: job.id } });
          } catch (error) {
            if (strict && trial.number === 0) throw error;
            if (error instanceof DescentError && error.code === "RATE_LIMITED") {
              // The project's active-job cap: the trial waits, and the next job end advances the sweep again.
              await tx.sweep.update({ where: { id: sweepId }, data: { needsAdvance: true } });
              return;
            }
            await tx.sweepTrial.update({ where: { id: trial.id }, data: { error: error instanceof Error ? error.message : String(error) } });
            await tx.sweep.update({ where: { id: sweepId }, data: { needsAdvance: true } });
          }
        }
      },
      // Submitting a trial fits a table's feature pipeline: allow it the time.
      { timeout: 120_000, maxWait: 30_000 },
    );
  }

  function checkRequest(body: CreateSweepView): FieldError[] {
    const errors: FieldError[] = checkSearchSpace(body.base, body.parameters as SearchSpace, body.method);
    if (body.metric.startsWith("val") && !(body.base.training.validationSplit! > 0)) {
      errors.push({ path: "/metric", message: `${body.metric} needs validation samples: set base.training.validationSplit` });
    }
    if (body.earlyTermination && body.earlyTermination.minEpochs >= body.base.training.epochs) {
      errors.push({ path: "/earlyTermination/minEpochs", message: `must be below the base job's ${body.base.training.epochs} epochs, or no trial is ever compared` });
    }
    return errors;
  }

  return {
    advance,

    /** Validates the sweep, stores it and starts its first trials (a first trial that does not fit the dataset is a 400 at /base/...). */
    async create(projectId: string, body: CreateSweepView): Promise<SweepView> {
      const errors = checkRequest(body);
      if (errors.length > 0) throw new DescentError("VALIDATION_FAILED", `${errors[0].path}: ${errors[0].message}`, errors);
      const spec = { ...body, parameterOrder: Object.keys(body.parameters) };
      const sweep = await db.sweep.create({ data: { id: newId("swp"), projectId, name: body.name ?? null, spec: spec as object, needsAdvance: false } });
      try {
        await advance(sweep.id, { strict: true });
      } catch (error) {
        await db.sweep.delete({ where: { id: sweep.id } });
        if (error instanceof DescentError && errorRegistry[error.code].status === 400) {
          const fields = (error.errors ?? []).map((e) => ({ path: e.path.startsWith("/") ? `/base${e.path}` : e.path, message: e.message }));
          throw new DescentError(error.code, `the base job with the first trial's parameters: ${error.message}`, fields);
        }
        throw error;
      }
      return this.get(projectId, sweep.id);
    },

    async get(projectId: string, id: string): Promise<SweepView> {
      const sweep = await load(projectId, id);
      const states = await trialStates(sweep);
      const best = bestOf(states, sweep.request.goal);
      return {
        id: sweep.id,
        name: sweep.name,
        status: sweep.status as SweepView["status"],
        metric: sweep.request.metric,
        goal: sweep.request.goal,
        method: sweep.request.method,
        maxTrials: budgetOf(sweep.request),
        maxParallel: sweep.request.maxParallel,
        trials: states.map((s) => ({ number: s.trial.number, jobId: s.trial.jobId, parameters: s.trial.parameters as Parameters, status: s.status, metric: s.metric, epochs: s.epochs, error: s.trial.error })),
        best: best ? { jobId: best.trial.jobId!, modelId: best.modelId, parameters: best.trial.parameters as Parameters, metric: best.metric! } : null,
        epochsTrained: states.reduce((sum, s) => sum + s.epochs, 0),
        createdAt: sweep.createdAt.toISOString(),
        finishedAt: sweep.finishedAt?.toISOString() ?? null,
      };
    },

    async list(projectId: string): Promise<{ data: SweepView[] }> {
      const rows = await db.sweep.findMany({ where: { projectId }, orderBy: { id: "desc" }, take: 100, select: { id: true } });
      return { data: await Promise.all(rows.map((row) => this.get(projectId, row.id))) };
    },

    /** Stops the sweep: no new trial starts, and its queued and running trials are cancelled. */
    async cancel(projectId: string, id: string): Promise<SweepView> {
      const sweep = await load(projectId, id);
      if (sweep.status !== "running") throw new DescentError("CONFLICT", `sweep ${id} has already ended: its status is ${sweep.status}`, [{ path: "/status", message: sweep.status }]);
      await db.$transaction(async (tx) => {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${id}))`;
        await tx.sweep.update({ where: { id }, data: { status: "cancelled", finishedAt: new Date(), needsAdvance: false } });
        // Trials waiting at a rung end as their jobs do (cancelled below).
        await tx.sweepTrial.updateMany({ where: { sweepId: id, waitingAtEpoch: { not: null } }, data: { waitingAtEpoch: null } });
      });
      for (const state of await trialStates(sweep)) {
        if (state.trial.jobId && UNFINISHED.has(state.status)) await jobs.cancel(projectId, state.trial.jobId).catch(() => undefined);
      }
      return this.get(projectId, id);
    },

    /** Asks for the sweep to be advanced again (after an advance failed). */
    async flag(id: string): Promise<void> {
      await db.sweep.update({ where: { id }, data: { needsAdvance: true } });
    },

    /** Sweeps flagged since a trial ended, claimed for this caller to advance (concurrent callers take distinct ones). */
    async claimFlagged(limit: number): Promise<string[]> {
      const rows = await db.$queryRaw<{ id: string }[]>`
        UPDATE "Sweep" SET "needsAdvance" = false
        WHERE "id" IN (SELECT "id" FROM "Sweep" WHERE "needsAdvance" AND "status" = 'running' LIMIT ${limit} FOR UPDATE SKIP LOCKED)
        RETURNING "id"`;
      return rows.map((row) => row.id);
    },
  };
}

export type SweepService = ReturnType<typeof createSweepService>;
