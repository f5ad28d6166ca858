// The layering of descent (../shared/DESIGN.md, "Boundaries"), checked by
// `npm run lint:deps` in .ci/run. Each rule is a room with one door.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-cycles",
      severity: "error",
      comment: "No import cycles anywhere, the dashboard included.",
      from: {},
      to: { circular: true },
    },
    {
      name: "engine-is-pure",
      severity: "error",
      comment: "src/engine imports only itself: no Node.js, no npm package, nothing else of the project.",
      from: { path: "^src/engine/" },
      to: { pathNot: "^src/engine/" },
    },
    {
      name: "features-are-pure",
      severity: "error",
      comment: "src/features (the tabular pipeline) is pure like the engine.",
      from: { path: "^src/features/" },
      to: { pathNot: "^src/features/" },
    },
    {
      name: "services-use-ports",
      severity: "error",
      comment: "Services never import the API, a concrete queue, the workers, or Fastify/BullMQ/ioredis: they define the ports they need.",
      from: { path: "^src/services/" },
      to: { path: ["^src/api/", "^src/queue/", "^workers/", "^node_modules/(fastify|bullmq|ioredis)/"] },
    },
    {
      name: "queue-imports-only-types-from-services",
      severity: "error",
      comment: "The queue adapters implement the services' ports; they import only types from services.",
      from: { path: "^src/queue/" },
      to: { path: "^src/services/", dependencyTypesNot: ["type-only"] },
    },
    {
      name: "api-never-touches-prisma-or-bullmq",
      severity: "error",
      comment: "Routes and API plugins parse, call a service, shape the reply: no Prisma client and no BullMQ (types aside).",
      from: { path: "^src/api/(routes|plugins)/" },
      to: { path: ["^src/db/(client|generated)", "^node_modules/(@prisma|bullmq)/"], dependencyTypesNot: ["type-only"] },
    },
    {
      name: "api-never-runs-the-training-loop",
      severity: "error",
      comment: "The API never imports the training runner or its store; it uses the engine only through services.",
      from: { path: "^src/(api|server)" },
      to: { path: ["^src/services/training-(runner|store)", "^src/engine/training/"] },
    },
    {
      name: "workers-never-import-fastify",
      severity: "error",
      from: { path: "^workers/" },
      to: { path: ["^src/api/", "^node_modules/fastify/"] },
    },
    {
      name: "dashboard-and-sdk-stay-clients",
      severity: "error",
      comment: "The dashboard and the SDK talk HTTP: of the server they import only the SDK (and its generated types).",
      from: { path: "^(dashboard/src|src/sdk)/" },
      to: { path: "^src/", pathNot: "^src/sdk/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(dist|src/db/generated)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default", "types"], extensions: [".ts", ".js", ".mjs", ".cjs", ".json", ".d.ts"] },
  },
};
